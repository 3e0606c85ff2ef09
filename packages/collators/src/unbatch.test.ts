/** Port of xlm-core tests/models/mlm/test_unbatch.py. */
import { describe, expect, it } from 'vitest';
import { inferBatchLength, iterUnbatch, unbatch } from './unbatch.js';

const arange = (n: number, rows: number, columns: number) => ({ data: Int32Array.from({ length: n }, (_, i) => i), shape: [rows, columns] as const });

describe('iterUnbatch / unbatch', () => {
  it('splits a matrix along dim 0 into lists', () => {
    expect([...iterUnbatch({ x: arange(6, 3, 2) }, 3)].map((item) => item.x)).toEqual([
      [0, 1],
      [2, 3],
      [4, 5],
    ]);
  });

  it('splits lists of strings element-wise', () => {
    expect([...iterUnbatch({ x: arange(6, 3, 2), y: ['a', 'b', 'c'] }, 3)].map((item) => item.y)).toEqual(['a', 'b', 'c']);
  });

  it('splits along dim 1', () => {
    expect([...iterUnbatch({ x: arange(6, 2, 3) }, 3, { dim: 1 })].map((item) => item.x)).toEqual([
      [0, 3],
      [1, 4],
      [2, 5],
    ]);
    expect([...iterUnbatch({ x: [[0, 1, 2], [3, 4, 5]] }, 3, { dim: 1 })].map((item) => item.x)).toEqual([
      [0, 3],
      [1, 4],
      [2, 5],
    ]);
  });

  it('strict: a field of another batch length is an error', () => {
    expect(() => [...iterUnbatch({ x: arange(6, 3, 2), y: ['a', 'b'] }, 3, { strict: true })]).toThrow(/batch length/);
    expect(() => [...iterUnbatch({ y: ['a', 'b'] }, 3, { strict: true })]).toThrow("Field 'y' has batch length 2 along dim=0, expected 3.");
  });

  it('not strict: indexing past the end is a TypeError (no broadcast by default)', () => {
    expect(() => [...iterUnbatch({ x: arange(6, 3, 2), y: ['a', 'b'] }, 3)]).toThrow(TypeError);
  });

  it('broadcasts scalars when asked, raises otherwise', () => {
    const items = [...iterUnbatch({ x: arange(6, 3, 2), k: 5 }, 3, { broadcastNonSliceable: true })];
    expect(items.map((item) => item.k)).toEqual([5, 5, 5]);
    expect(() => [...iterUnbatch({ x: arange(6, 3, 2), k: 5 }, 3)]).toThrow(/could not be indexed/);
    expect(() => [...iterUnbatch({ k: null }, 1)]).toThrow("Field 'k' of type null could not be indexed at i=0. Consider setting broadcastNonSliceable=true.");
  });

  it('strings are character-indexed and pass the strict length check', () => {
    expect([...iterUnbatch({ s: 'ab' }, 2, { strict: true })].map((item) => item.s)).toEqual(['a', 'b']);
  });

  it('unbatch returns a list and broadcasts by default (an MLM prediction as xlm-core\'s predictor returns it)', () => {
    const items = unbatch({ text: ['0 1 2 3 4'], ids: [[7, 8, 9, 10, 11]], loss: null, timeTaken: [0.5], outputStartIdx: 5, stepsTaken: [3] }, 1);
    expect(items).toEqual([{ text: '0 1 2 3 4', ids: [7, 8, 9, 10, 11], loss: null, timeTaken: 0.5, outputStartIdx: 5, stepsTaken: 3 }]);
    expect(unbatch({ x: arange(6, 3, 2) }, 3)).toHaveLength(3);
  });

  it('converts typed-array rows and tensor-like values to plain arrays', () => {
    const tensorLike = { shape: [2, 2], arraySync: () => [[1, 2], [3, 4]] };
    expect(unbatch({ t: tensorLike, r: [Int32Array.from([5, 6]), Int32Array.from([7, 8])] }, 2)).toEqual([
      { t: [1, 2], r: [5, 6] },
      { t: [3, 4], r: [7, 8] },
    ]);
  });

  it('inferBatchLength', () => {
    expect(inferBatchLength(arange(6, 3, 2))).toBe(3);
    expect(inferBatchLength(arange(6, 3, 2), 1)).toBe(2);
    expect(inferBatchLength('abc')).toBeUndefined();
    expect(inferBatchLength(4)).toBeUndefined();
    expect(inferBatchLength([[1, 2, 3]], 1)).toBe(3);
  });

  it('one unbatch for the whole project: the predictor toDict uses this one; a [B, L, V] cube splits into [L, V] rows instead of being copied whole', () => {
    const cube = { data: Float32Array.from({ length: 12 }, (_, i) => i), shape: [2, 3, 2] };
    const [first, second] = unbatch({ logits: cube, text: ['ab', 'cd'], outputStartIdx: 1 }, 2);
    expect(first).toEqual({ logits: [[0, 1], [2, 3], [4, 5]], text: 'ab', outputStartIdx: 1 });
    expect(second!.logits).toEqual([[6, 7], [8, 9], [10, 11]]);
  });
});
