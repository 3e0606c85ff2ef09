/**
 * `pnpm bench`: speed and memory of the real @mlm packages on each tensor backend, optionally side by
 * side with PyTorch (torch/torch_ref.py). A benchmark, not a test. See README.md.
 */
import * as tf from '@tensorflow/tfjs-core';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { getBackendInfo, initializeBackend, shutdownBackend } from '@mlm/backend';
import { writeFileDurablySync } from '@mlm/durable-write';
import { createRandom } from '@mlm/random';
import { benchConfig, parameterCount, type BenchConfig } from './bench-configs.js';
import { profileKernels, type KernelShare } from './kernel-profile.js';
import { machineInfo } from './machine.js';
import { measure, peakRssMiB } from './measure.js';
import { mebibytes, readMemory } from './process-memory.js';
import { markdownTable, quietestRounds, readmeSection, replaceReadmeSection, type BenchResults, type BenchRow, type Engine, type LongRunReport } from './report.js';
import { memoryVerdict, runSoak, type SoakSample } from './soak.js';
import { summarize } from './statistics.js';
import { findRepositoryRoot, runTorchReference, torchAvailable, type TorchResult } from './torch-reference.js';
import { collateAll, createTrainingWorkload, generateOnce, matMulOnce, sudokuRows } from './workloads.js';

const HELP = `pnpm bench [options]
  --backends wasm,cpu     tensor backends to measure (cpu: matmul and the sudoku config only;
                          wasm-xnnpack: wasm with the native kernels off, for a same-run comparison)
  --configs base,sudoku   model configs (base, sudoku, tiny)
  --threads N             wasm threads (default: every core)
  --reps N --warmup N     timed runs and untimed warm-up runs per measurement (default 5, 2)
  --rounds N              rounds, interleaved with PyTorch when --torch (default 2 with --torch, else 1)
  --torch                 run apps/bench/torch/torch_ref.py between rounds (needs Debian's python3-torch)
  --profile               per-kernel time of one wasm training step per config (tf.profile)
  --long [--long-steps N] tensors and RSS over N training steps (default 1000) of --long-config (sudoku)
  --long-only             only the long run
  --soak                  only the soak check: \`mlm train\` of a small model (validation, checkpoints,
                          logging) then generation: RSS slope and tensors after warm-up, sampled
                          after a full GC; --soak-train-steps N (default 20000),
                          --soak-generate-steps N (default 10000), --soak-every N (default 100)
  --quick                 smoke run: tiny config, 1 rep, no warm-up
  --update-readme         write the table into apps/bench/README.md
  --out DIR               where results/<date>.json and .md go (default apps/bench/results)`;

