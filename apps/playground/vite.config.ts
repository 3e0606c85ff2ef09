import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { defineConfig, type Plugin } from 'vite';

const require = createRequire(import.meta.url);
const WASM_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'];

/** tfjs-backend-wasm's binaries, served as static files under wasm/ (the page passes that folder to setWasmPaths). */
function tfjsWasmFiles(): Plugin {
  const backendPath = require.resolve('@mlm/backend/package.json');
  const wasmDirectory = path.join(path.dirname(createRequire(backendPath).resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
  return {
    name: 'mlm-tfjs-wasm-files',
    configureServer(server) {
      server.middlewares.use(async (request, response, next) => {
        const name = request.url?.match(/\/wasm\/([\w-]+\.wasm)$/)?.[1];
        if (!name || !WASM_FILES.includes(name)) return next();
        response.setHeader('Content-Type', 'application/wasm');
        response.end(await readFile(path.join(wasmDirectory, name)));
      });
    },
    async generateBundle() {
      for (const name of WASM_FILES) {
        this.emitFile({ type: 'asset', fileName: `wasm/${name}`, source: await readFile(path.join(wasmDirectory, name)) });
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
