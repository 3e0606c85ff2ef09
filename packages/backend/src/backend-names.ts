/** Backends, in the order `auto` tries them. `tensorflow` is @tensorflow/tfjs-node (CPU, native). */
export const BACKEND_NAMES = ['node-gpu', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];
export type BackendRequest = BackendName | 'auto';

/** The npm package that provides each native backend, and how a user installs it. */
export const NATIVE_PACKAGES: Record<'node-gpu' | 'tensorflow', { packageName: string; installHint: string }> = {
  'node-gpu': {
    packageName: '@tensorflow/tfjs-node-gpu',
    installHint:
      'install it with `pnpm add @tensorflow/tfjs-node-gpu@4.22.0` (Linux x64, CUDA 11.2 and cuDNN 8.1; its install downloads libtensorflow)',
  },
  tensorflow: {
    packageName: '@tensorflow/tfjs-node',
    installHint: 'install it with `pnpm add @tensorflow/tfjs-node@4.22.0` (its install downloads libtensorflow)',
  },
};

export function parseBackendRequest(value: string, source: string): BackendRequest {
  const normalised = value.trim().toLowerCase();
  const aliases: Record<string, BackendRequest> = { node: 'tensorflow', 'tfjs-node': 'tensorflow', gpu: 'node-gpu', 'tfjs-node-gpu': 'node-gpu' };
  const request = aliases[normalised] ?? normalised;
  if (request === 'auto' || (BACKEND_NAMES as readonly string[]).includes(request)) return request as BackendRequest;
  throw new Error(`${source}: unknown backend ${JSON.stringify(value)}; expected one of auto, ${BACKEND_NAMES.join(', ')}`);
}
