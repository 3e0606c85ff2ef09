// The predictor's own copy of xlm-core's unbatch (used by toDict); @mlm/collators exports the full port.
import { describe, expect, it } from 'vitest';
import { iterUnbatch, unbatch } from './unbatch.js';

const matrix = { data: Int32Array.from([0, 1, 2, 3, 4, 5]), shape: [3, 2] as const };

describe('unbatch', () => {
  it('splits matrices into rows (or columns with dim 1), arrays into elements, strings into characters', () => {
    expect([...iterUnbatch({ x: matrix, y: ['a', 'b', 'c'] }, 3)]).toEqual([
      { x: [0, 1], y: 'a' },
      { x: [2, 3], y: 'b' },
      { x: [4, 5], y: 'c' },
    ]);
    expect([...iterUnbatch({ x: { data: matrix.data, shape: [2, 3] } }, 3, { dim: 1 })].map((r) => r.x)).toEqual([[0, 3], [1, 4], [2, 5]]);
    expect(unbatch({ s: 'ab' }, 2, { strict: true })).toEqual([{ s: 'a' }, { s: 'b' }]);
  });

  it('strict checks batch lengths; non-indexable values broadcast only when asked', () => {
    expect(() => [...iterUnbatch({ x: matrix, y: ['a', 'b'] }, 3, { strict: true })]).toThrow(/Field 'y' has batch length 2 along dim=0, expected 3/);
    expect(() => [...iterUnbatch({ k: 5 }, 2)]).toThrow(/Field 'k' of type number could not be indexed at i=0/);
    expect(unbatch({ k: 5, n: null }, 2)).toEqual([{ k: 5, n: null }, { k: 5, n: null }]);
  });
});
