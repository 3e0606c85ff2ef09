import { describe, expect, it } from 'vitest';
import { markdownTable, quietestRounds, readmeSection, replaceReadmeSection, README_END, README_START, type BenchResults } from './report.js';
import { summarize } from './statistics.js';

const results: BenchResults = {
  date: '2026-01-01',
  machine: { cpuModel: 'Test CPU', cores: 2, simdFlags: ['avx2'], totalMemoryGiB: 8, node: 'v20.0.0', platform: 'linux x64', loadAverage: 0.5 },
  backends: { 'tfjs-wasm': '[mlm] tensor backend: wasm (SIMD, 2 threads)' },
  rows: [
    { engine: 'tfjs-wasm', bench: 'train', config: 'base', summary: summarize([3000, 2900, 3100]), throughput: 1365 },
    { engine: 'torch', bench: 'train', config: 'base', summary: summarize([1000]) },
    { engine: 'tfjs-cpu', bench: 'matmul1024', summary: summarize([2400]), throughput: 0.9 },
  ],
  peakRssMiB: 512,
  notes: ['shared machine'],
};

describe('report', () => {
  it('puts each engine in its column and the wasm / PyTorch ratio last', () => {
    const table = markdownTable(results);
    expect(table.split('\n')).toHaveLength(4);
    expect(table).toContain('| training step `base` | 3,000 ms (min 2,900) · 1,365 tokens/s | – | 1,000 ms (min 1,000) | 3.00× |');
    expect(table).toContain('| matmul 1024³ | – | 2,400 ms (min 2,400) · 0.9 GFLOP/s | – | – |');
  });

  it('writes the machine and the backend line into the README section', () => {
    const section = readmeSection(results);
    expect(section).toContain('Test CPU (2 cores, avx2, 8 GiB), Node v20.0.0');
    expect(section).toContain('`[mlm] tensor backend: wasm (SIMD, 2 threads)`');
    expect(section).toContain('- shared machine');
  });

  it('leaves the table out when no benchmark was measured (a long run alone)', () => {
    const long = { config: 'sudoku', steps: 1000, samples: [], tensorsGrowth: 0, rssGrowthMiB: 0, verdict: 'long run (sudoku): flat' };
    const section = readmeSection({ ...results, backends: {}, rows: [], long });
    expect(section).not.toContain('| benchmark |');
    expect(section).toContain('Long run (`sudoku`, 1000 steps): long run (sudoku): flat.');
    expect(readmeSection(results)).toContain('| benchmark |');
  });

  it('replaces only the marked section and names missing markers', () => {
    const readme = `# Bench\nintro\n${README_START}\nold\n${README_END}\nanalysis\n`;
    const updated = replaceReadmeSection(readme, 'new table');
    expect(updated).toBe(`# Bench\nintro\n${README_START}\nnew table\n${README_END}\nanalysis\n`);
    expect(() => replaceReadmeSection('# no markers', 'x', 'apps/bench/README.md')).toThrow(
      `apps/bench/README.md: expected the markers ${README_START} and ${README_END}`,
    );
  });
});

describe('quietestRounds', () => {
  it('keeps the round with the lowest median per engine and benchmark, and every round\'s median', () => {
    const rows = quietestRounds([
      { engine: 'torch', bench: 'train', config: 'base', round: 0, summary: summarize([10_000, 12_000]) },
      { engine: 'tfjs-wasm', bench: 'train', config: 'base', round: 0, summary: summarize([3000]) },
      { engine: 'torch', bench: 'train', config: 'base', round: 1, summary: summarize([740, 760]) },
      { engine: 'tfjs-wasm', bench: 'train', config: 'base', round: 1, summary: summarize([3100]) },
    ]);
    expect(rows).toHaveLength(2);
    expect(rows.find((row) => row.engine === 'torch')).toMatchObject({ round: 1, roundMedians: [11_000, 750] });
    expect(rows.find((row) => row.engine === 'tfjs-wasm')).toMatchObject({ round: 0, roundMedians: [3000, 3100] });
  });
});
