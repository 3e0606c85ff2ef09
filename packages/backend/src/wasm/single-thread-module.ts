import { createRequire } from 'node:module';
import path from 'node:path';
import { withoutEmscriptenProcessListeners } from './emscripten-listeners.js';
import { attachTfjsBindings, type WasmModule } from './wasm-internals.js';

const require = createRequire(import.meta.url);

type EmscriptenFactory = (config: Record<string, unknown>) => Promise<WasmModule>;

/** Instantiates tfjs-backend-wasm's single-threaded build (the SIMD binary when `simd`). */
export async function createSingleThreadWasmModule(simd: boolean): Promise<WasmModule> {
  const directory = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'wasm-out');
  const factory = require(path.join(directory, 'tfjs-backend-wasm.js')) as EmscriptenFactory;
  const binary = simd ? 'tfjs-backend-wasm-simd.wasm' : 'tfjs-backend-wasm.wasm';
  const module = await withoutEmscriptenProcessListeners(() =>
    factory({
      locateFile: (file: string, prefix: string) => (file.endsWith('.wasm') ? path.join(directory, binary) : prefix + file),
    }),
  );
  attachTfjsBindings(module);
  return module;
}
