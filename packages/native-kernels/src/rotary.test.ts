import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadNativeKernels, type NativeKernelsAddon } from './index.js';

// rotary needs no BLAS, only the addon. Skipped where it is not built, except in CI (which builds it).
const loaded = loadNativeKernels();
const runNative = process.env.CI ? it : it.skipIf(!loaded.ok);

function addon(): NativeKernelsAddon {
  if (!loaded.ok) throw new Error(`the addon did not load: ${loaded.reason}`);
  return loaded.addon;
}

/** The formula in float32 steps (each product rounded, then the sum), on [G, H, R, D] with tables [G, T, R, D]. */
function reference(x: Float32Array, c: Float32Array, s: Float32Array, [groups, heads, tableHeads, rows, dim, rotaryDim]: number[], backward: boolean): Float32Array {
  const out = new Float32Array(x.length);
  const half = rotaryDim! / 2;
  const f = Math.fround;
  for (let g = 0; g < groups!; g++)
    for (let h = 0; h < heads!; h++)
      for (let r = 0; r < rows!; r++) {
        const b = ((g * heads! + h) * rows! + r) * dim!;
        const t = ((g * tableHeads! + (tableHeads === 1 ? 0 : h)) * rows! + r) * dim!;
        for (let j = 0; j < dim!; j++) {
          const p = f(x[b + j]! * c[t + j]!);
          let q = 0;
          if (!backward) q = j < half ? f(-x[b + j + half]! * s[t + j]!) : j < rotaryDim! ? f(x[b + j - half]! * s[t + j]!) : f(0 * s[t + j]!);
          else q = j < half ? f(x[b + j + half]! * s[t + j + half]!) : j < rotaryDim! ? -f(x[b + j - half]! * s[t + j - half]!) : 0;
          out[b + j] = p + q;
        }
      }
  return out;
}

function random(count: number, seed: number): Float32Array {
  let state = seed >>> 0 || 1;
  return Float32Array.from({ length: count }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state / 2 ** 32) * 2 - 1;
  });
}

describe('@mlm/native-kernels rotary', () => {
  runNative('equals the float32 formula bit for bit, forward and backward, threaded and not', () => {
    const native = addon();
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 4 }), fc.boolean(), fc.integer({ min: 1, max: 700 }), fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 0, max: 20 }), fc.boolean(), fc.constantFrom(1, 2), fc.integer(),
        (groups, heads, perHead, rows, halfDim, halfRotary, backward, threads, seed) => {
          native.setThreads(threads);
          const dim = 2 * halfDim;
          const rotaryDim = 2 * Math.min(halfRotary, halfDim);
          const tableHeads = perHead ? heads : 1;
          const count = groups * heads * rows * dim;
          const tableCount = groups * tableHeads * rows * dim;
          const heap = new Uint8Array(4 * (2 * count + 2 * tableCount) + 64);
          const floats = new Float32Array(heap.buffer);
          const [x, c, s] = [random(count, seed), random(tableCount, seed + 1), random(tableCount, seed + 2)];
          const [xAt, cAt, sAt, outAt] = [16, 16 + 4 * count, 16 + 4 * (count + tableCount), 16 + 4 * (count + 2 * tableCount)];
          floats.set(x, xAt / 4);
          floats.set(c, cAt / 4);
          floats.set(s, sAt / 4);
          const layout = [groups, heads, tableHeads, rows, dim, rotaryDim];
          native.rotary(heap, xAt, cAt, sAt, outAt, groups, heads, tableHeads, rows, dim, rotaryDim, backward);
          const out = floats.subarray(outAt / 4, outAt / 4 + count);
          const expected = reference(x, c, s, layout, backward);
          let different = 0;
          for (let i = 0; i < count; i++) if (!(out[i] === expected[i])) different++;
          expect(different).toBe(0);
        },
      ),
      { numRuns: 80 },
    );
    native.setThreads(1);
  });

  runNative('rejects regions outside the heap, misaligned or overlapping ones and bad shapes, before writing anything', () => {
    const native = addon();
    const heap = new Uint8Array(1024);
    const floats = new Float32Array(heap.buffer);
    floats.fill(7);
    // x [1, 2, 2, 4] at 0 (64 bytes), tables [1, 1, 2, 4] at 64 and 96, out at 128.
    const base = { x: 0, cos: 64, sin: 96, out: 128, groups: 1, heads: 2, tableHeads: 1, rows: 2, dim: 4, rotaryDim: 4 };
    const call = (change: Partial<typeof base>) => () => {
      const a = { ...base, ...change };
      native.rotary(heap, a.x, a.cos, a.sin, a.out, a.groups, a.heads, a.tableHeads, a.rows, a.dim, a.rotaryDim, false);
    };
    expect(call({ out: 1000 })).toThrow('out: bytes [1000, 1064) lie outside the heap (1024 bytes)');
    expect(call({ x: 980 })).toThrow(/^x: bytes \[980, 1044\) lie outside the heap/);
    expect(call({ sin: 1020 })).toThrow(/^sin: bytes \[1020, 1052\) lie outside the heap/);
    expect(call({ rows: 100 })).toThrow(/outside the heap/);
    expect(call({ x: 2 ** 32 - 4 })).toThrow(/outside the heap/);
    expect(call({ cos: 66 })).toThrow('cos: byte offset 66 is not a multiple of 4');
    expect(call({ out: 32 })).toThrow('out: its region overlaps x, cos or sin');
    expect(call({ out: 96 })).toThrow('out: its region overlaps x, cos or sin');
    expect(call({ tableHeads: 3 })).toThrow('tableHeads: expected 1 or heads (2), got 3');
    expect(call({ rotaryDim: 3 })).toThrow('rotaryDim: expected an even number <= dim (4), got 3');
    expect(call({ rotaryDim: 6 })).toThrow(/rotaryDim: expected an even number <= dim/);
    expect(call({ groups: 2 ** 31, heads: 4 })).toThrow(/more than 2\^32 elements|outside the heap/);
    expect(call({ x: -4 })).toThrow(/x: expected an integer in \[0, 2\^32\)/);
    expect(() => native.rotary(heap, 0, 64, 96, 128, 1, 2, 1, 2, 4, 4, 'no' as unknown as boolean)).toThrow('backward: expected a boolean');
    expect(() => (native.rotary as unknown as (...a: unknown[]) => void)(heap, 0, 64)).toThrow('rotary: expected 12 arguments, got 3');
    expect(Array.from(floats).every((v) => v === 7)).toBe(true);
    const view = new Uint8Array(heap.buffer, 0, 0);
    expect(() => native.rotary(view, 0, 64, 96, 128, 1, 2, 1, 2, 4, 4, false)).toThrow(/outside the heap \(0 bytes\)/);
  });
});
