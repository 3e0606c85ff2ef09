import { describe, expect, it } from 'vitest';
import { cpuModelFrom, machineInfo, simdFlagsFrom } from './machine.js';
import { measure } from './measure.js';

const CPUINFO = 'processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 7B13\nflags\t\t: fpu sse4_2 avx avx2 fma\n\nprocessor\t: 1\nmodel name\t: AMD EPYC 7B13\n';

describe('machine info', () => {
  it('reads the CPU model and the SIMD flags from /proc/cpuinfo text', () => {
    expect(cpuModelFrom(CPUINFO)).toBe('AMD EPYC 7B13');
    expect(simdFlagsFrom(CPUINFO)).toEqual(['sse4_2', 'avx', 'avx2', 'fma']);
    expect(cpuModelFrom(undefined)).toBeUndefined();
    expect(simdFlagsFrom('')).toEqual([]);
  });

  it('describes this machine', () => {
    const info = machineInfo();
    expect(info.cores).toBeGreaterThan(0);
    expect(info.node).toBe(process.version);
    expect(info.cpuModel.length).toBeGreaterThan(0);
  });
});

describe('measure', () => {
  it('runs the warm-up untimed and returns one sample per timed run', async () => {
    let calls = 0;
    const summary = await measure(() => void calls++, { warmup: 2, reps: 3 });
    expect(calls).toBe(5);
    expect(summary.runs).toHaveLength(3);
  });

  it('stops repeating once the time budget is spent', async () => {
    const summary = await measure(() => new Promise((resolve) => setTimeout(resolve, 20)), { warmup: 0, reps: 10, budgetMs: 30 });
    expect(summary.runs.length).toBeLessThan(10);
    expect(summary.runs.length).toBeGreaterThanOrEqual(1);
  });

  it('names a bad option', async () => {
    await expect(measure(() => {}, { warmup: 0, reps: 0 })).rejects.toThrow('reps: expected an integer >= 1, got 0');
    await expect(measure(() => {}, { warmup: -1, reps: 1 })).rejects.toThrow('warmup: expected an integer >= 0, got -1');
  });
});
