import { attachTfjsBindings, type WasmModule } from './wasm-internals.js';

type EmscriptenFactory = (config: Record<string, unknown>) => Promise<WasmModule>;

const MAIN_SCRIPT = 'tfjs-backend-wasm-threaded-simd.js';
const BINARY = 'tfjs-backend-wasm-threaded-simd.wasm';

/** Runs a classic script (the Emscripten UMD file) and returns the global it defines. */
function loadClassicScript(url: string, globalName: string): Promise<EmscriptenFactory> {
  const existing = (globalThis as Record<string, unknown>)[globalName];
  if (typeof existing === 'function') return Promise.resolve(existing as EmscriptenFactory);
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = url;
    script.onload = () => {
      const factory = (globalThis as Record<string, unknown>)[globalName];
      if (typeof factory === 'function') resolve(factory as EmscriptenFactory);
      else reject(new Error(`${url} did not define ${globalName}`));
    };
    script.onerror = () => reject(new Error(`${url} could not be loaded (serve it beside the .wasm files)`));
    document.head.append(script);
  });
}

/**
 * Instantiates tfjs-backend-wasm's threaded SIMD build in a page from its served files. tfjs's own
 * loader hands its pthread workers the factory's source text (`Function.toString()`), which a bundler
 * has rewritten to refer to variables outside the function, so its workers fail ("e is not defined");
 * here the workers load the original Emscripten script by URL instead. Needs `wasmPaths` to serve
 * tfjs-backend-wasm-threaded-simd.js and .wasm. The pool gets `threads` threads (the page's thread is one).
 */
export async function createBrowserThreadedWasmModule(wasmPaths: string, threads: number): Promise<WasmModule> {
  const base = wasmPaths.endsWith('/') ? wasmPaths : `${wasmPaths}/`;
  const scriptUrl = new URL(MAIN_SCRIPT, new URL(base, globalThis.location?.href)).href;
  // @ts-expect-error: a CommonJS file of the package without declarations (the string tfjs turns into the pthread worker)
  const workerModule = (await import('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js')) as {
    wasmWorkerContents?: string;
    default?: { wasmWorkerContents: string };
  };
  const workerContents = workerModule.wasmWorkerContents ?? workerModule.default?.wasmWorkerContents;
  if (typeof workerContents !== 'string') throw new Error('tfjs-backend-wasm: the pthread worker source was not found');
  const workerUrl = URL.createObjectURL(new Blob([workerContents.replace(/\n/g, '\\n')], { type: 'application/javascript' }));
  const factory = await loadClassicScript(scriptUrl, 'WasmBackendModuleThreadedSimd');
  // The C++ side sizes its pool as min(requested, 8, logical cores / 2), reading the core count once
  // while the module initialises: present 2 × threads cores for that moment (as the Node entry does).
  const navigatorObject = globalThis.navigator as Navigator;
  Object.defineProperty(navigatorObject, 'hardwareConcurrency', { configurable: true, get: () => 2 * threads });
  let module: WasmModule;
  try {
    module = await factory({
      mainScriptUrlOrBlob: scriptUrl,
      locateFile: (file: string, prefix: string) => {
        if (file.endsWith('.worker.js')) return workerUrl;
        if (file.endsWith('.wasm')) return new URL(BINARY, scriptUrl).href;
        return prefix + file;
      },
    });
  } finally {
    delete (navigatorObject as unknown as Record<string, unknown>).hardwareConcurrency; // the prototype's getter again
  }
  attachTfjsBindings(module);
  return module;
}
