import { describe, expect, it } from 'vitest';
import { BROWSER_BACKEND_NAMES, parseBrowserBackendRequest } from './browser-backend-names.js';
import { describeBrowserBackend } from './browser-select-backend.js';
import { initializeBackend, shutdownBackend } from './select-backend.js';

// The browser entry runs in Chromium in apps/playground/test; here, what needs no browser.
describe('browser entry', () => {
  it('parses backend names and lists the allowed ones on a bad one', () => {
    expect(BROWSER_BACKEND_NAMES).toEqual(['webgpu', 'webgl', 'wasm', 'cpu']);
    expect(parseBrowserBackendRequest(' WebGL ', 'backend')).toBe('webgl');
    expect(parseBrowserBackendRequest('auto', 'backend')).toBe('auto');
    expect(() => parseBrowserBackendRequest('tensorflow', 'backend option')).toThrow(
      'backend option: unknown backend "tensorflow"; expected one of auto, webgpu, webgl, wasm, cpu',
    );
  });

  it('logs the same line as the Node entry for the backends both have', async () => {
    const lines: string[] = [];
    const info = await initializeBackend({ backend: 'cpu', log: (line) => lines.push(line) });
    expect(lines).toEqual([describeBrowserBackend('cpu', 1, undefined, [])]);
    shutdownBackend();
    // Node's line may add why its native kernels (Node only) are off; the part before is the page's line.
    const wasm = await initializeBackend({ backend: 'wasm', threads: 1, nativeKernels: false, log: (line) => lines.push(line) });
    const pageLine = describeBrowserBackend('wasm', wasm.threads, wasm.simd, []);
    expect(lines[1] === pageLine || lines[1]!.startsWith(`${pageLine} — native kernels:`), lines[1]).toBe(true);
    expect(info.description).toBe('[mlm] tensor backend: cpu (pure JavaScript, 1 thread)');
    expect(describeBrowserBackend('wasm', 1, true, ['webgpu: navigator.gpu is missing', 'webgl: no WebGL2 context'])).toBe(
      '[mlm] tensor backend: wasm (SIMD, 1 thread) — skipped webgpu: navigator.gpu is missing; webgl: no WebGL2 context',
    );
    shutdownBackend();
  });
});
