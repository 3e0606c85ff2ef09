import type { CollatorInput } from '@mlm/types';
import type { ExampleSource } from './task.js';

/** A finite split held in memory (re-iterable, fixed order). */
export function createArraySource(examples: readonly CollatorInput[]): ExampleSource {
  return {
    size: examples.length,
    async *iterate() {
      yield* examples;
    },
  };
}

/** Reads a whole source into an array (for finite sources and tests). */
export async function collectExamples(source: ExampleSource, limit = Number.POSITIVE_INFINITY): Promise<CollatorInput[]> {
  const examples: CollatorInput[] = [];
  if (limit <= 0) return examples;
  for await (const example of source.iterate()) {
    examples.push(example);
    if (examples.length >= limit) break;
  }
  return examples;
}
