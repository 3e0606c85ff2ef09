import type { RandomSource } from '@mlm/types';

/**
 * A uniform integer in `[low, high)` (NumPy's `randint(low, high)` convention: `high` is exclusive).
 */
export function randomInteger(random: RandomSource, low: number, high: number): number {
  if (!Number.isInteger(low) || !Number.isInteger(high) || high <= low) {
    throw new Error(`randomInteger: expected integers with low < high, got low = ${low}, high = ${high}`);
  }
  return low + Math.floor(random.next() * (high - low));
}

/** Shuffles `items` in place (Fisher–Yates from the end, as CPython's `random.shuffle`) and returns it. */
export function shuffleInPlace<T>(items: T[], random: RandomSource): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random.next() * (i + 1));
    const item = items[i] as T;
    items[i] = items[j] as T;
    items[j] = item;
  }
  return items;
}

/**
 * `count` distinct integers from `[0, populationSize)` in random order (NumPy's
 * `choice(populationSize, count, replace=False)` distribution), by a partial Fisher–Yates shuffle.
 */
export function sampleWithoutReplacement(random: RandomSource, populationSize: number, count: number): number[] {
  if (!Number.isInteger(count) || count < 0 || count > populationSize) {
    throw new Error(`sampleWithoutReplacement: count = ${count}, expected an integer in [0, ${populationSize}]`);
  }
  const population = Array.from({ length: populationSize }, (_, i) => i);
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(random.next() * (populationSize - i));
    const item = population[i] as number;
    population[i] = population[j] as number;
    population[j] = item;
  }
  return population.slice(0, count);
}
