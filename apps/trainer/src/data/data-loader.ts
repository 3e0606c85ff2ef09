import type { CollatorInput, RandomSource, RandomState } from '@mlm/types';
import { z } from 'zod';
import type { ExampleSource } from '../tasks/task.js';
import { shuffleBuffer } from './shuffle-buffer.js';

export const DEFAULT_SHUFFLE_BUFFER_SIZE = 10_000;

export interface DataLoaderOptions<TBatch> {
  source: ExampleSource;
  /** Examples per batch. */
  batchSize: number;
  /** Reshuffle every epoch (finite sources: a full permutation; streams: a bounded shuffle buffer). */
  shuffle: boolean;
  /**
   * The loader's own random stream (for example `createNamedRandom(seed, 'data')`). `setState`
   * rewinds it, so do not share it with other components.
   */
  random: RandomSource;
  /** Drop the last incomplete batch of each epoch (default false). */
  dropLast?: boolean;
  /** Turns the examples of one batch into a batch (usually `collator.collate`). */
  collate: (examples: CollatorInput[]) => TBatch;
  /** Streams only: examples held by the shuffle buffer (default 10 000). */
  shuffleBufferSize?: number;
}

export interface DataLoaderResult<TBatch> {
  batch: TBatch;
  /** Epoch of this batch, from 0. */
  epoch: number;
  /** Index of this batch within its epoch, from 0. */
  indexInEpoch: number;
}

/** Where a loader stands, JSON-able; `setState` on a loader over the same source continues exactly. */
export interface DataLoaderState {
  kind: 'finite' | 'stream';
  epoch: number;
  /** Whether the epoch `epoch` has begun (its order is drawn). */
  started: boolean;
  /** Examples of the epoch delivered so far. */
  position: number;
  /** Batches of the epoch delivered so far. */
  batchIndex: number;
  /** The random state before the epoch's draws (null until the epoch begins). */
  epochRandomState: RandomState | null;
  /** The random state now. */
  randomState: RandomState;
}

export interface DataLoader<TBatch> {
  /** The next batch; epochs follow each other without end. */
  next(): Promise<DataLoaderResult<TBatch>>;
  getState(): DataLoaderState;
  /** Restores a state from `getState` (applied before the next batch). */
  setState(state: DataLoaderState): void;
  /** Batches per epoch for finite sources (known once the first batch was requested), else undefined. */
  readonly batchesPerEpoch: number | undefined;
}

const randomStateSchema = z.looseObject({ kind: z.string() });
const stateSchema = z.object({
  kind: z.enum(['finite', 'stream']),
  epoch: z.number().int().min(0),
  started: z.boolean(),
  position: z.number().int().min(0),
  batchIndex: z.number().int().min(0),
  epochRandomState: randomStateSchema.nullable(),
  randomState: randomStateSchema,
});

function checkOptions<TBatch>(options: DataLoaderOptions<TBatch>): void {
  const { source, batchSize, random, collate } = options;
  if (source === undefined || source === null || typeof source.iterate !== 'function') {
    throw new Error('createDataLoader: options.source must be an ExampleSource (with iterate())');
  }
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`createDataLoader: batchSize = ${batchSize}, expected an integer ≥ 1`);
  if (random === undefined || typeof random.next !== 'function') throw new Error('createDataLoader: options.random must be a RandomSource');
  if (typeof collate !== 'function') throw new Error('createDataLoader: options.collate must be a function (examples) => batch');
  const bufferSize = options.shuffleBufferSize;
  if (bufferSize !== undefined && (!Number.isInteger(bufferSize) || bufferSize < 1)) {
    throw new Error(`createDataLoader: shuffleBufferSize = ${bufferSize}, expected an integer ≥ 1`);
  }
}

function permutation(length: number, random: RandomSource): Uint32Array {
  const order = new Uint32Array(length);
  for (let i = 0; i < length; i++) order[i] = i;
  for (let i = length - 1; i > 0; i--) {
    const j = Math.floor(random.next() * (i + 1));
    const item = order[i] as number;
    order[i] = order[j] as number;
    order[j] = item;
  }
  return order;
}

/**
 * Batches from an `ExampleSource`, epoch after epoch. A finite source (`size` defined) is read once
 * and reshuffled every epoch; a stream is re-read every epoch through a bounded shuffle buffer.
 * `getState()` / `setState()` resume exactly: the same batches follow, in the same order.
 */
export function createDataLoader<TBatch>(options: DataLoaderOptions<TBatch>): DataLoader<TBatch> {
  checkOptions(options);
  const { source, batchSize, shuffle, random, collate } = options;
  const dropLast = options.dropLast ?? false;
  return source.size === undefined
    ? new StreamDataLoader(source, batchSize, shuffle, random, dropLast, collate, options.shuffleBufferSize ?? DEFAULT_SHUFFLE_BUFFER_SIZE)
    : new FiniteDataLoader(source, batchSize, shuffle, random, dropLast, collate);
}

