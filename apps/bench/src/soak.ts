import * as tf from '@tensorflow/tfjs-core';
import { createMLMPredictor, createUnconditionalBatch } from '@mlm/predictor';
import { createNamedRandom } from '@mlm/random';
import { instantiateRun, loadModelFromFolder, locateModelFolder, trainCommand } from '@mlm/trainer';
import { mebibytes, readMemory, type MemoryReading } from './process-memory.js';
import { leastSquaresSlope } from './statistics.js';

/** Flat: after warm-up, RSS grows by at most this many bytes per step (least-squares slope)… */
export const SOAK_MAX_RSS_SLOPE = 1024;
/** …over the samples after this fraction of the phase's steps. */
export const SOAK_WARMUP_FRACTION = 0.1;

export interface SoakSample extends MemoryReading {
  step: number;
}

export interface MemoryVerdict {
  phase: string;
  steps: number;
  /** The first step that counts (after warm-up). */
  settledFrom: number;
  /** Least-squares slope of RSS over the settled samples, bytes per step. */
  rssSlope: number;
  /** The same for RSS minus the wasm memory's touched pages (null without /proc/self/smaps). */
  rssOutsideWasmSlope: number | null;
  /** The same for the JS heap (heapUsed; after a full GC when gc is exposed). */
  heapUsedSlope: number;
  tensorsMin: number;
  tensorsMax: number;
  /** The wasm memory's size at the first and last settled sample (null: not wasm). */
  wasmHeapFirst: number | null;
  wasmHeapLast: number | null;
  /**
   * How RSS outside the wasm memory changed between the first and the last settled sample, and where
   * (null without /proc/self/smaps or off the wasm backend): code compiled at run time, V8's heap pages,
   * pages of mapped files, and the rest (native allocations, thread stacks), in bytes.
   */
  outsideWasmChange: OutsideWasmChange | null;
  flat: boolean;
  verdict: string;
  samples: SoakSample[];
}

export interface OutsideWasmChange {
  total: number;
  jitCode: number;
  v8Heap: number;
  files: number;
  rest: number;
}

/** The change of RSS outside the wasm memory from `first` to `last`, by where it lies (null: not known). */
export function outsideWasmChange(first: SoakSample, last: SoakSample): OutsideWasmChange | null {
  const parts = [first, last].map((sample) =>
    sample.wasmResident === null || sample.jitCodeResident === null || sample.fileResident === null
      ? null
      : { outside: sample.rss - sample.wasmResident, jitCode: sample.jitCodeResident, v8Heap: sample.v8HeapPhysical, files: sample.fileResident },
  );
  const [before, after] = parts;
  if (!before || !after) return null;
  const total = after.outside - before.outside;
  const jitCode = after.jitCode - before.jitCode;
  const v8Heap = after.v8Heap - before.v8Heap;
  const files = after.files - before.files;
  return { total, jitCode, v8Heap, files, rest: total - jitCode - v8Heap - files };
}

/**
 * Whether memory stays flat after the first `SOAK_WARMUP_FRACTION` of `steps`: the tensor count and the
 * wasm memory's size never change, and the least-squares slope of the judged series stays at or below
 * `maxSlope` bytes per step. `judge: 'rss'` judges RSS itself (the soak check); `'rss-outside-wasm'`
 * judges RSS minus the wasm memory's touched pages (the long run of a large model, whose wasm memory
 * is still being touched for the first time after 1,000 steps: that growth is bounded by the
 * memory's constant size, and reported beside the verdict).
 */
