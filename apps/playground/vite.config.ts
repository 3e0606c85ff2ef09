import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { defineConfig, type Plugin } from 'vite';

const require = createRequire(import.meta.url);
/** The binaries, and the threaded build's Emscripten script (its pthread workers load it by URL). */
const WASM_FILES: Record<string, 'dist' | 'wasm-out'> = {
  'tfjs-backend-wasm.wasm': 'dist',
  'tfjs-backend-wasm-simd.wasm': 'dist',
  'tfjs-backend-wasm-threaded-simd.wasm': 'dist',
  'tfjs-backend-wasm-threaded-simd.js': 'wasm-out',
};

/** tfjs-backend-wasm's files, served as static files under wasm/ (the page passes that folder as wasmPaths). */
function tfjsWasmFiles(): Plugin {
  const backendPath = require.resolve('@mlm/backend/package.json');
  const packageDirectory = path.dirname(createRequire(backendPath).resolve('@tensorflow/tfjs-backend-wasm/package.json'));
  const source = (name: string) => path.join(packageDirectory, WASM_FILES[name]!, name);
  return {
    name: 'mlm-tfjs-wasm-files',
    configureServer(server) {
      server.middlewares.use(async (request, response, next) => {
        const name = request.url?.match(/\/wasm\/([\w.-]+)$/)?.[1];
        if (!name || !(name in WASM_FILES)) return next();
        response.setHeader('Content-Type', name.endsWith('.js') ? 'text/javascript' : 'application/wasm');
        response.end(await readFile(source(name)));
      });
    },
    async generateBundle() {
      for (const name of Object.keys(WASM_FILES)) {
        this.emitFile({ type: 'asset', fileName: `wasm/${name}`, source: await readFile(source(name)) });
      }
    },
  };
}

const isolation = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

export default defineConfig({
  base: './',
  plugins: [tfjsWasmFiles()],
  build: { target: 'es2022', chunkSizeWarningLimit: 4096, reportCompressedSize: true },
  server: { headers: isolation },
  preview: { headers: isolation },
});
