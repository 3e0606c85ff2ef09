import type { RandomSource } from '@mlm/types';

/** `n` uniform floats in [0, 1) as float32, drawn in index order. */
export function uniformArray(random: RandomSource, n: number): Float32Array {
  return random.fill(new Float32Array(n)) as Float32Array;
}

/**
 * Gumbel noise with xlm-core's epsilons: g(u) = −log(−log(u + 1e-10) + 1e-10), for `n` draws.
 * Computed in float64, stored as float32.
 */
export function gumbelNoise(random: RandomSource, n: number): Float32Array {
  const out = uniformArray(random, n);
  for (let i = 0; i < n; i++) out[i] = -Math.log(-Math.log((out[i] as number) + 1e-10) + 1e-10);
  return out;
}
