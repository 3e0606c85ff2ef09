import { createRandom } from '@mlm/random';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { shuffleBuffer } from './shuffle-buffer.js';

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

describe('shuffleBuffer', () => {
  it('emits a permutation of the stream for any size and buffer (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer(), { maxLength: 60 }), fc.integer({ min: 1, max: 80 }), fc.integer(), async (items, bufferSize, seed) => {
        const shuffled = await collect(shuffleBuffer(items, bufferSize, createRandom(seed)));
        expect([...shuffled].sort((a, b) => a - b)).toEqual([...items].sort((a, b) => a - b));
        expect(await collect(shuffleBuffer(items, bufferSize, createRandom(seed)))).toEqual(shuffled);
      }),
      { numRuns: 100 },
    );
  });

  it('keeps the order with a buffer of one, and mixes with a larger one', async () => {
    const items = [...Array(50).keys()];
    expect(await collect(shuffleBuffer(items, 1, createRandom(1)))).toEqual(items);
    expect(await collect(shuffleBuffer(items, 50, createRandom(1)))).not.toEqual(items);
  });

  it('rejects a bad buffer size', async () => {
    await expect(collect(shuffleBuffer([1], 0, createRandom(1)))).rejects.toThrow(/bufferSize = 0/);
  });
});
