import { createRandom } from '@mlm/random';
import type { CollatorInput } from '@mlm/types';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ExampleSource } from '../tasks/task.js';
import { createDataLoader, iterateBatches, type DataLoaderOptions, type DataLoaderState } from './data-loader.js';

/** Examples `{ inputIds: [i] }`, finite (size known) or as a stream (size undefined). */
function numbers(count: number, kind: 'finite' | 'stream' = 'finite'): ExampleSource & { reads: number } {
  const source = {
    reads: 0,
    size: kind === 'finite' ? count : undefined,
    async *iterate(): AsyncGenerator<CollatorInput> {
      source.reads += 1;
      for (let i = 0; i < count; i++) yield { inputIds: [i] };
    },
  };
  return source;
}

const ids = (examples: CollatorInput[]) => examples.map((example) => (example.inputIds as number[])[0] as number);

function loader(source: ExampleSource, overrides: Partial<DataLoaderOptions<number[]>> = {}) {
  return createDataLoader<number[]>({ source, batchSize: 4, shuffle: true, random: createRandom(1), collate: ids, ...overrides });
}

async function take(dataLoader: ReturnType<typeof loader>, count: number) {
  const out: { batch: number[]; epoch: number; indexInEpoch: number }[] = [];
  for (let i = 0; i < count; i++) out.push(await dataLoader.next());
  return out;
}

describe('createDataLoader (finite sources)', () => {
  it('without shuffling, yields the source order in batches, the last one partial, then the next epoch', async () => {
    const source = numbers(10);
    const batches = await take(loader(source, { shuffle: false }), 4);
    expect(batches).toEqual([
      { batch: [0, 1, 2, 3], epoch: 0, indexInEpoch: 0 },
      { batch: [4, 5, 6, 7], epoch: 0, indexInEpoch: 1 },
      { batch: [8, 9], epoch: 0, indexInEpoch: 2 },
      { batch: [0, 1, 2, 3], epoch: 1, indexInEpoch: 0 },
    ]);
    expect(source.reads).toBe(1); // materialised once
  });

  it('drops the incomplete last batch with dropLast', async () => {
    const dataLoader = loader(numbers(10), { shuffle: false, dropLast: true });
    const batches = await take(dataLoader, 3);
    expect(batches.map((b) => [b.epoch, b.indexInEpoch, b.batch.length])).toEqual([[0, 0, 4], [0, 1, 4], [1, 0, 4]]);
    expect(dataLoader.batchesPerEpoch).toBe(2);
    const keep = loader(numbers(10));
    await keep.next();
    expect(keep.batchesPerEpoch).toBe(3);
  });

  it('shuffles every epoch into a new permutation, reproducibly per seed', async () => {
    const epochs = async (seed: number) => {
      const batches = await take(loader(numbers(12), { random: createRandom(seed) }), 9);
      return [0, 1, 2].map((epoch) => batches.filter((b) => b.epoch === epoch).flatMap((b) => b.batch));
    };
    const [first, second, third] = await epochs(3);
    for (const epoch of [first, second, third]) expect([...epoch!].sort((a, b) => a - b)).toEqual([...Array(12).keys()]);
    expect(first).not.toEqual(second);
    expect(second).not.toEqual(third);
    expect(await epochs(3)).toEqual([first, second, third]);
    expect((await epochs(4))[0]).not.toEqual(first);
  });

  it('rejects empty sources, impossible dropLast and bad options with clear errors', async () => {
    await expect(loader(numbers(0)).next()).rejects.toThrow(/source yielded no examples/);
    await expect(loader(numbers(3), { dropLast: true }).next()).rejects.toThrow(/dropLast with batchSize 4 but the source has only 3/);
    expect(() => loader(numbers(3), { batchSize: 0 })).toThrow(/batchSize = 0/);
    expect(() => loader(numbers(3), { shuffleBufferSize: -1 })).toThrow(/shuffleBufferSize = -1/);
    const lying: ExampleSource = { size: 5, iterate: numbers(3).iterate };
    await expect(loader(lying).next()).rejects.toThrow(/declares size 5 but yielded 3/);
    const dataLoader = loader(numbers(8));
    const pending = dataLoader.next();
    await expect(dataLoader.next()).rejects.toThrow(/before the previous call finished/);
    await pending;
  });
});

