import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const benchRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

describe('threaded wasm backend in a CLI process', () => {
  it('runs on 2 threads and lets the process exit without shutdownBackend()', () => {
    const result = spawnSync(process.execPath, ['--conditions=@mlm/source', '--import', 'tsx', 'test/fixtures/threaded-backend-exits.ts'], {
      cwd: benchRoot,
      encoding: 'utf8',
      timeout: 90_000,
      env: { ...process.env, VITEST: '' },
    });
    expect(result.error).toBeUndefined();
    expect(result.status, result.stderr.slice(-2000)).toBe(0);
    const report = JSON.parse(result.stdout.trim().split('\n').pop()!) as { threads: number; description: string; value: number; batchedMatches: boolean };
    expect(report.value).toBe(64);
    expect(report.batchedMatches).toBe(true);
    expect(report.threads).toBe(typeof SharedArrayBuffer === 'undefined' ? 1 : 2);
    expect(report.description).toMatch(/wasm \(SIMD, 2 threads\)|wasm \+ native BLAS \(\w+, 2 threads\)/);
  });
});
