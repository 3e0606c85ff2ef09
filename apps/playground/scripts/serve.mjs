// The playground's static file server: serves a folder (default: the built page, dist/) on loopback,
// with the two headers that make the page cross-origin isolated (so the wasm backend may use threads).
// Nothing but GET/HEAD of files under the folder; no directory listings.
//   node scripts/serve.mjs [folder] [--port 5180] [--host 127.0.0.1] [--no-isolation]
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.safetensors': 'application/octet-stream',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webmanifest': 'application/manifest+json',
};

/**
 * Starts the server; resolves once it listens. `port` 0 picks a free port (tests). Returns the server
 * and its base URL.
 */
export async function startStaticServer({ root, host = '127.0.0.1', port = 0, isolation = true, log = () => {} }) {
  const base = path.resolve(root);
  const server = http.createServer(async (request, response) => {
    const headers = isolation ? { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } : {};
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { ...headers, Allow: 'GET, HEAD' }).end();
      return;
    }
    let pathname;
    try {
      pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    } catch {
      response.writeHead(400, headers).end('bad request');
      return;
    }
    if (pathname.endsWith('/')) pathname += 'index.html';
    const file = path.join(base, path.normalize(pathname));
    if (file !== base && !file.startsWith(base + path.sep)) {
      response.writeHead(403, headers).end('forbidden');
      return;
    }
    try {
      const info = await stat(file);
      if (!info.isFile()) throw new Error('not a file');
      const type = TYPES[path.extname(file)] ?? 'application/octet-stream';
      response.writeHead(200, { ...headers, 'Content-Type': type, 'Content-Length': info.size, 'Cache-Control': 'no-cache' });
      log(`${request.method} ${pathname} 200`);
      if (request.method === 'HEAD') response.end();
      else createReadStream(file).pipe(response);
    } catch {
      log(`${request.method} ${pathname} 404`);
      response.writeHead(404, { ...headers, 'Content-Type': 'text/plain' }).end('not found');
    }
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const address = server.address();
  return { server, url: `http://${host}:${address.port}/` };
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const args = process.argv.slice(2);
  const option = (name, fallback) => {
    const index = args.indexOf(name);
    if (index < 0) return fallback;
    const value = args[index + 1];
    args.splice(index, 2);
    return value;
  };
  const port = Number(option('--port', process.env.PORT ?? '5180'));
  const host = option('--host', '127.0.0.1');
  const isolation = !args.includes('--no-isolation');
  const folder = args.find((a) => !a.startsWith('--')) ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist');
  try {
    await stat(path.join(folder, 'index.html'));
  } catch {
    console.error(`serve: ${path.join(folder, 'index.html')} does not exist; build the playground first (pnpm build)`);
    process.exit(1);
  }
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`serve: --port ${port}: expected an integer in [0, 65535]`);
    process.exit(1);
  }
  const { url } = await startStaticServer({ root: folder, host, port, isolation });
  console.log(`mlm playground: ${url}  (static files from ${path.resolve(folder)}; Ctrl-C stops)`);
}
