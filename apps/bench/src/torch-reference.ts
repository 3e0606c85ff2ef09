import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** One `RESULT {json}` line of torch/torch_ref.py. */
export interface TorchResult {
  engine: string;
  threads: number;
  bench: 'matmul1024' | 'train' | 'fwd' | string;
  config?: string;
  ms: number;
  min: number;
  max: number;
  runs: number[];
  gflops?: number;
}

/** Parses torch_ref.py's output; other lines (warnings) are ignored, a malformed RESULT line is an error. */
export function parseTorchOutput(output: string): TorchResult[] {
  const results: TorchResult[] = [];
  for (const line of output.split('\n')) {
    if (!line.startsWith('RESULT ')) continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line.slice('RESULT '.length));
    } catch (error) {
      throw new Error(`torch_ref.py printed a RESULT line that is not JSON: ${line.slice(0, 200)} (${(error as Error).message})`);
    }
    const record = parsed as Partial<TorchResult>;
    if (typeof record.bench !== 'string' || typeof record.ms !== 'number' || !Array.isArray(record.runs)) {
      throw new Error(`torch_ref.py RESULT line lacks bench/ms/runs: ${line.slice(0, 200)}`);
    }
    results.push(record as TorchResult);
  }
  return results;
}

export interface TorchRunOptions {
  script: string;
  threads: number;
  reps: number;
  warmup: number;
  configs: string[];
  what: Array<'matmul' | 'train' | 'fwd'>;
  python?: string;
}

/** Where Debian's OpenBLAS (OpenMP build) lives; without it torch uses the 30× slower reference BLAS. */
export const OPENBLAS_OPENMP = '/usr/lib/x86_64-linux-gnu/openblas-openmp';

/** Whether python3-torch is installed for /usr/bin/python3 (Debian's package works with that one only). */
export async function torchAvailable(python = '/usr/bin/python3'): Promise<boolean> {
  if (!fs.existsSync(python)) return false;
  const { code } = await run(python, ['-c', 'import torch'], {});
  return code === 0;
}

/** Runs torch_ref.py as the bench README says (OpenBLAS-openmp, OMP_NUM_THREADS = threads). */
export async function runTorchReference(options: TorchRunOptions): Promise<TorchResult[]> {
  const python = options.python ?? '/usr/bin/python3';
  if (!fs.existsSync(options.script)) throw new Error(`--torch: ${options.script} does not exist (expected apps/bench/torch/torch_ref.py in the checkout)`);
  const env: Record<string, string> = { OMP_NUM_THREADS: String(options.threads) };
  if (fs.existsSync(OPENBLAS_OPENMP)) env.LD_LIBRARY_PATH = [OPENBLAS_OPENMP, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':');
  const args = [
    options.script,
    '--threads', String(options.threads),
    '--reps', String(options.reps),
    '--warmup', String(options.warmup),
    '--configs', options.configs.join(','),
    '--what', options.what.join(','),
  ];
  const { code, stdout, stderr } = await run(python, args, env);
  if (code !== 0) throw new Error(`torch_ref.py exited with ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return parseTorchOutput(stdout);
}

function run(command: string, args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/** The repository root: the nearest folder above `start` with pnpm-workspace.yaml. */
export function findRepositoryRoot(start: string): string {
  let directory = path.resolve(start);
  for (;;) {
    if (fs.existsSync(path.join(directory, 'pnpm-workspace.yaml'))) return directory;
    const parent = path.dirname(directory);
    if (parent === directory) throw new Error(`no pnpm-workspace.yaml above ${start}`);
    directory = parent;
  }
}
