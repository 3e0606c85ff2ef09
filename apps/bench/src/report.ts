import type { MachineInfo } from './machine.js';
import { ratio, type SampleSummary } from './statistics.js';

/** tfjs-wasm: the wasm backend as users get it (native BLAS products where the addon loads); tfjs-wasm-xnnpack: the same with `nativeKernels: false`. */
export type Engine = 'tfjs-wasm' | 'tfjs-wasm-xnnpack' | 'tfjs-cpu' | 'torch';
export type BenchName = 'matmul1024' | 'train' | 'fwd' | 'generate' | 'collate';

export interface BenchRow {
  engine: Engine;
  /** The interleaved round it was measured in (0-based). */
  round?: number | undefined;
  /** After `quietestRounds`: every round's median, in round order. */
  roundMedians?: number[] | undefined;
  bench: BenchName;
  config?: string | undefined;
  summary: SampleSummary;
  /** Throughput at the median: tokens/s (train, fwd, generate), rows/s (collate) or GFLOP/s (matmul). */
  throughput?: number | undefined;
  note?: string | undefined;
}

export interface LongRunReport {
  config: string;
  steps: number;
  /** [step, numTensors, rssMiB, wasm memory MiB, wasm memory touched MiB] samples (null: not known). */
  samples: Array<[number, number, number, number | null, number | null]>;
  tensorsGrowth: number;
  /** RSS growth between the first and the last sample after warm-up. */
  rssGrowthMiB: number;
  /** Least-squares slopes after warm-up, bytes per step: RSS, and RSS minus the wasm memory's touched pages. */
  rssSlopeBytesPerStep?: number | undefined;
  rssOutsideWasmSlopeBytesPerStep?: number | null | undefined;
  /** How RSS outside the wasm memory changed over the settled window, by where it lies, in MiB (null: not known). */
  outsideWasmChangeMiB?: { total: number; jitCode: number; v8Heap: number; files: number; rest: number } | null | undefined;
  verdict: string;
}

export interface BenchResults {
  date: string;
  machine: MachineInfo;
  /** The backend lines logged by @mlm/backend, per engine. */
  backends: Partial<Record<Engine, string>>;
  rows: BenchRow[];
  peakRssMiB: number;
  long?: LongRunReport | undefined;
  notes: string[];
}

const BENCH_LABELS: Record<BenchName, string> = {
  matmul1024: 'matmul 1024³',
  train: 'training step',
  fwd: 'forward pass',
  generate: 'generation (one step per position)',
  collate: 'collate 512 rows',
};

const UNITS: Record<BenchName, string> = {
  matmul1024: 'GFLOP/s',
  train: 'tokens/s',
  fwd: 'tokens/s',
  generate: 'tokens/s',
  collate: 'rows/s',
};

function formatMs(ms: number): string {
  if (ms >= 100) return Math.round(ms).toLocaleString('en-US');
  if (ms >= 10) return ms.toFixed(1);
  return ms.toFixed(2);
}

function formatThroughput(value: number | undefined): string {
  if (value === undefined) return '';
  if (value >= 100) return Math.round(value).toLocaleString('en-US');
  return value.toFixed(1);
}

function cell(row: BenchRow | undefined): string {
  if (!row) return '–';
  const { median, min } = row.summary;
  const throughput = row.throughput === undefined ? '' : ` · ${formatThroughput(row.throughput)} ${UNITS[row.bench]}`;
  return `${formatMs(median)} ms (min ${formatMs(min)})${throughput}${row.note ? ` ${row.note}` : ''}`;
}

