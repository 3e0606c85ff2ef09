/**
 * Runs the real `mlm` CLI (apps/trainer/src/cli.ts) in a child process, from the TypeScript sources
 * (see typescript-loader.mjs), optionally with the fault-injection seam (fault-injection.mjs).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';

const SUPPORT = path.dirname(fileURLToPath(import.meta.url));
/** The repository root (vitest runs from there too). */
export const REPO_ROOT = path.resolve(SUPPORT, '../../../../..');
const CLI = path.join(REPO_ROOT, 'apps/trainer/src/cli.ts');

export interface FaultRule {
  /** Regular expression on `<operation> <path>` (e.g. `writeFile .*\.partial-.*model\.safetensors`). */
  match: string;
  /** Which matching operation (1-based). */
  occurrence: number;
  /** Write half of the data first (a torn write). */
  torn?: boolean;
}

export interface CliRunOptions {
  /** Kill the process with SIGKILL at a file operation (the process kills itself, at an exact point). */
  killAt?: FaultRule;
  /** Fail a file write with ENOSPC (after writing half of it). */
  noSpaceAt?: FaultRule;
  /** Send the process a signal at a file operation. */
  signalAt?: FaultRule & { signal: 'SIGINT' | 'SIGTERM' };
  /** Make statfs report this many free bytes (a nearly full disk). */
  freeBytes?: number;
  /** Only operations under this folder count for killAt / noSpaceAt / trace. */
  watch?: string;
  /** Record every file operation under `watch` to this file (JSON lines). */
  traceFile?: string;
  /** Called with each line of stderr as it arrives (the child is passed to send signals). */
  onStderrLine?: (line: string, child: ChildProcess) => void;
  env?: Record<string, string>;
  /** SIGKILL the child after this many milliseconds (a hang then shows as signal SIGKILL). */
  timeoutMs?: number;
}

export interface CliRunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Spawns `mlm <args>` and waits for it to end. */
export function runCli(args: string[], options: CliRunOptions = {}): Promise<CliRunResult> {
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    MLM_WASM_THREADS: '1',
    ...options.env,
  };
  // vitest sets these for its workers; the child is a plain Node process.
  delete env.VITEST;
  delete env.VITEST_WORKER_ID;
  delete env.VITEST_POOL_ID;
  delete env.NODE_OPTIONS;
  const imports = ['--import', path.join(SUPPORT, 'register-typescript.mjs')];
  if (options.killAt || options.noSpaceAt || options.signalAt || options.traceFile || options.freeBytes !== undefined) {
    imports.push('--import', path.join(SUPPORT, 'fault-injection.mjs'));
    if (options.killAt) env.MLM_FAULT_KILL = JSON.stringify(options.killAt);
    if (options.noSpaceAt) env.MLM_FAULT_ENOSPC = JSON.stringify(options.noSpaceAt);
    if (options.signalAt) env.MLM_FAULT_SIGNAL = JSON.stringify(options.signalAt);
    if (options.freeBytes !== undefined) env.MLM_FAULT_FREE_BYTES = String(options.freeBytes);
    if (options.traceFile) env.MLM_FAULT_TRACE = options.traceFile;
    if (options.watch) env.MLM_FAULT_WATCH = options.watch;
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=@mlm/source', ...imports, CLI, ...args], {
      cwd: REPO_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let pending = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      stderr += text;
      pending += text;
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) options.onStderrLine?.(line, child);
    });
    const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

const createdFolders: string[] = [];
// Registered when a test file imports this module, so it runs after that file's tests.
afterAll(() => {
  if (process.env.MLM_KEEP_TEST_FOLDERS) return;
  for (const folder of createdFolders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

/**
 * A fresh temporary folder for a test file, deleted after the file's tests (kept when
 * MLM_KEEP_TEST_FOLDERS is set, to look at the run folders of a failure).
 */
export function temporaryFolder(label: string): string {
  const root = path.join(os.tmpdir(), 'mlm-reliability');
  mkdirSync(root, { recursive: true });
  const folder = mkdtempSync(path.join(root, `${label}-`));
  createdFolders.push(folder);
  return folder;
}

/**
 * A tiny run (star-easy, 64 training graphs, a 1-layer 16-wide model with dropout and EMA, batch 4,
 * 8 steps, a checkpoint every 2 steps, validation every 4, a metrics line every step), written as a
 * YAML file; returns its path. `extra` lines are appended (YAML, top-level keys not used above).
 */
export function writeTinyConfig(
  folder: string,
  options: { maxSteps?: number; checkpointEvery?: number | null; validationEvery?: number | null; logEvery?: number; keepCheckpoints?: number; extra?: string; file?: string } = {},
): string {
  const file = path.join(folder, options.file ?? 'tiny.yaml');
  writeFileSync(
    file,
    `name: tiny
backend: wasm
threads: 1
seed: 3
task:
  name: mlm/star-easy
  seed: 42
  numTrain: 64
  numValidation: 8
  numTest: 8
model:
  dModel: 16
  numLayers: 1
  nhead: 2
  dropout: 0.1
predictor:
  maxSteps: 4
optimizer:
  lr: 1.0e-3
scheduler:
  name: constant-with-warmup
  warmupSteps: 2
training:
  maxSteps: ${options.maxSteps ?? 8}
  batchSize: 4
  logEvery: ${options.logEvery ?? 1}
  checkpointEvery: ${options.checkpointEvery === undefined ? 2 : options.checkpointEvery}
  keepCheckpoints: ${options.keepCheckpoints ?? 2}
  ema:
    decay: 0.9
validation:
  every: ${options.validationEvery === undefined ? 4 : options.validationEvery}
  batchSize: 8
  maxExamples: 8
logging:
  progress: lines
${options.extra ?? ''}`,
  );
  return file;
}