export function memoryVerdict(
  phase: string,
  samples: readonly SoakSample[],
  steps: number,
  options: { judge?: 'rss' | 'rss-outside-wasm'; maxSlope?: number } = {},
): MemoryVerdict {
  const judge = options.judge ?? 'rss';
  const maxSlope = options.maxSlope ?? SOAK_MAX_RSS_SLOPE;
  const settledFrom = Math.floor(steps * SOAK_WARMUP_FRACTION);
  const settled = samples.filter((sample) => sample.step >= settledFrom);
  if (settled.length < 3) throw new Error(`${phase}: ${settled.length} samples after warm-up (step ${settledFrom}); expected at least 3 — take more steps or sample more often`);
  const x = settled.map((sample) => sample.step);
  const rssSlope = leastSquaresSlope(x, settled.map((sample) => sample.rss));
  const heapUsedSlope = leastSquaresSlope(x, settled.map((sample) => sample.heapUsed));
  const outside = settled.every((sample) => sample.wasmResident !== null)
    ? leastSquaresSlope(x, settled.map((sample) => sample.rss - sample.wasmResident!))
    : null;
  if (judge === 'rss-outside-wasm' && outside === null) throw new Error(`${phase}: judging RSS outside the wasm memory needs /proc/self/smaps and the wasm backend`);
  const tensors = settled.map((sample) => sample.tensors);
  const tensorsMin = Math.min(...tensors);
  const tensorsMax = Math.max(...tensors);
  const first = settled[0]!;
  const last = settled[settled.length - 1]!;
  const wasmConstant = settled.every((sample) => sample.wasmHeap === first.wasmHeap);
  const change = outsideWasmChange(first, last);
  const judged = judge === 'rss' ? rssSlope : outside!;
  const flat = judged <= maxSlope && tensorsMin === tensorsMax && wasmConstant;
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(2)} KB/step`;
  const signedMiB = (bytes: number) => `${bytes < 0 ? '−' : '+'}${Math.abs(bytes / 2 ** 20).toFixed(2)} MiB`;
  const breakdown =
    change === null
      ? ''
      : `; RSS outside the wasm memory ${signedMiB(change.total)} over the window: JIT code ${signedMiB(change.jitCode)}, V8 heap ${signedMiB(change.v8Heap)}, ` +
        `mapped files ${signedMiB(change.files)}, the rest (native allocations, stacks) ${signedMiB(change.rest)}`;
  const wasm =
    first.wasmHeap === null
      ? ''
      : `, wasm memory ${wasmConstant ? `constant at ${mebibytes(first.wasmHeap)} MiB` : `${mebibytes(first.wasmHeap)} → ${mebibytes(last.wasmHeap!)} MiB`}` +
        (first.wasmResident !== null && last.wasmResident !== null ? ` (touched ${mebibytes(first.wasmResident)} → ${mebibytes(last.wasmResident)} MiB)` : '');
  const verdict =
    `${phase}: ${flat ? 'flat' : 'NOT flat'} over steps ${first.step}–${last.step} — ` +
    `RSS ${kb(rssSlope)} (${mebibytes(first.rss)} → ${mebibytes(last.rss)} MiB)${judge === 'rss' ? ` [limit ${kb(maxSlope)}]` : ''}, ` +
    `${outside === null ? '' : `RSS outside the wasm memory ${kb(outside)}${judge === 'rss-outside-wasm' ? ` [limit ${kb(maxSlope)}]` : ''}, `}` +
    `JS heap ${kb(heapUsedSlope)}, tensors ${tensorsMin === tensorsMax ? `constant at ${tensorsMin}` : `${tensorsMin}–${tensorsMax}`}${wasm}${breakdown}`;
  return {
    phase,
    steps,
    settledFrom,
    rssSlope,
    rssOutsideWasmSlope: outside,
    heapUsedSlope,
    tensorsMin,
    tensorsMax,
    wasmHeapFirst: first.wasmHeap,
    wasmHeapLast: last.wasmHeap,
    outsideWasmChange: change,
    flat,
    verdict,
    samples: [...samples],
  };
}

export interface SoakOptions {
  trainSteps: number;
  generateSteps: number;
  /** Steps between samples (the trainer's steps; generation: one sample per predict call). */
  sampleEvery: number;
  runDir: string;
  backend: string;
  threads?: number | undefined;
  log: (line: string) => void;
}

/**
 * The small model the soak trains: a character model on the sonnets corpus shipped with the trainer,
 * with validation (and samples), checkpoints, EMA and metrics logging on, as a real run has them.
 */
export function soakOverrides(options: Pick<SoakOptions, 'trainSteps' | 'backend'>): string[] {
  const every = Math.max(1, Math.min(1000, Math.floor(options.trainSteps / 10)));
  return [
    `backend=${options.backend}`,
    'task.blockSize=32',
    'model.dModel=32',
    'model.nhead=2',
    'model.numLayers=2',
    'model.dropout=0.1',
    'training.batchSize=8',
    `training.maxSteps=${options.trainSteps}`,
    'training.logEvery=50',
    `training.checkpointEvery=${every}`,
    'training.ema.decay=0.99',
    `validation.every=${every}`,
    'validation.maxExamples=16',
    'validation.batchSize=16',
    'validation.numSamples=2',
    'predictor.maxSteps=32',
    'logging.progress=none',
  ];
}

/**
 * `mlm train` of a small model for `trainSteps` steps (through the CLI's own `trainCommand`), then
 * `generateSteps` generation steps with the trained model (32-position rows, one position unmasked
 * per step), sampling memory every `sampleEvery` steps after a full garbage collection when `gc` is
 * available (`node --expose-gc`), so that a slope is retained memory, not uncollected garbage.
 */
export async function runSoak(options: SoakOptions): Promise<{ train: MemoryVerdict; generate: MemoryVerdict }> {
  const gc = (globalThis as { gc?: () => void }).gc;
  const read = (step: number): SoakSample => {
    gc?.();
    return { step, ...readMemory() };
  };
  if (options.threads !== undefined) process.env.MLM_WASM_THREADS = String(options.threads);
  const io = { out: () => {}, err: options.log, progressStream: process.stderr };
  const trainSamples: SoakSample[] = [];
  const started = performance.now();
  const result = await trainCommand({
    preset: 'text-char',
    overrides: soakOverrides(options),
    runDir: options.runDir,
    overwrite: true,
    io,
    handleSignals: false,
    onStep: (step) => {
      if (step % options.sampleEvery !== 0 && step !== 1) return;
      const sample = read(step);
      trainSamples.push(sample);
      if (step % (options.sampleEvery * 10) === 0) {
        const perStep = (performance.now() - started) / step;
        options.log(`[soak] train step ${step}/${options.trainSteps}: ${sample.tensors} tensors, RSS ${mebibytes(sample.rss)} MiB, JS heap ${mebibytes(sample.heapUsed)} MiB (${perStep.toFixed(0)} ms/step)`);
      }
    },
  });
  if (result.status !== 'completed') throw new Error(`soak: the training run ended with status ${result.status} at step ${result.step}`);
  const train = memoryVerdict('train', trainSamples, options.trainSteps);

  // Generation with the trained weights (EMA) and the run's tokenizer.
  const components = await instantiateRun(result.prepared, result.registry);
  components.model.dispose();
  const model = await loadModelFromFolder(locateModelFolder(options.runDir), { useEma: true });
  const generateSamples: SoakSample[] = [];
  try {
    const length = 32;
    const predictor = createMLMPredictor({ model, tokenizer: components.tokenizer, random: createNamedRandom(1, 'soak/generate'), maxSteps: length, topP: 0.9 });
    let steps = 0;
    let calls = 0;
    const baseline = tf.memory().numTensors;
    while (steps < options.generateSteps) {
      const prediction = await predictor.predict(createUnconditionalBatch({ batchSize: 4, length, maskTokenId: components.tokenizer.maskTokenId }));
      steps += Math.max(...prediction.stepsTaken);
      calls++;
      if (tf.memory().numTensors !== baseline) throw new Error(`soak generate: ${tf.memory().numTensors - baseline} tensors left after predict call ${calls}`);
      if (calls % Math.max(1, Math.round(options.sampleEvery / length)) === 0 || calls === 1) {
        const sample = read(steps);
        generateSamples.push(sample);
        if (calls % 50 === 0) options.log(`[soak] generation step ${steps}/${options.generateSteps}: ${sample.tensors} tensors, RSS ${mebibytes(sample.rss)} MiB`);
      }
    }
    return { train, generate: memoryVerdict('generate', generateSamples, steps) };
  } finally {
    model.dispose();
  }
}
