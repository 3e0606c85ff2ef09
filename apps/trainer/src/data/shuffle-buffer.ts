import type { RandomSource } from '@mlm/types';

/**
 * Shuffles a stream with a bounded buffer: the first `bufferSize` items fill the buffer; then each new
 * item replaces a uniformly chosen buffered item, which is emitted; at the end the rest is emitted in
 * random order. Memory is `bufferSize` items; a buffer at least as large as the stream gives a uniform
 * permutation. Draws happen only as items are pulled, so consuming the first `k` items always makes the
 * same draws (which makes exact resumption possible).
 */
export async function* shuffleBuffer<T>(source: AsyncIterable<T> | Iterable<T>, bufferSize: number, random: RandomSource): AsyncGenerator<T> {
  if (!Number.isInteger(bufferSize) || bufferSize < 1) {
    throw new Error(`shuffleBuffer: bufferSize = ${bufferSize}, expected an integer ≥ 1`);
  }
  const buffer: T[] = [];
  for await (const item of source) {
    if (buffer.length < bufferSize) {
      buffer.push(item);
      continue;
    }
    const index = Math.floor(random.next() * bufferSize);
    const chosen = buffer[index] as T;
    buffer[index] = item;
    yield chosen;
  }
  while (buffer.length > 0) {
    const index = Math.floor(random.next() * buffer.length);
    const chosen = buffer[index] as T;
    buffer[index] = buffer[buffer.length - 1] as T;
    buffer.pop();
    yield chosen;
  }
}
