import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { withoutEmscriptenProcessListeners } from './emscripten-listeners.js';
import { attachTfjsBindings, type WasmModule } from './wasm-internals.js';

const require = createRequire(import.meta.url);

type EmscriptenFactory = (config: Record<string, unknown>) => Promise<WasmModule>;

/** The installed tfjs-backend-wasm's folder of Emscripten outputs. */
function wasmOutDirectory(): string {
  return path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'wasm-out');
}

/**
 * Node's Worker cannot load the `blob:` URL tfjs makes for the pthread worker, so its source goes to a
 * real file (named by its hash, written atomically: several processes may start at once). `.cjs`, as
 * the worker uses `require`.
 */
function writeWorkerFile(directory: string): string {
  const { wasmWorkerContents } = require(path.join(directory, 'tfjs-backend-wasm-threaded-simd.worker.js')) as {
    wasmWorkerContents: string;
  };
  // The source is kept in a template literal whose "\n" escapes became real newlines; restore them.
  const source = wasmWorkerContents.replace(/\n/g, '\\n');
  const hash = createHash('sha256').update(source).digest('hex').slice(0, 16);
  const file = path.join(os.tmpdir(), `mlm-tfjs-wasm-pthread-${hash}.worker.cjs`);
  if (!fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== source) {
    const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
    fs.writeFileSync(temporary, source);
    fs.renameSync(temporary, file);
  }
  return file;
}

/**
 * Instantiates tfjs-backend-wasm's threaded SIMD build in Node (which the package itself never does
 * there: its WASM_HAS_MULTITHREAD_SUPPORT flag is false under Node).
 *
 * The C++ side sizes its thread pool as min(requested, 8, logical cores / 2), reading the core count
 * once while the module initialises; Node's `os.cpus()` is presented as 2 × `threads` for that moment
 * so the pool gets exactly `threads` threads (the main thread is one of them).
 */
export async function createThreadedWasmModule(threads: number): Promise<WasmModule> {
  const directory = wasmOutDirectory();
  const mainScript = path.join(directory, 'tfjs-backend-wasm-threaded-simd.js');
  const workerFile = writeWorkerFile(directory);
  const factory = require(mainScript) as EmscriptenFactory;
  const realCpus = os.cpus;
  const presented = realCpus.call(os);
  const cpus = Array.from({ length: 2 * threads }, (_, index) => presented[index % Math.max(1, presented.length)]!);
  os.cpus = () => cpus;
  let module: WasmModule;
  try {
    module = await withoutEmscriptenProcessListeners(() =>
      factory({
        locateFile: (file: string, prefix: string) => {
          if (file.endsWith('.worker.js')) return workerFile;
          if (file.endsWith('.wasm')) return path.join(directory, file);
          return prefix + file;
        },
        mainScriptUrlOrBlob: mainScript,
      }),
    );
  } finally {
    os.cpus = realCpus;
  }
  attachTfjsBindings(module);
  return module;
}

/**
 * Lets the process exit while the pool's worker threads are alive (Emscripten refs a worker while it
 * runs a pthread, and the XNNPACK pool's pthreads run for the module's lifetime).
 */
export function unrefWorkers(module: WasmModule): void {
  for (const worker of module.PThread?.runningWorkers ?? []) worker.unref();
  for (const worker of module.PThread?.unusedWorkers ?? []) worker.unref();
}