/** The results as a markdown table: one line per benchmark, one column per engine, and wasm / PyTorch. */
export function markdownTable(results: BenchResults): string {
  const keys: Array<{ bench: BenchName; config?: string | undefined }> = [];
  for (const row of results.rows) {
    if (!keys.some((key) => key.bench === row.bench && key.config === row.config)) keys.push({ bench: row.bench, config: row.config });
  }
  const find = (engine: Engine, bench: BenchName, config?: string) =>
    results.rows.find((row) => row.engine === engine && row.bench === bench && row.config === config);
  // The XNNPACK-only column appears when it was measured (`--backends wasm,wasm-xnnpack`).
  const xnnpack = results.rows.some((row) => row.engine === 'tfjs-wasm-xnnpack');
  const lines = [
    `| benchmark | tfjs wasm |${xnnpack ? ' tfjs wasm, XNNPACK only |' : ''} tfjs cpu | PyTorch | wasm ÷ PyTorch |`,
    `|---|---|${xnnpack ? '---|' : ''}---|---|---|`,
  ];
  for (const { bench, config } of keys) {
    const wasm = find('tfjs-wasm', bench, config);
    const torch = find('torch', bench, config);
    const times = ratio(wasm?.summary.median, torch?.summary.median);
    const xnnpackCell = xnnpack ? ` ${cell(find('tfjs-wasm-xnnpack', bench, config))} |` : '';
    lines.push(
      `| ${BENCH_LABELS[bench]}${config ? ` \`${config}\`` : ''} | ${cell(wasm)} |${xnnpackCell} ${cell(find('tfjs-cpu', bench, config))} | ${cell(torch)} | ${times === undefined ? '–' : `${times.toFixed(2)}×`} |`,
    );
  }
  return lines.join('\n');
}

/** The section that `--update-readme` writes: the table, the machine, the backend lines, the notes. */
export function readmeSection(results: BenchResults): string {
  const { machine } = results;
  const parts = [
    `Measured ${results.date} on ${machine.cpuModel} (${machine.cores} cores${machine.simdFlags.length ? `, ${machine.simdFlags.join(' ')}` : ''}, ${machine.totalMemoryGiB} GiB), Node ${machine.node}, load average ${machine.loadAverage} at the start.`,
    ...(Object.keys(results.backends).length ? ['', ...Object.entries(results.backends).map(([engine, line]) => `- ${engine}: \`${line}\``)] : []),
    // A long run alone (`--long-only`) measured no benchmark: no empty table.
    ...(results.rows.length ? ['', markdownTable(results)] : []),
    '',
    `Peak RSS of the bench process: ${results.peakRssMiB} MiB.`,
  ];
  if (results.long) {
    const long = results.long;
    parts.push('', `Long run (\`${long.config}\`, ${long.steps} steps): ${long.verdict}.`);
  }
  if (results.notes.length) parts.push('', ...results.notes.map((note) => `- ${note}`));
  return parts.join('\n');
}

export const README_START = '<!-- bench:results:start -->';
export const README_END = '<!-- bench:results:end -->';

/** Replaces the text between the README markers; an error names the file and the missing marker. */
export function replaceReadmeSection(readme: string, section: string, file = 'README.md'): string {
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END);
  if (start === -1 || end === -1 || end < start) {
    throw new Error(`${file}: expected the markers ${README_START} and ${README_END} (in that order) around the results section`);
  }
  return `${readme.slice(0, start + README_START.length)}\n${section}\n${readme.slice(end)}`;
}

/**
 * One row per (engine, benchmark, config): the round with the lowest median. Other work on the machine
 * only ever slows a round down, and it can change between rounds (PyTorch's OpenMP threads collapse
 * when the cores are oversubscribed), so the least-disturbed round of each engine is the fairest
 * figure; every round's median is kept in `roundMedians`.
 */
export function quietestRounds(rows: readonly BenchRow[]): BenchRow[] {
  const groups = new Map<string, BenchRow[]>();
  for (const row of rows) {
    const key = `${row.engine}|${row.bench}|${row.config ?? ''}`;
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  return [...groups.values()].map((group) => {
    const ordered = [...group].sort((a, b) => (a.round ?? 0) - (b.round ?? 0));
    const best = ordered.reduce((winner, row) => (row.summary.median < winner.summary.median ? row : winner));
    return { ...best, roundMedians: ordered.map((row) => row.summary.median) };
  });
}