const { values: args } = parseArgs({
  options: {
    backends: { type: 'string', default: 'wasm,cpu' },
    configs: { type: 'string' },
    threads: { type: 'string' },
    reps: { type: 'string' },
    warmup: { type: 'string' },
    rounds: { type: 'string' },
    torch: { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    long: { type: 'boolean', default: false },
    'long-only': { type: 'boolean', default: false },
    'long-steps': { type: 'string', default: '1000' },
    'long-config': { type: 'string', default: 'sudoku' },
    soak: { type: 'boolean', default: false },
    'soak-train-steps': { type: 'string', default: '20000' },
    'soak-generate-steps': { type: 'string', default: '10000' },
    'soak-every': { type: 'string', default: '100' },
    quick: { type: 'boolean', default: false },
    'update-readme': { type: 'boolean', default: false },
    out: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
  strict: true,
});

if (args.help) {
  console.log(HELP);
  process.exit(0);
}

function integerOption(name: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < min) throw new Error(`--${name}: expected an integer >= ${min}, got ${JSON.stringify(value)}`);
  return parsed;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const benchRoot = path.resolve(here, '..');
const repositoryRoot = findRepositoryRoot(here);
const longOnly = args['long-only'];
if (longOnly && args['update-readme']) throw new Error('--update-readme writes the full table: run it without --long-only');
const backends = longOnly ? [] : args.backends.split(',').map((name) => name.trim()).filter(Boolean);
for (const backend of backends) {
  if (backend !== 'wasm' && backend !== 'wasm-xnnpack' && backend !== 'cpu') {
    throw new Error(`--backends: unknown backend ${JSON.stringify(backend)}; expected wasm, wasm-xnnpack and/or cpu`);
  }
}
const configs = (args.configs ?? (args.quick ? 'tiny' : 'base,sudoku')).split(',').map((name) => benchConfig(name.trim()));
const reps = integerOption('reps', args.reps, args.quick ? 1 : 5, 1);
const warmup = integerOption('warmup', args.warmup, args.quick ? 0 : 2, 0);
const rounds = integerOption('rounds', args.rounds, args.torch ? 2 : 1, 1);
const threads = args.threads === undefined ? undefined : integerOption('threads', args.threads, 1, 1);
const longSteps = integerOption('long-steps', args['long-steps'], 1000, 1);
const torchScript = path.join(repositoryRoot, 'apps', 'bench', 'torch', 'torch_ref.py');
/** The cpu backend is ~100× slower than wasm: fewer runs, and a time budget per measurement. */
const CPU_BUDGET_MS = 90_000;

const machine = machineInfo();
console.log(`[bench] ${machine.cpuModel}, ${machine.cores} cores, Node ${machine.node}, load average ${machine.loadAverage}`);

const rows: BenchRow[] = [];
const notes: string[] = [];
const backendLines: Partial<Record<Engine, string>> = {};
const profiles: Record<string, { totalMs: number; kernels: KernelShare[] }> = {};

let currentRound = 0;

function record(row: BenchRow): void {
  rows.push({ ...row, round: currentRound });
  const { median, min } = row.summary;
  const throughput = row.throughput === undefined ? '' : `, ${row.throughput.toFixed(1)} ${row.bench === 'matmul1024' ? 'GFLOP/s' : row.bench === 'collate' ? 'rows/s' : 'tokens/s'}`;
  console.log(`[bench] ${row.engine} ${row.bench}${row.config ? ` ${row.config}` : ''}: median ${median.toFixed(1)} ms, min ${min.toFixed(1)} ms (${row.summary.runs.length} runs)${throughput}`);
}

const tokensPerSecond = (config: BenchConfig, ms: number) => (config.batchSize * config.length) / (ms / 1000);

async function measureEngine(backend: 'wasm' | 'wasm-xnnpack' | 'cpu', round: number): Promise<void> {
  const engine: Engine = backend === 'wasm' ? 'tfjs-wasm' : backend === 'wasm-xnnpack' ? 'tfjs-wasm-xnnpack' : 'tfjs-cpu';
  const info = await initializeBackend({
    backend: backend === 'cpu' ? 'cpu' : 'wasm',
    ...(backend === 'wasm-xnnpack' ? { nativeKernels: false } : {}),
    ...(threads !== undefined ? { threads } : {}),
    log: () => {},
  });
  backendLines[engine] = info.description;
  const cpu = backend === 'cpu';
  const engineReps = cpu ? Math.min(reps, 3) : reps;
  const engineWarmup = cpu ? Math.min(warmup, 1) : warmup;
  const budgetMs = cpu ? CPU_BUDGET_MS : undefined;

  if (!args.quick) {
    const [a, b] = [tf.randomNormal([1024, 1024]) as tf.Tensor2D, tf.randomNormal([1024, 1024]) as tf.Tensor2D];
    const summary = await measure(() => matMulOnce(a, b), { warmup: Math.max(1, engineWarmup), reps: Math.max(engineReps, 5), ...(budgetMs ? { budgetMs } : {}) });
    tf.dispose([a, b]);
    record({ engine, bench: 'matmul1024', summary, throughput: (2 * 1024 ** 3) / (summary.median / 1000) / 1e9 });
  }

  for (const config of configs) {
    if (cpu && config.name === 'base') {
      if (round === 0) notes.push('tfjs cpu: `base` skipped (a training step takes ~5 minutes there).');
      continue;
    }
    const workload = createTrainingWorkload(config);
    try {
      const train = await measure(() => workload.step(), { warmup: engineWarmup, reps: engineReps, ...(budgetMs ? { budgetMs } : {}) });
      record({ engine, bench: 'train', config: config.name, summary: train, throughput: tokensPerSecond(config, train.median) });
      const forward = await measure(() => workload.forward(), { warmup: engineWarmup, reps: engineReps, ...(budgetMs ? { budgetMs } : {}) });
      record({ engine, bench: 'fwd', config: config.name, summary: forward, throughput: tokensPerSecond(config, forward.median) });
      if (args.profile && !cpu && round === 0) {
        const key = engine === 'tfjs-wasm' ? config.name : `${config.name} (${engine})`;
        profiles[key] = await profileKernels(() => void workload.step());
        const top = profiles[key]!.kernels.slice(0, 8).map((k) => `${k.kernel} ${(k.share * 100).toFixed(0)}%`);
        console.log(`[bench] ${engine} kernel time of one ${config.name} step: ${profiles[key]!.totalMs.toFixed(0)} ms — ${top.join(', ')}`);
      }
    } finally {
      workload.dispose();
    }
    if (config.name === 'sudoku' || config.name === 'tiny') {
      if (cpu) {
        if (round === 0) notes.push('tfjs cpu: generation skipped (83 forward passes of ~12 s each).');
        continue;
      }
      const times: number[] = [];
      // A generation is already `length` forward passes: fewer runs.
      for (let i = 0; i < Math.max(1, Math.floor(engineReps / 3)); i++) times.push((await generateOnce(config, i)).ms);
      const summary = summarize(times);
      record({ engine, bench: 'generate', config: config.name, summary, throughput: tokensPerSecond(config, summary.median) });
    }
  }
}

function measureCollator(): void {
  const rowsToCollate = sudokuRows(512, createRandom(5));
  const times: number[] = [];
  collateAll(rowsToCollate, 64);
  for (let i = 0; i < Math.max(reps, 5); i++) {
    const start = performance.now();
    collateAll(rowsToCollate, 64, i);
    times.push(performance.now() - start);
  }
  const summary = summarize(times);
  record({ engine: 'tfjs-wasm', bench: 'collate', summary, throughput: 512 / (summary.median / 1000), note: '(pure JS, any backend)' });
}

async function longRun(configName: string, steps: number): Promise<LongRunReport> {
  const config = benchConfig(configName);
  await initializeBackend({ backend: 'wasm', ...(threads !== undefined ? { threads } : {}), log: () => {} });
  const workload = createTrainingWorkload(config);
  const samples: SoakSample[] = [];
  const every = Math.max(1, Math.floor(steps / 50));
  try {
    for (let step = 1; step <= steps; step++) {
      workload.step();
      if (step % every === 0 || step === 1) {
        (globalThis as { gc?: () => void }).gc?.(); // retained memory, not garbage V8 has not collected yet
        const sample = { step, ...readMemory() };
        samples.push(sample);
        if (step % (every * 10) === 0) console.log(`[bench] long run: step ${step}/${steps}, ${sample.tensors} tensors, RSS ${mebibytes(sample.rss)} MiB (wasm memory touched: ${sample.wasmResident === null ? '?' : mebibytes(sample.wasmResident)} of ${mebibytes(sample.wasmHeap ?? 0)} MiB)`);
      }
    }
  } finally {
    workload.dispose();
  }
  // RSS also counts the wasm memory's pages as the allocator first touches them, which goes on for
  // thousands of steps on a large heap but is bounded by the heap's size; judged is everything else.
  const judge = samples.every((sample) => sample.wasmResident !== null) ? 'rss-outside-wasm' : 'rss';
  const verdict = memoryVerdict(`long run (${configName})`, samples, steps, { judge });
  const settled = samples.filter((sample) => sample.step >= verdict.settledFrom);
  return {
    config: configName,
    steps,
    samples: samples.map((sample) => [sample.step, sample.tensors, mebibytes(sample.rss), sample.wasmHeap === null ? null : mebibytes(sample.wasmHeap), sample.wasmResident === null ? null : mebibytes(sample.wasmResident)]),
    tensorsGrowth: verdict.tensorsMax - verdict.tensorsMin,
    rssGrowthMiB: mebibytes(settled[settled.length - 1]!.rss - settled[0]!.rss),
    rssSlopeBytesPerStep: Math.round(verdict.rssSlope),
    rssOutsideWasmSlopeBytesPerStep: verdict.rssOutsideWasmSlope === null ? null : Math.round(verdict.rssOutsideWasmSlope),
    outsideWasmChangeMiB: verdict.outsideWasmChange === null ? null : (Object.fromEntries(Object.entries(verdict.outsideWasmChange).map(([key, bytes]) => [key, Math.round((bytes / 2 ** 20) * 100) / 100])) as NonNullable<LongRunReport['outsideWasmChangeMiB']>),
    verdict: verdict.verdict,
  };
}

/** `--soak`: the soak check alone (its own run folder under the output folder), with a verdict line per phase. */
async function soak(): Promise<void> {
  const trainSteps = integerOption('soak-train-steps', args['soak-train-steps'], 20000, 20);
  const generateSteps = integerOption('soak-generate-steps', args['soak-generate-steps'], 10000, 32);
  const every = integerOption('soak-every', args['soak-every'], 100, 1);
  if (!(globalThis as { gc?: unknown }).gc) console.log('[bench] soak: no global gc (run node with --expose-gc, as `pnpm bench` does); samples include uncollected garbage');
  const outDirectory = path.resolve(args.out ?? path.join(benchRoot, 'results'));
  const runDir = path.join(outDirectory, 'soak-run');
  console.log(`[bench] soak: mlm train of a small model for ${trainSteps} steps (validation, checkpoints, EMA, metrics), then ${generateSteps} generation steps; run folder ${path.relative(repositoryRoot, runDir)}`);
  const { train, generate } = await runSoak({ trainSteps, generateSteps, sampleEvery: every, runDir, backend: 'wasm', threads, log: (line) => console.log(line) });
  const date = new Date().toISOString().slice(0, 10);
  fs.mkdirSync(outDirectory, { recursive: true });
  let base = path.join(outDirectory, `${date}-soak`);
  for (let n = 2; fs.existsSync(`${base}.json`); n++) base = path.join(outDirectory, `${date}-soak-${n}`);
  writeFileDurablySync(`${base}.json`, `${JSON.stringify({ date, machine, backend: getBackendInfo()?.description, train, generate }, null, 2)}\n`);
  console.log(`[bench] soak ${train.verdict}`);
  console.log(`[bench] soak ${generate.verdict}`);
  console.log(`[bench] soak verdict: ${train.flat && generate.flat ? 'flat' : 'NOT flat'} (wrote ${path.relative(repositoryRoot, base)}.json)`);
  shutdownBackend();
  if (!(train.flat && generate.flat)) process.exitCode = 1;
}

async function main(): Promise<void> {
  const torch = args.torch && (await torchAvailable());
  if (args.torch && !torch) {
    notes.push('PyTorch: not measured (python3-torch is not installed: `apt-get install -y python3-torch libopenblas0-openmp`).');
    console.log('[bench] --torch: python3-torch is not installed for /usr/bin/python3; skipping PyTorch');
  }
  const torchRows: TorchResult[][] = [];
  for (let round = 0; round < rounds; round++) {
    currentRound = round;
    if (rounds > 1) console.log(`[bench] round ${round + 1}/${rounds}`);
    for (const backend of backends) {
      if (backend === 'cpu' && round > 0) continue; // cpu numbers do not need interleaving
      await measureEngine(backend as 'wasm' | 'wasm-xnnpack' | 'cpu', round);
    }
    if (round === 0 && !longOnly) measureCollator();
    if (torch) {
      const torchConfigs = configs.map((config) => config.name).filter((name) => name !== 'tiny');
      const torchThreads = threads ?? machine.cores;
      console.log(`[bench] PyTorch (${torchThreads} threads): ${torchConfigs.join(', ')}`);
      const results = await runTorchReference({ script: torchScript, threads: torchThreads, reps, warmup: Math.max(warmup, 1), configs: torchConfigs, what: ['matmul', 'train', 'fwd'] });
      torchRows.push(results);
      for (const result of results) console.log(`[bench] torch ${result.bench}${result.config ? ` ${result.config}` : ''}: median ${result.ms.toFixed(1)} ms, min ${result.min.toFixed(1)} ms`);
    }
  }

  // Torch rows, per round.
  torchRows.forEach((results, round) => {
    for (const result of results) {
      const bench = result.bench === 'matmul1024' ? 'matmul1024' : (result.bench as 'train' | 'fwd');
      rows.push({ engine: 'torch', bench, config: result.config || undefined, round, summary: summarize(result.runs) });
    }
    const forward = results.find((result) => result.bench === 'fwd' && result.config === 'sudoku');
    if (forward && rows.some((row) => row.bench === 'generate' && row.config === 'sudoku')) {
      const length = benchConfig('sudoku').length;
      rows.push({ engine: 'torch', bench: 'generate', config: 'sudoku', round, summary: summarize(forward.runs.map((ms) => ms * length)), note: '(est.: 83 × forward)' });
    }
  });
  if (torchRows.length) {
    const first = torchRows.flat()[0];
    backendLines.torch = `${first?.engine ?? 'torch'}, ${first?.threads ?? '?'} threads, OpenBLAS-openmp`;
    if (rows.some((row) => row.engine === 'torch' && row.bench === 'generate')) {
      notes.push('PyTorch generation is estimated as 83 × its forward pass (torch_ref.py has no generation; sampling not counted, so the estimate favours PyTorch).');
    }
    notes.push('PyTorch `sudoku` uses vocabulary 20 (torch_ref.py), tfjs 17 (the sudoku tokenizer); the output layer is <1% of the step.');
  }
  // One row per (engine, bench, config): the least-disturbed round, with every round's median kept.
  const selected = quietestRounds(rows);
  for (const row of selected) {
    if (row.bench === 'matmul1024') row.throughput = (2 * 1024 ** 3) / (row.summary.median / 1000) / 1e9;
    else if (row.bench === 'collate') row.throughput = 512 / (row.summary.median / 1000);
    else if (row.config) row.throughput = tokensPerSecond(benchConfig(row.config), row.summary.median);
  }

  let long: LongRunReport | undefined;
  if (args.long || longOnly) {
    console.log(`[bench] long run: ${longSteps} training steps of ${args['long-config']}`);
    long = await longRun(args['long-config'], longSteps);
    console.log(`[bench] ${long.verdict}`);
  }

  notes.push(`${configs.map((c) => `\`${c.name}\`: ${(parameterCount(c) / 1e6).toFixed(2)}M parameters, batch ${c.batchSize} × ${c.length}`).join('; ')}.`);
  notes.push(
    `${reps} timed runs after ${warmup} warm-up runs per measurement${rounds > 1 ? `, ${rounds} rounds interleaved with PyTorch; each cell is the round with the lowest median (all rounds' medians are in the JSON)` : ''}; medians and minimums (other processes on the machine slow runs down, never speed them up).`,
  );

  const date = new Date().toISOString().slice(0, 10);
  const results: BenchResults & { profiles?: typeof profiles } = { date, machine, backends: backendLines, rows: selected, peakRssMiB: peakRssMiB(), long, notes };
  if (Object.keys(profiles).length) results.profiles = profiles;
  if (selected.length) console.log(`\n${markdownTable(results)}\n`);
  const outDirectory = path.resolve(args.out ?? path.join(benchRoot, 'results'));
  fs.mkdirSync(outDirectory, { recursive: true });
  let base = path.join(outDirectory, date);
  for (let n = 2; fs.existsSync(`${base}.json`); n++) base = path.join(outDirectory, `${date}-${n}`);
  writeFileDurablySync(`${base}.json`, `${JSON.stringify(results, null, 2)}\n`);
  writeFileDurablySync(`${base}.md`, `${readmeSection(results)}\n`);
  console.log(`[bench] wrote ${path.relative(repositoryRoot, base)}.json and .md`);
  if (args['update-readme']) {
    const readmePath = path.join(benchRoot, 'README.md');
    writeFileDurablySync(readmePath, replaceReadmeSection(fs.readFileSync(readmePath, 'utf8'), readmeSection(results), readmePath));
    console.log(`[bench] updated ${path.relative(repositoryRoot, readmePath)}`);
  }
  shutdownBackend();
}

await (args.soak ? soak() : main());
