import { z } from 'zod';
import type { RandomSource } from '@mlm/types';
import { gumbelNoise, uniformArray } from '@mlm/random';
import { argmax, softmax, softmaxInto, topKIndices, topPKeepSet } from './sampling-math.js';
import { parseConstructorOptions } from '@mlm/components';

/**
 * Turns logits into token ids. `logits` holds `numRows` rows of `vocabSize` values (row-major: the
 * logits at the positions being unmasked, in row-major order of (b, i)); the result has one id per
 * row. All randomness comes from `random`, drawn in row order.
 */
export interface TokenSampler {
  readonly name: string;
  sample(logits: Float32Array, numRows: number, vocabSize: number, random: RandomSource): Int32Array;
}

/**
 * How a sampler draws from its (filtered, tempered) distribution:
 * - `gumbel-max` (xlm-core): `argmax(logits / T + g(u))` with `g(u) = −log(−log(u + 1e-10) + 1e-10)`,
 *   one `u` per candidate token (N·V draws, N·k for top-k);
 * - `inverse-cdf`: one `u` per row, the first token whose cumulative probability exceeds it (N draws).
 * Both sample exactly from softmax(logits / T) over the kept tokens.
 */
export type SamplingMethod = 'gumbel-max' | 'inverse-cdf';

const methodSchema = z.enum(['gumbel-max', 'inverse-cdf']).default('gumbel-max');
const temperatureSchema = z.number().positive().finite().default(1);

function rowOf(logits: Float32Array, row: number, vocabSize: number): Float32Array {
  return logits.subarray(row * vocabSize, (row + 1) * vocabSize);
}

/** Picks from `candidates` (token ids) with weights ∝ exp(values); values are tempered logits. */
function drawInverseCdf(values: ArrayLike<number>, candidates: ArrayLike<number>, u: number): number {
  const probabilities = softmax(values);
  let cumulative = 0;
  for (let j = 0; j < probabilities.length; j++) {
    cumulative += probabilities[j] as number;
    if (u < cumulative) return candidates[j] as number;
  }
  // Rounding left the total a hair below u: take the last candidate with non-zero probability.
  for (let j = probabilities.length - 1; j >= 0; j--) if ((probabilities[j] as number) > 0) return candidates[j] as number;
  return candidates[0] as number;
}

/** Inverse-CDF draw from softmax(row / t) over the whole row, without allocating. */
function inverseCdfRow(row: Float32Array, t: number, u: number): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let j = 0; j < row.length; j++) if ((row[j] as number) > max) max = row[j] as number;
  let sum = 0;
  for (let j = 0; j < row.length; j++) sum += Math.exp(((row[j] as number) - max) / t);
  const target = u * sum;
  let cumulative = 0;
  let lastPositive = 0;
  for (let j = 0; j < row.length; j++) {
    const weight = Math.exp(((row[j] as number) - max) / t);
    if (weight > 0) lastPositive = j;
    cumulative += weight;
    if (target < cumulative) return j;
  }
  return lastPositive;
}

/** Deterministic argmax. Draws nothing (xlm-core's top-1 sampler draws noise that cannot matter). */
export class GreedySampler implements TokenSampler {
  readonly name = 'greedy';
  sample(logits: Float32Array, numRows: number, vocabSize: number, _random?: RandomSource): Int32Array {
    const out = new Int32Array(numRows);
    for (let r = 0; r < numRows; r++) out[r] = argmax(logits, r * vocabSize, vocabSize);
    return out;
  }
}

export interface CategoricalSamplerOptions {
  temperature?: number;
  method?: SamplingMethod;
}
/** Options of `CategoricalSampler` (also the `mlm/categorical` component's). */
export const categoricalSamplerOptionsSchema = z.strictObject({ temperature: temperatureSchema, method: methodSchema });

/** Samples from softmax(logits / T) over the whole vocabulary (xlm-core `sample_from_logits`). */
export class CategoricalSampler implements TokenSampler {
  readonly name = 'categorical';
  readonly temperature: number;
  readonly method: SamplingMethod;
  constructor(options: CategoricalSamplerOptions = {}) {
    const parsed = parseConstructorOptions(categoricalSamplerOptionsSchema, options, 'categorical sampler');
    this.temperature = parsed.temperature;
    this.method = parsed.method;
  }
  sample(logits: Float32Array, numRows: number, vocabSize: number, random: RandomSource): Int32Array {
    const out = new Int32Array(numRows);
    const t = this.temperature;
    if (this.method === 'inverse-cdf') {
      const u = uniformArray(random, numRows);
      for (let r = 0; r < numRows; r++) out[r] = inverseCdfRow(rowOf(logits, r, vocabSize), t, u[r] as number);
      return out;
    }
    const noise = gumbelNoise(random, numRows * vocabSize);
    for (let r = 0; r < numRows; r++) {
      let best = 0;
      let bestValue = Number.NEGATIVE_INFINITY;
      for (let j = 0; j < vocabSize; j++) {
        const value = (logits[r * vocabSize + j] as number) / t + (noise[r * vocabSize + j] as number);
        if (value > bestValue) {
          bestValue = value;
          best = j;
        }
      }
      out[r] = best;
    }
    return out;
  }
}

export interface TopKSamplerOptions {
  k: number;
  temperature?: number;
  method?: SamplingMethod;
}
/** Options of `TopKSampler` (also the `mlm/top-k` component's). */
export const topKSamplerOptionsSchema = z.strictObject({ k: z.number().int().min(1), temperature: temperatureSchema, method: methodSchema });

