import { describe, expect, it } from 'vitest';
import { residencyByMapping } from './process-memory.js';
import { memoryVerdict, type SoakSample } from './soak.js';

const MiB = 2 ** 20;

function samples(steps: number, every: number, at: (step: number) => Partial<SoakSample>): SoakSample[] {
  const result: SoakSample[] = [];
  for (let step = every; step <= steps; step += every) {
    result.push({ step, tensors: 80, rss: 500 * MiB, heapUsed: 50 * MiB, heapTotal: 60 * MiB, external: 0, arrayBuffers: 0, wasmHeap: 600 * MiB, wasmResident: 400 * MiB, jitCodeResident: 5 * MiB, fileResident: 40 * MiB, v8HeapPhysical: 60 * MiB, ...at(step) });
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

describe('residencyByMapping', () => {
  const smaps = [
    '7f0000000000-7f0028c00000 rw-p 00000000 00:00 0 ',
    'Size:             667648 kB',
    'Rss:              601000 kB',
    '7f0028c00000-7f0280000000 ---p 00000000 00:00 0 ',
    'Size:            9834496 kB',
    'Rss:                   0 kB',
    '55d0c0000000-55d0c0b00000 rw-p 00000000 00:00 0                          [heap]',
    'Rss:               11000 kB',
    '3c1e00040000-3c1e00080000 rwxp 00000000 00:00 0 ',
    'Rss:                 256 kB',
    '3c1e00080000-3c1e000c0000 r-xp 00000000 00:00 0 ',
    'Rss:                  64 kB',
    '55d0b0000000-55d0b2000000 r-xp 00400000 fe:01 1835100                    /usr/bin/node',
    'Rss:               31616 kB',
    '7f1000000000-7f1000200000 r--p 00000000 fe:01 1900001                    /usr/lib/x86_64-linux-gnu/libopenblas.so.0',
    'Rss:                1024 kB',
    '7ffd5e1f0000-7ffd5e1f2000 r-xp 00000000 00:00 0                          [vdso]',
    'Rss:                   8 kB',
  ].join('\n');

  it('reads the RSS of the one read-write mapping of exactly the wasm memory size', () => {
    expect(residencyByMapping(0x28c00000, smaps)?.wasm).toBe(601000 * 1024);
  });

  it('is null for the wasm memory when no mapping, or more than one, has that size, or off wasm', () => {
    expect(residencyByMapping(123 * 4096, smaps)?.wasm).toBeNull();
    expect(residencyByMapping(0x28c00000, `${smaps}\n${smaps}`)?.wasm).toBeNull();
    expect(residencyByMapping(null, smaps)?.wasm).toBeNull();
  });

  it('sums anonymous executable mappings as JIT code (not [vdso]) and file-backed mappings as files', () => {
    expect(residencyByMapping(0x28c00000, smaps)).toEqual({ wasm: 601000 * 1024, jitCode: (256 + 64) * 1024, files: (31616 + 1024) * 1024 });
  });
});

describe('outside-the-wasm-memory breakdown', () => {
  it('splits the change of RSS outside the wasm memory into JIT code, V8 heap, mapped files and the rest', () => {
    // Over the window: JIT code +1 MiB, V8 heap +0.5 MiB, files +0.25 MiB, native +0.25 MiB; the wasm memory touched +10 MiB.
    const grown = samples(1000, 20, (step) => {
      const late = step >= 500 ? 1 : 0;
      return {
        rss: 500 * MiB + late * (10 + 2) * MiB,
        wasmResident: 400 * MiB + late * 10 * MiB,
        jitCodeResident: 5 * MiB + late * MiB,
        v8HeapPhysical: 60 * MiB + late * 0.5 * MiB,
        fileResident: 40 * MiB + late * 0.25 * MiB,
      };
    });
    const verdict = memoryVerdict('long run', grown, 1000, { judge: 'rss-outside-wasm' });
    expect(verdict.outsideWasmChange).toEqual({ total: 2 * MiB, jitCode: MiB, v8Heap: 0.5 * MiB, files: 0.25 * MiB, rest: 0.25 * MiB });
    expect(verdict.verdict).toContain('RSS outside the wasm memory +2.00 MiB over the window: JIT code +1.00 MiB, V8 heap +0.50 MiB, mapped files +0.25 MiB, the rest (native allocations, stacks) +0.25 MiB');
    // The breakdown is reported, not judged: 2 MiB over 900 steps is 2.3 KB/step, above the limit.
    expect(verdict.flat).toBe(false);
  });

  it('is left out where smaps could not be read', () => {
    const verdict = memoryVerdict('train', samples(1000, 20, () => ({ jitCodeResident: null, fileResident: null })), 1000);
    expect(verdict.outsideWasmChange).toBeNull();
    expect(verdict.verdict).not.toContain('over the window');
  });
});
