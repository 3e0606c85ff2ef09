/**
 * Shared start of the side-by-side scripts (`gemm`, `elementwise`): `--threads`/`--reps`, the machine
 * line, and the wasm backend with native kernels on (an error if they did not load).
 */
import { parseArgs } from 'node:util';
import { initializeBackend } from '@mlm/backend';
import { machineInfo } from './machine.js';

export async function startNativeComparison(name: string): Promise<{ threads: number; reps: number; native: Awaited<ReturnType<typeof initializeBackend>> }> {
  const { values: args } = parseArgs({ options: { threads: { type: 'string', default: '1' }, reps: { type: 'string', default: '7' } }, strict: true });
  const threads = Number(args.threads);
  const reps = Number(args.reps);
  if (!Number.isInteger(threads) || threads < 1) throw new Error(`--threads: expected a positive integer, got ${JSON.stringify(args.threads)}`);
  if (!Number.isInteger(reps) || reps < 1) throw new Error(`--reps: expected a positive integer, got ${JSON.stringify(args.reps)}`);
  const machine = machineInfo();
  console.log(`[${name}] ${machine.cpuModel}, ${machine.cores} cores, load average ${machine.loadAverage}, ${threads} thread(s)`);
  const native = await initializeBackend({ backend: 'wasm', threads, log: (line) => console.log(line) });
  if (!native.nativeKernels?.enabled) throw new Error(`native kernels are not enabled: ${native.description}`);
  return { threads, reps, native };
}
