import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createNamedRandom, createRandom, gumbelNoise } from './index.js';
import { createScriptedRandom } from './testing.js';

describe('createRandom', () => {
  it('gives the same sequence for the same seed and a different one for another seed', () => {
    const a = createRandom(7);
    const b = createRandom(7);
    const c = createRandom(8);
    const xs = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(xs);
  });

  it('resumes exactly from a saved state', () => {
    const a = createRandom('run');
    for (let i = 0; i < 10; i++) a.next();
    const state = JSON.parse(JSON.stringify(a.getState()));
    const expected = Array.from({ length: 5 }, () => a.next());
    const b = createRandom('other');
    b.setState(state);
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(expected);
  });

  it('fills float32 arrays strictly below 1', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const values = createRandom(seed).fill(new Float32Array(256));
        return values.every((v) => v >= 0 && v < 1);
      }),
    );
  });

  it('named streams are independent of each other', () => {
    expect(createNamedRandom(1, 'mask').next()).not.toEqual(createNamedRandom(1, 'data').next());
    expect(createNamedRandom(1, 'mask').next()).toEqual(createNamedRandom(1, 'mask').next());
  });

  it('rejects a non-finite seed', () => {
    expect(() => createRandom(Number.NaN)).toThrow(/seed/);
  });
});

describe('createScriptedRandom', () => {
  it('returns the scripted values in order and fails clearly when exhausted', () => {
    const r = createScriptedRandom([0.1, 0.5]);
    expect(r.next()).toBe(0.1);
    expect(r.next()).toBe(0.5);
    expect(() => r.next()).toThrow(/2 scripted values/);
  });

  it('rejects values outside [0, 1)', () => {
    expect(() => createScriptedRandom([1])).toThrow(/values\[0\] = 1/);
  });
});

describe('gumbelNoise', () => {
  it('matches the reference formula', () => {
    const g = gumbelNoise(createScriptedRandom([0.5]), 1);
    expect(g[0]).toBeCloseTo(-Math.log(-Math.log(0.5 + 1e-10) + 1e-10), 5);
  });
});
