import { describe, expect, it } from 'vitest';
import { wasmResidentBytes } from './process-memory.js';
import { memoryVerdict, type SoakSample } from './soak.js';

const MiB = 2 ** 20;

function samples(steps: number, every: number, at: (step: number) => Partial<SoakSample>): SoakSample[] {
  const result: SoakSample[] = [];
  for (let step = every; step <= steps; step += every) {
    result.push({ step, tensors: 80, rss: 500 * MiB, heapUsed: 50 * MiB, heapTotal: 60 * MiB, external: 0, arrayBuffers: 0, wasmHeap: 600 * MiB, wasmResident: 400 * MiB, ...at(step) });
  }
  return result;
}

describe('memoryVerdict', () => {
  it('flat: a GC sawtooth around a constant level, constant tensors and wasm memory', () => {
    const verdict = memoryVerdict('train', samples(1000, 20, (step) => ({ rss: (500 + ((step / 20) % 2 ? 2 : -2)) * MiB })), 1000);
    expect(verdict.flat).toBe(true);
    expect(Math.abs(verdict.rssSlope)).toBeLessThan(1024);
    expect(verdict.verdict).toMatch(/^train: flat over steps 100–1000 — RSS -?0\.\d\d KB\/step/);
    expect(verdict.verdict).toContain('tensors constant at 80');
  });

  it('not flat: RSS growing 70 KB per step (the issue), or a tensor more, or the wasm memory growing', () => {
    const growing = memoryVerdict('train', samples(1000, 20, (step) => ({ rss: 500 * MiB + step * 70 * 1024 })), 1000);
    expect(growing.flat).toBe(false);
    expect(growing.rssSlope).toBeCloseTo(70 * 1024, 6);
    expect(growing.verdict).toContain('NOT flat');
    expect(memoryVerdict('train', samples(1000, 20, (step) => ({ tensors: step === 600 ? 81 : 80 })), 1000).flat).toBe(false);
    expect(memoryVerdict('train', samples(1000, 20, (step) => ({ wasmHeap: (step < 500 ? 600 : 700) * MiB })), 1000).flat).toBe(false);
  });

  it('judging RSS outside the wasm memory: first touches of a constant wasm memory are reported, not judged', () => {
    // RSS grows exactly as the wasm memory's touched pages do (bounded by its 600 MiB).
    const touching = samples(1000, 20, (step) => ({ rss: 500 * MiB + step * 50 * 1024, wasmResident: 400 * MiB + step * 50 * 1024 }));
    expect(memoryVerdict('long run', touching, 1000).flat).toBe(false);
    const judged = memoryVerdict('long run', touching, 1000, { judge: 'rss-outside-wasm' });
    expect(judged.flat).toBe(true);
    expect(judged.rssOutsideWasmSlope).toBeCloseTo(0, 6);
    expect(judged.verdict).toContain('touched 404.9 → 448.8 MiB');
  });

  it('asks for more samples when too few fall after warm-up', () => {
    expect(() => memoryVerdict('generate', samples(100, 50, () => ({})), 100)).toThrow('2 samples after warm-up (step 10); expected at least 3');
  });
});

describe('wasmResidentBytes', () => {
  const smaps = [
    '7f0000000000-7f0028c00000 rw-p 00000000 00:00 0 ',
    'Size:             667648 kB',
    'Rss:              601000 kB',
    '7f0028c00000-7f0280000000 ---p 00000000 00:00 0 ',
    'Size:            9834496 kB',
    'Rss:                   0 kB',
    '55d0c0000000-55d0c0b00000 rw-p 00000000 00:00 0                          [heap]',
    'Rss:               11000 kB',
  ].join('\n');

  it('reads the RSS of the one read-write mapping of exactly the wasm memory size', () => {
    expect(wasmResidentBytes(0x28c00000, smaps)).toBe(601000 * 1024);
  });

  it('is null when no mapping, or more than one, has that size', () => {
    expect(wasmResidentBytes(123 * 4096, smaps)).toBeNull();
    expect(wasmResidentBytes(0x28c00000, `${smaps}\n${smaps}`)).toBeNull();
  });
});