abstract class BaseDataLoader<TBatch> implements DataLoader<TBatch> {
  protected epoch = 0;
  protected started = false;
  protected position = 0;
  protected batchIndex = 0;
  protected epochRandomState: RandomState | null = null;
  private pendingState: DataLoaderState | undefined;
  protected abstract readonly kind: 'finite' | 'stream';

  constructor(
    protected readonly source: ExampleSource,
    protected readonly batchSize: number,
    protected readonly shuffle: boolean,
    protected readonly random: RandomSource,
    protected readonly dropLast: boolean,
    protected readonly collate: (examples: CollatorInput[]) => TBatch,
  ) {}

  abstract get batchesPerEpoch(): number | undefined;

  getState(): DataLoaderState {
    if (this.pendingState !== undefined) return structuredClone(this.pendingState);
    return {
      kind: this.kind,
      epoch: this.epoch,
      started: this.started,
      position: this.position,
      batchIndex: this.batchIndex,
      epochRandomState: this.epochRandomState === null ? null : structuredClone(this.epochRandomState),
      randomState: this.random.getState(),
    };
  }

  setState(state: DataLoaderState): void {
    const parsed = stateSchema.safeParse(state);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(`DataLoader.setState: invalid state at ${issue?.path.join('.') || 'state'}: ${issue?.message ?? ''}`);
    }
    if (state.kind !== this.kind) {
      throw new Error(`DataLoader.setState: the state is for a ${state.kind} source, this loader reads a ${this.kind} source`);
    }
    if (state.started && state.epochRandomState === null) {
      throw new Error('DataLoader.setState: a started epoch needs its epochRandomState');
    }
    this.pendingState = structuredClone(state);
  }

  private busy = false;

  async next(): Promise<DataLoaderResult<TBatch>> {
    if (this.busy) throw new Error('DataLoader.next: called again before the previous call finished (await each call)');
    this.busy = true;
    try {
      return await this.nextBatch();
    } finally {
      this.busy = false;
    }
  }

  private async nextBatch(): Promise<DataLoaderResult<TBatch>> {
    await this.prepare();
    if (this.pendingState !== undefined) {
      const state = this.pendingState;
      this.pendingState = undefined;
      await this.restore(state);
    }
    const examples = await this.nextExamples();
    const indexInEpoch = this.batchIndex;
    this.batchIndex += 1;
    return { batch: this.collate(examples), epoch: this.epoch, indexInEpoch };
  }

  /** Reads what is needed before the first batch. */
  protected abstract prepare(): Promise<void>;
  protected abstract restore(state: DataLoaderState): Promise<void>;
  protected abstract nextExamples(): Promise<CollatorInput[]>;
}

class FiniteDataLoader<TBatch> extends BaseDataLoader<TBatch> {
  protected readonly kind = 'finite';
  private examples: CollatorInput[] | undefined;
  private order: Uint32Array | undefined;

  get batchesPerEpoch(): number | undefined {
    if (this.examples === undefined) return undefined;
    const n = this.examples.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  protected async prepare(): Promise<void> {
    if (this.examples !== undefined) return;
    const examples: CollatorInput[] = [];
    for await (const example of this.source.iterate()) examples.push(example);
    if (examples.length === 0) throw new Error('DataLoader: the source yielded no examples (is the split empty?)');
    if (this.source.size !== undefined && examples.length !== this.source.size) {
      throw new Error(`DataLoader: the source declares size ${this.source.size} but yielded ${examples.length} examples`);
    }
    if (this.dropLast && examples.length < this.batchSize) {
      throw new Error(`DataLoader: dropLast with batchSize ${this.batchSize} but the source has only ${examples.length} examples; no batch would ever be complete`);
    }
    this.examples = examples;
  }

  private beginEpoch(): void {
    const length = (this.examples as CollatorInput[]).length;
    this.epochRandomState = this.random.getState();
    this.order = this.shuffle ? permutation(length, this.random) : undefined;
    this.started = true;
    this.position = 0;
    this.batchIndex = 0;
  }

  protected async restore(state: DataLoaderState): Promise<void> {
    const length = (this.examples as CollatorInput[]).length;
    if (state.position > length) {
      throw new Error(`DataLoader.setState: position ${state.position} is past the source's ${length} examples`);
    }
    this.epoch = state.epoch;
    if (state.started) {
      this.random.setState(state.epochRandomState as RandomState);
      this.beginEpoch();
      this.position = state.position;
      this.batchIndex = state.batchIndex;
    } else {
      this.started = false;
      this.epochRandomState = null;
      this.position = 0;
      this.batchIndex = 0;
    }
    this.random.setState(state.randomState);
  }

  protected async nextExamples(): Promise<CollatorInput[]> {
    const examples = this.examples as CollatorInput[];
    const remaining = examples.length - this.position;
    if (this.started && (remaining <= 0 || (this.dropLast && remaining < this.batchSize))) {
      this.epoch += 1;
      this.started = false;
    }
    if (!this.started) this.beginEpoch();
    const end = Math.min(this.position + this.batchSize, examples.length);
    const batch: CollatorInput[] = [];
    for (let i = this.position; i < end; i++) batch.push(examples[this.order === undefined ? i : (this.order[i] as number)] as CollatorInput);
    this.position = end;
    return batch;
  }
}

class StreamDataLoader<TBatch> extends BaseDataLoader<TBatch> {
  protected readonly kind = 'stream';
  private iterator: AsyncIterator<CollatorInput> | undefined;

