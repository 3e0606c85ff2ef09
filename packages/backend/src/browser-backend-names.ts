/** Backends of the browser entry, in the order `auto` tries them. */
export const BROWSER_BACKEND_NAMES = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type BrowserBackendName = (typeof BROWSER_BACKEND_NAMES)[number];
export type BrowserBackendRequest = BrowserBackendName | 'auto';

export function parseBrowserBackendRequest(value: string, source: string): BrowserBackendRequest {
  const request = value.trim().toLowerCase();
  if (request === 'auto' || (BROWSER_BACKEND_NAMES as readonly string[]).includes(request)) return request as BrowserBackendRequest;
  throw new Error(`${source}: unknown backend ${JSON.stringify(value)}; expected one of auto, ${BROWSER_BACKEND_NAMES.join(', ')}`);
}
