/** Small numeric helpers on one row of logits (a subarray of length V), in float64. */

/** Index (relative to `start`) of the largest of `length` values; the lowest index wins ties. */
export function argmax(row: ArrayLike<number>, start = 0, length = row.length - start): number {
  let best = 0;
  let bestValue = row[start] as number;
  for (let j = 1; j < length; j++) {
    const value = row[start + j] as number;
    if (value > bestValue || Number.isNaN(bestValue)) {
      best = j;
      bestValue = value;
    }
  }
  return best;
}

/** softmax(row / temperature) in float64. */
export function softmax(row: ArrayLike<number>, temperature = 1): Float64Array {
  const out = new Float64Array(row.length);
  let max = Number.NEGATIVE_INFINITY;
  for (let j = 0; j < row.length; j++) max = Math.max(max, (row[j] as number) / temperature);
  let sum = 0;
  for (let j = 0; j < row.length; j++) {
    const e = Math.exp((row[j] as number) / temperature - max);
    out[j] = e;
    sum += e;
  }
  for (let j = 0; j < row.length; j++) out[j] = (out[j] as number) / sum;
  return out;
}

/** Probability of `token` under softmax(row) (temperature 1). */
export function probabilityOf(row: ArrayLike<number>, token: number): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let j = 0; j < row.length; j++) max = Math.max(max, row[j] as number);
  let sum = 0;
  for (let j = 0; j < row.length; j++) sum += Math.exp((row[j] as number) - max);
  return Math.exp((row[token] as number) - max) / sum;
}

/**
 * Indices of the `k` largest values, largest first; equal values keep index order (lowest first).
 */
export function topKIndices(values: ArrayLike<number>, k: number): number[] {
  const order = Array.from({ length: values.length }, (_, j) => j);
  order.sort((a, b) => (values[b] as number) - (values[a] as number) || a - b);
  return order.slice(0, k);
}

/**
 * xlm-core's top-p keep set: sort the probabilities in descending order, keep entries whose
 * cumulative sum (including the entry itself) is ≤ p, always keep the top-1. The token whose
 * probability crosses p is dropped (Hugging Face's rule keeps it). Sums and the comparison are done
 * in float32 as PyTorch does, so [0.5, 0.3, 0.2] with p = 0.8 keeps {0, 1} and p = 0.79 keeps {0}.
 */
export function topPKeepSet(probabilities: ArrayLike<number>, p: number): Uint8Array {
  const keep = new Uint8Array(probabilities.length);
  const order = topKIndices(probabilities, probabilities.length);
  const limit = Math.fround(p);
  let cumulative = 0;
  order.forEach((index, rank) => {
    cumulative = Math.fround(cumulative + Math.fround(probabilities[index] as number));
    if (rank === 0 || cumulative <= limit) keep[index] = 1;
  });
  return keep;
}