describe('createDataLoader (streams)', () => {
  it('re-reads the stream every epoch through a bounded shuffle buffer', async () => {
    const source = numbers(20, 'stream');
    const dataLoader = loader(source, { batchSize: 5, shuffleBufferSize: 4 });
    const batches = await take(dataLoader, 8);
    expect(dataLoader.batchesPerEpoch).toBeUndefined();
    const epoch0 = batches.filter((b) => b.epoch === 0).flatMap((b) => b.batch);
    const epoch1 = batches.filter((b) => b.epoch === 1).flatMap((b) => b.batch);
    expect([...epoch0].sort((a, b) => a - b)).toEqual([...Array(20).keys()]);
    expect([...epoch1].sort((a, b) => a - b)).toEqual([...Array(20).keys()]);
    expect(epoch0).not.toEqual([...Array(20).keys()]);
    expect(epoch0).not.toEqual(epoch1);
    // A buffer of 4 moves an item at most 4 places earlier than its source position.
    epoch0.forEach((value, position) => expect(position).toBeGreaterThanOrEqual(value - 4));
    expect(source.reads).toBe(2);
  });

  it('yields partial last batches, or drops them, and rejects empty streams', async () => {
    const partial = await take(loader(numbers(6, 'stream'), { shuffle: false }), 3);
    expect(partial.map((b) => b.batch)).toEqual([[0, 1, 2, 3], [4, 5], [0, 1, 2, 3]]);
    const dropped = await take(loader(numbers(6, 'stream'), { shuffle: false, dropLast: true }), 2);
    expect(dropped.map((b) => [b.epoch, b.batch])).toEqual([[0, [0, 1, 2, 3]], [1, [0, 1, 2, 3]]]);
    await expect(loader(numbers(0, 'stream')).next()).rejects.toThrow(/stream yielded no examples/);
    await expect(loader(numbers(3, 'stream'), { dropLast: true }).next()).rejects.toThrow(/an epoch of the stream has only 3 examples/);
  });
});

describe('exact resume', () => {
  it('continues with the same batches after getState → JSON → setState on a fresh loader (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          size: fc.integer({ min: 1, max: 30 }),
          batchSize: fc.integer({ min: 1, max: 7 }),
          shuffle: fc.boolean(),
          dropLast: fc.boolean(),
          stream: fc.boolean(),
          bufferSize: fc.integer({ min: 1, max: 10 }),
          seed: fc.integer(),
          before: fc.integer({ min: 0, max: 15 }),
          after: fc.integer({ min: 1, max: 15 }),
        }),
        async ({ size, batchSize, shuffle, dropLast, stream, bufferSize, seed, before, after }) => {
          if (dropLast && size < batchSize) return;
          const make = () =>
            loader(numbers(size, stream ? 'stream' : 'finite'), { batchSize, shuffle, dropLast, shuffleBufferSize: bufferSize, random: createRandom(seed) });
          const original = make();
          await take(original, before);
          const state = JSON.parse(JSON.stringify(original.getState())) as DataLoaderState;
          const expected = await take(original, after);
          const resumed = make();
          await resumed.next(); // its own position does not matter: setState replaces it
          resumed.setState(state);
          expect(resumed.getState()).toEqual(state);
          expect(await take(resumed, after)).toEqual(expected);
        },
      ),
      { numRuns: 120 },
    );
  });

  it('resumes mid-epoch (finite, shuffled) to the exact next batches', async () => {
    const original = loader(numbers(25), { batchSize: 3, random: createRandom(9) });
    await take(original, 5);
    const state = original.getState();
    expect(state).toMatchObject({ kind: 'finite', epoch: 0, started: true, position: 15, batchIndex: 5 });
    const expected = await take(original, 12);
    const resumed = loader(numbers(25), { batchSize: 3, random: createRandom(123) });
    resumed.setState(state);
    expect(await take(resumed, 12)).toEqual(expected);
  });

  it('rejects states that do not fit', async () => {
    const finite = loader(numbers(5));
    expect(() => finite.setState({ ...finite.getState(), kind: 'stream' })).toThrow(/state is for a stream source/);
    expect(() => finite.setState({ ...finite.getState(), epoch: -1 })).toThrow(/invalid state at epoch/);
    await finite.next();
    finite.setState({ ...finite.getState(), position: 99 });
    await expect(finite.next()).rejects.toThrow(/position 99 is past the source's 5 examples/);
    const stream = loader(numbers(5, 'stream'));
    await stream.next();
    stream.setState({ ...stream.getState(), position: 9 });
    await expect(stream.next()).rejects.toThrow(/stream ended after 5 examples, before the saved position 9/);
  });
});

describe('iterateBatches', () => {
  it('makes one ordered pass with a partial last batch', async () => {
    const batches: number[][] = [];
    for await (const batch of iterateBatches(numbers(7, 'stream'), 3, ids)) batches.push(batch);
    expect(batches).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
    const drain = async () => {
      for await (const batch of iterateBatches(numbers(0), 3, ids)) void batch;
    };
    await expect(drain()).rejects.toThrow(/source yielded no examples/);
  });
});
