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

/** softmax(row / temperature) into `out` (float64), without allocating. */
export function softmaxInto(row: Float32Array, temperature: number, out: Float64Array): Float64Array {
  let max = Number.NEGATIVE_INFINITY;
  for (let j = 0; j < row.length; j++) if ((row[j] as number) > max) max = row[j] as number;
  let sum = 0;
  for (let j = 0; j < row.length; j++) {
    const e = Math.exp(((row[j] as number) - max) / temperature);
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
 * Small k scans once with a sorted buffer of k entries (O(V·k) worst case, usually O(V)); large k sorts.
 */
export function topKIndices(values: ArrayLike<number>, k: number): number[] {
  const n = values.length;
  const count = Math.max(0, Math.min(k, n));
  if (count * 8 >= n) {
    const order = Array.from({ length: n }, (_, j) => j);
    order.sort((a, b) => (values[b] as number) - (values[a] as number) || a - b);
    return order.slice(0, count);
  }
  const bestValues = new Float64Array(count);
  const bestIndices = new Int32Array(count);
  let filled = 0;
  for (let j = 0; j < n; j++) {
    const value = values[j] as number;
    if (filled === count && !(value > (bestValues[count - 1] as number))) continue;
    // Insert after every entry ≥ value, so earlier indices win ties.
    let position = filled === count ? count - 1 : filled;
    while (position > 0 && value > (bestValues[position - 1] as number)) {
      bestValues[position] = bestValues[position - 1] as number;
      bestIndices[position] = bestIndices[position - 1] as number;
      position--;
    }
    bestValues[position] = value;
    bestIndices[position] = j;
    if (filled < count) filled++;
  }
  return Array.from(bestIndices.subarray(0, filled));
}

/**
 * xlm-core's top-p keep set: sort the probabilities in descending order, keep entries whose
 * cumulative sum (including the entry itself) is ≤ p, always keep the top-1. The token whose
 * probability crosses p is dropped (Hugging Face's rule keeps it). Sums and the comparison are done
 * in float32 as PyTorch does, so [0.5, 0.3, 0.2] with p = 0.8 keeps {0, 1} and p = 0.79 keeps {0}.
 * Equal probabilities are ranked by index (lowest first).
 *
 * Only the head of the distribution is sorted: probabilities are bucketed by magnitude (8 buckets
 * per octave), and only the buckets down to the one where the running (float64) sum safely exceeds p
 * are sorted — for a peaked distribution a few dozen values instead of the whole vocabulary.
 */
export function topPKeepSet(probabilities: ArrayLike<number>, p: number): Uint8Array {
  const n = probabilities.length;
  const keep = new Uint8Array(n);
  if (n === 0) return keep;
  const sorted = headCandidates(probabilities, p).sort(); // ascending; read from the end
  const limit = Math.fround(p);
  let cumulative = 0;
  let kept = 0;
  for (let r = sorted.length - 1; r >= 0; r--) {
    cumulative = Math.fround(cumulative + Math.fround(sorted[r] as number));
    // The cumulative sum never decreases, so the first failure ends the kept prefix.
    if (kept > 0 && !(cumulative <= limit)) break;
    kept++;
  }
  const cutoff = sorted[sorted.length - kept] as number;
  let above = 0;
  for (let j = 0; j < n; j++) {
    if ((probabilities[j] as number) > cutoff) {
      keep[j] = 1;
      above++;
    }
  }
  let ties = kept - above;
  for (let j = 0; j < n && ties > 0; j++) {
    if (probabilities[j] === cutoff) {
      keep[j] = 1;
      ties--;
    }
  }
  return keep;
}

const BUCKETS_PER_OCTAVE = 8;
const BUCKETS = 1024;

/**
 * The probabilities that can be part of the kept prefix or cross p: those at or above the
 * magnitude bucket where the float64 running sum exceeds p by more than float32 accumulation
 * could be off (n · 2⁻²⁴). Falls back to all values when no bucket is that far past p.
 */
function headCandidates(probabilities: ArrayLike<number>, p: number): Float64Array {
  const n = probabilities.length;
  const bucketOf = new Uint16Array(n);
  const bucketSums = new Float64Array(BUCKETS);
  for (let j = 0; j < n; j++) {
    const value = probabilities[j] as number;
    const bucket = value > 0 ? Math.min(BUCKETS - 1, Math.max(0, Math.floor(-Math.log2(value) * BUCKETS_PER_OCTAVE))) : BUCKETS - 1;
    bucketOf[j] = bucket;
    bucketSums[bucket] = (bucketSums[bucket] as number) + (value > 0 ? value : 0);
  }
  const margin = n * 2 ** -24 + 1e-7;
  let running = 0;
  let lastBucket = BUCKETS - 1;
  for (let bucket = 0; bucket < BUCKETS; bucket++) {
    running += bucketSums[bucket] as number;
    if (running > p + margin) {
      lastBucket = bucket;
      break;
    }
  }
  if (lastBucket === BUCKETS - 1) return Float64Array.from(probabilities);
  let count = 0;
  for (let j = 0; j < n; j++) if ((bucketOf[j] as number) <= lastBucket) count++;
  const head = new Float64Array(count);
  let next = 0;
  for (let j = 0; j < n; j++) if ((bucketOf[j] as number) <= lastBucket) head[next++] = probabilities[j] as number;
  return head;
}