  constructor(
    source: ExampleSource,
    batchSize: number,
    shuffle: boolean,
    random: RandomSource,
    dropLast: boolean,
    collate: (examples: CollatorInput[]) => TBatch,
    private readonly shuffleBufferSize: number,
  ) {
    super(source, batchSize, shuffle, random, dropLast, collate);
  }

  get batchesPerEpoch(): number | undefined {
    return undefined;
  }

  protected async prepare(): Promise<void> {}

  private async beginEpoch(): Promise<void> {
    await this.iterator?.return?.();
    this.epochRandomState = this.random.getState();
    const examples = this.source.iterate();
    const ordered = this.shuffle ? shuffleBuffer(examples, this.shuffleBufferSize, this.random) : examples;
    this.iterator = ordered[Symbol.asyncIterator]();
    this.started = true;
    this.position = 0;
    this.batchIndex = 0;
  }

  protected async restore(state: DataLoaderState): Promise<void> {
    await this.iterator?.return?.();
    this.iterator = undefined;
    this.epoch = state.epoch;
    if (!state.started) {
      this.started = false;
      this.epochRandomState = null;
      this.position = 0;
      this.batchIndex = 0;
      this.random.setState(state.randomState);
      return;
    }
    this.random.setState(state.epochRandomState as RandomState);
    await this.beginEpoch();
    const iterator = this.iterator as unknown as AsyncIterator<CollatorInput>;
    for (let skipped = 0; skipped < state.position; skipped++) {
      const step = await iterator.next();
      if (step.done === true) {
        throw new Error(`DataLoader.setState: the stream ended after ${skipped} examples, before the saved position ${state.position} (did the data change?)`);
      }
    }
    this.position = state.position;
    this.batchIndex = state.batchIndex;
    if (JSON.stringify(this.random.getState()) !== JSON.stringify(state.randomState)) {
      throw new Error('DataLoader.setState: replaying the epoch did not reproduce the saved random state (did the data or the shuffle buffer size change?)');
    }
  }

  /** Up to `batchSize` examples from the current epoch (fewer at its end). */
  private async pull(): Promise<CollatorInput[]> {
    const iterator = this.iterator as AsyncIterator<CollatorInput>;
    const batch: CollatorInput[] = [];
    while (batch.length < this.batchSize) {
      const step = await iterator.next();
      if (step.done === true) break;
      batch.push(step.value);
    }
    this.position += batch.length;
    return batch;
  }

  protected async nextExamples(): Promise<CollatorInput[]> {
    if (!this.started) await this.beginEpoch();
    let batch = await this.pull();
    if (batch.length === this.batchSize || (batch.length > 0 && !this.dropLast)) return batch;
    // The epoch is over: start the next one.
    const delivered = this.position;
    this.epoch += 1;
    await this.beginEpoch();
    batch = await this.pull();
    if (batch.length === 0) {
      throw new Error(`DataLoader: the stream yielded no examples (epoch ${this.epoch}; ${delivered} in the previous epoch)`);
    }
    if (this.dropLast && batch.length < this.batchSize) {
      throw new Error(`DataLoader: dropLast with batchSize ${this.batchSize} but an epoch of the stream has only ${batch.length} examples; no batch would ever be complete`);
    }
    return batch;
  }
}

/**
 * One pass over a source in its own order, in batches (the last one may be smaller): for evaluation.
 * An empty source is an error.
 */
export async function* iterateBatches<TBatch>(
  source: ExampleSource,
  batchSize: number,
  collate: (examples: CollatorInput[]) => TBatch,
): AsyncGenerator<TBatch> {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`iterateBatches: batchSize = ${batchSize}, expected an integer ≥ 1`);
  let pending: CollatorInput[] = [];
  let count = 0;
  for await (const example of source.iterate()) {
    pending.push(example);
    count += 1;
    if (pending.length === batchSize) {
      yield collate(pending);
      pending = [];
    }
  }
  if (pending.length > 0) yield collate(pending);
  if (count === 0) throw new Error('iterateBatches: the source yielded no examples (is the split empty?)');
}