/**
 * Samples among the k most likely tokens (xlm-core `sample_from_top_k`): `k = min(k, V)`, Gumbel
 * noise for the k candidates of each row. With k = 1 it is a deterministic argmax (the noise is drawn).
 */
export class TopKSampler implements TokenSampler {
  readonly name = 'top-k';
  readonly k: number;
  readonly temperature: number;
  readonly method: SamplingMethod;
  constructor(options: TopKSamplerOptions) {
    const parsed = parseConstructorOptions(topKSamplerOptionsSchema, options, 'top-k sampler');
    this.k = parsed.k;
    this.temperature = parsed.temperature;
    this.method = parsed.method;
  }
  sample(logits: Float32Array, numRows: number, vocabSize: number, random: RandomSource): Int32Array {
    const k = Math.min(this.k, vocabSize);
    const out = new Int32Array(numRows);
    const noise = this.method === 'gumbel-max' ? gumbelNoise(random, numRows * k) : uniformArray(random, numRows);
    for (let r = 0; r < numRows; r++) {
      const row = rowOf(logits, r, vocabSize);
      const candidates = topKIndices(row, k);
      const tempered = candidates.map((j) => (row[j] as number) / this.temperature);
      if (this.method === 'inverse-cdf') {
        out[r] = drawInverseCdf(tempered, candidates, noise[r] as number);
      } else {
        const noisy = tempered.map((value, c) => value + (noise[r * k + c] as number));
        out[r] = candidates[argmax(noisy)] as number;
      }
    }
    return out;
  }
}

export interface TopPSamplerOptions {
  p: number;
  temperature?: number;
  method?: SamplingMethod;
}
/** Options of `TopPSampler` (also the `mlm/top-p` component's). */
export const topPSamplerOptionsSchema = z.strictObject({
  p: z.number().gt(0, { error: 'expected 0 < p ≤ 1' }).lte(1, { error: 'expected 0 < p ≤ 1' }),
  temperature: temperatureSchema,
  method: methodSchema,
});

/**
 * Nucleus sampling with xlm-core's rule (`sample_from_top_p`): keep the most likely tokens whose
 * cumulative probability, *including* the token itself, is ≤ p, and always the top-1. Hugging Face's
 * rule also keeps the token that crosses p; this one drops it (see `topPKeepSet`).
 */
export class TopPSampler implements TokenSampler {
  readonly name = 'top-p';
  readonly p: number;
  readonly temperature: number;
  readonly method: SamplingMethod;
  constructor(options: TopPSamplerOptions) {
    const parsed = parseConstructorOptions(topPSamplerOptionsSchema, options, 'top-p sampler');
    this.p = parsed.p;
    this.temperature = parsed.temperature;
    this.method = parsed.method;
  }
  /** The ids kept for one row of logits (exposed for tests and tooling). */
  keepSet(row: ArrayLike<number>): Uint8Array {
    return topPKeepSet(softmax(row, this.temperature), this.p);
  }
  sample(logits: Float32Array, numRows: number, vocabSize: number, random: RandomSource): Int32Array {
    const out = new Int32Array(numRows);
    const t = this.temperature;
    const noise = this.method === 'gumbel-max' ? gumbelNoise(random, numRows * vocabSize) : uniformArray(random, numRows);
    const probabilities = new Float64Array(vocabSize);
    for (let r = 0; r < numRows; r++) {
      const row = rowOf(logits, r, vocabSize);
      softmaxInto(row, t, probabilities);
      const keep = topPKeepSet(probabilities, this.p);
      if (this.method === 'inverse-cdf') {
        let total = 0;
        for (let j = 0; j < vocabSize; j++) if (keep[j]) total += probabilities[j] as number;
        const target = (noise[r] as number) * total;
        let cumulative = 0;
        let chosen = -1;
        for (let j = 0; j < vocabSize; j++) {
          if (!keep[j]) continue;
          chosen = j;
          cumulative += probabilities[j] as number;
          if (target < cumulative) break;
        }
        out[r] = chosen;
      } else {
        let best = -1;
        let bestValue = Number.NEGATIVE_INFINITY;
        for (let j = 0; j < vocabSize; j++) {
          if (!keep[j]) continue;
          const value = (row[j] as number) / t + (noise[r * vocabSize + j] as number);
          if (best < 0 || value > bestValue) {
            best = j;
            bestValue = value;
          }
        }
        out[r] = best;
      }
    }
    return out;
  }
}

export interface SamplingOptions {
  /** 0 = greedy (then topK/topP are ignored, as in xlm-core). Default 1. */
  temperature?: number;
  topK?: number | null;
  topP?: number | null;
  method?: SamplingMethod;
}

/**
 * xlm-core's choice of sampling function: temperature 0 → greedy (top-k/top-p ignored, even both);
 * neither → categorical at the temperature; only topK → top-k; only topP → top-p; both → error.
 */
export function createSamplerFromOptions({ temperature = 1, topK = null, topP = null, method = 'gumbel-max' }: SamplingOptions = {}): TokenSampler {
  if (!(typeof temperature === 'number' && Number.isFinite(temperature) && temperature >= 0)) {
    throw new Error(`sampling: temperature = ${String(temperature)}, expected a finite number ≥ 0 (0 = greedy)`);
  }
  if (temperature === 0) return new GreedySampler();
  if (topK !== null && topK !== undefined && topP !== null && topP !== undefined) {
    throw new Error(`Both topK and topP are set (topK = ${topK}, topP = ${topP}); set at most one of them`);
  }
  if (topK !== null && topK !== undefined) return new TopKSampler({ k: topK, temperature, method });
  if (topP !== null && topP !== undefined) return new TopPSampler({ p: topP, temperature, method });
  return new CategoricalSampler({ temperature, method });
}
