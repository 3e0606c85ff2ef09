import { describe, expect, it } from 'vitest';
import { createRandom } from '@mlm/random';
import { createScriptedRandom } from '@mlm/random/testing';
import {
  CategoricalSampler,
  GreedySampler,
  TopKSampler,
  TopPSampler,
  createSamplerFromOptions,
  topPKeepSet,
} from './index.js';

const logitsOf = (probabilities: number[]): Float32Array => Float32Array.from(probabilities.map(Math.log));

/** Draws `n` samples from one row and returns the frequency of each token. */
function frequencies(sample: (random: ReturnType<typeof createRandom>) => Int32Array, vocabSize: number, seed: number): number[] {
  const random = createRandom(seed);
  const counts = new Array<number>(vocabSize).fill(0);
  const tokens = sample(random);
  tokens.forEach((token) => counts[token]!++);
  return counts.map((c) => c / tokens.length);
}

function repeatRow(row: Float32Array, n: number): Float32Array {
  const out = new Float32Array(row.length * n);
  for (let r = 0; r < n; r++) out.set(row, r * row.length);
  return out;
}

describe('choice of sampler (xlm-core order)', () => {
  it('temperature 0 is greedy and overrides topK/topP, even both', () => {
    expect(createSamplerFromOptions({ temperature: 0, topK: 5, topP: 0.9 })).toBeInstanceOf(GreedySampler);
  });

  it('both topK and topP is an error', () => {
    expect(() => createSamplerFromOptions({ topK: 5, topP: 0.9 })).toThrow(/Both topK and topP are set \(topK = 5, topP = 0.9\)/);
  });

  it('neither → categorical, topK → top-k, topP → top-p, at the given temperature', () => {
    const categorical = createSamplerFromOptions({ temperature: 0.5 });
    expect(categorical).toBeInstanceOf(CategoricalSampler);
    expect((categorical as CategoricalSampler).temperature).toBe(0.5);
    expect(createSamplerFromOptions({ topK: 3 })).toBeInstanceOf(TopKSampler);
    expect(createSamplerFromOptions({ topP: 0.5 })).toBeInstanceOf(TopPSampler);
  });

  it('bad values are named', () => {
    expect(() => createSamplerFromOptions({ temperature: -1 })).toThrow(/temperature = -1, expected a finite number ≥ 0/);
    expect(() => createSamplerFromOptions({ topK: 0 })).toThrow(/top-k sampler: k = 0/);
    expect(() => createSamplerFromOptions({ topP: 1.5 })).toThrow(/top-p sampler: p = 1.5: expected 0 < p ≤ 1/);
    expect(() => createSamplerFromOptions({ topP: 0 })).toThrow(/p = 0: expected 0 < p ≤ 1/);
  });
});

describe('greedy', () => {
  it('takes the argmax of each row (lowest id on ties) and draws nothing', () => {
    const random = createScriptedRandom([]);
    const tokens = new GreedySampler().sample(Float32Array.of(0, 3, 1, /* row 2 */ 5, 5, 1), 2, 3, random);
    expect(Array.from(tokens)).toEqual([1, 0]);
    expect(random.used).toBe(0);
  });
});

describe('top-k', () => {
  it('k = 1 is deterministic whatever the seed (and still draws one noise value per row, as xlm-core)', () => {
    const logits = Float32Array.of(0.1, 2, 0.3, 1.9, /* row 2 */ 4, 0, 0, 0);
    for (const seed of [1, 2, 3]) {
      const random = createScriptedRandom([0.01, 0.99]);
      expect(Array.from(new TopKSampler({ k: 1 }).sample(logits, 2, 4, random))).toEqual([1, 0]);
      expect(random.used).toBe(2);
      expect(Array.from(new TopKSampler({ k: 1, temperature: 2 }).sample(logits, 2, 4, createRandom(seed)))).toEqual([1, 0]);
    }
  });

  it('only ever returns one of the k most likely tokens, with their relative probabilities', () => {
    const row = logitsOf([0.4, 0.3, 0.2, 0.1]);
    const sampler = new TopKSampler({ k: 2 });
    const freq = frequencies((random) => sampler.sample(repeatRow(row, 20000), 20000, 4, random), 4, 3);
    expect(freq[2]).toBe(0);
    expect(freq[3]).toBe(0);
    expect(freq[0]).toBeCloseTo(0.4 / 0.7, 1);
  });

  it('k larger than V means the whole vocabulary', () => {
    expect(() => new TopKSampler({ k: 100 }).sample(logitsOf([0.5, 0.5]), 1, 2, createRandom(0))).not.toThrow();
  });
});

describe('top-p (xlm-core rule)', () => {
  it('keeps cumulative ≤ p: [0.5, 0.3, 0.2] with p = 0.8 keeps {0, 1}, with p = 0.79 keeps {0}', () => {
    expect(Array.from(topPKeepSet([0.5, 0.3, 0.2], 0.8))).toEqual([1, 1, 0]);
    expect(Array.from(topPKeepSet([0.5, 0.3, 0.2], 0.79))).toEqual([1, 0, 0]);
    // Also through softmax of logits, in any vocabulary order.
    expect(Array.from(new TopPSampler({ p: 0.8 }).keepSet(logitsOf([0.2, 0.3, 0.5])))).toEqual([0, 1, 1]);
    expect(Array.from(new TopPSampler({ p: 0.79 }).keepSet(logitsOf([0.2, 0.3, 0.5])))).toEqual([0, 0, 1]);
  });

  it('always keeps the top-1, even when it alone exceeds p', () => {
    expect(Array.from(topPKeepSet([0.9, 0.1], 0.5))).toEqual([1, 0]);
  });

  it('samples only from the kept set', () => {
    const sampler = new TopPSampler({ p: 0.8 });
    const freq = frequencies((random) => sampler.sample(repeatRow(logitsOf([0.5, 0.3, 0.2]), 20000), 20000, 3, random), 3, 5);
    expect(freq[2]).toBe(0);
    expect(freq[0]).toBeCloseTo(0.5 / 0.8, 1);
  });
});

describe('categorical', () => {
  for (const method of ['gumbel-max', 'inverse-cdf'] as const) {
    it(`${method} draws from softmax(logits / T)`, () => {
      const sampler = new CategoricalSampler({ temperature: 1, method });
      const freq = frequencies((random) => sampler.sample(repeatRow(logitsOf([0.6, 0.3, 0.1]), 30000), 30000, 3, random), 3, 11);
      expect(freq[0]).toBeCloseTo(0.6, 1);
      expect(freq[1]).toBeCloseTo(0.3, 1);
      expect(freq[2]).toBeCloseTo(0.1, 1);
      // T = 0.5 squares the odds: p ∝ [0.36, 0.09, 0.01].
      const cold = new CategoricalSampler({ temperature: 0.5, method });
      const coldFreq = frequencies((random) => cold.sample(repeatRow(logitsOf([0.6, 0.3, 0.1]), 30000), 30000, 3, random), 3, 12);
      expect(coldFreq[0]).toBeCloseTo(0.36 / 0.46, 1);
    });
  }

  it('gumbel-max draws one uniform per logit, inverse-cdf one per row', () => {
    const gumbel = createScriptedRandom(new Array(6).fill(0.5));
    new CategoricalSampler().sample(logitsOf([0.5, 0.25, 0.25, 0.5, 0.25, 0.25]), 2, 3, gumbel);
    expect(gumbel.used).toBe(6);
    const inverse = createScriptedRandom([0.1, 0.9]);
    const tokens = new CategoricalSampler({ method: 'inverse-cdf' }).sample(logitsOf([0.5, 0.25, 0.25, 0.5, 0.25, 0.25]), 2, 3, inverse);
    expect(inverse.used).toBe(2);
    expect(Array.from(tokens)).toEqual([0, 2]);
  });

  it('the same seed gives the same tokens; another seed other tokens', () => {
    const logits = repeatRow(logitsOf([0.25, 0.25, 0.25, 0.25]), 64);
    const sampler = new CategoricalSampler();
    const a = sampler.sample(logits, 64, 4, createRandom(7));
    expect(Array.from(sampler.sample(logits, 64, 4, createRandom(7)))).toEqual(Array.from(a));
    expect(Array.from(sampler.sample(logits, 64, 4, createRandom(8)))).not.toEqual(Array.from(a));
  });
});

describe('selection helpers agree with a plain sort', () => {
  it('topKIndices and topPKeepSet match the stable-sort definition on random rows with ties', async () => {
    const { topKIndices } = await import('./sampling-math.js');
    const random = createRandom(21);
    for (let trial = 0; trial < 200; trial++) {
      const n = 1 + Math.floor(random.next() * 60);
      // Few distinct values → many ties.
      const raw = Array.from({ length: n }, () => Math.floor(random.next() * 6));
      const total = raw.reduce((s, v) => s + v, 0) || 1;
      const probabilities = raw.map((v) => v / total);
      const order = probabilities.map((_, j) => j).sort((a, b) => probabilities[b]! - probabilities[a]! || a - b);
      const k = 1 + Math.floor(random.next() * n);
      expect(topKIndices(probabilities, k)).toEqual(order.slice(0, k));
      expect(topKIndices(probabilities, 2)).toEqual(order.slice(0, 2));
      const p = 0.05 + random.next() * 0.95;
      const expected = new Uint8Array(n);
      let cumulative = 0;
      order.forEach((index, rank) => {
        cumulative = Math.fround(cumulative + Math.fround(probabilities[index]!));
        if (rank === 0 || cumulative <= Math.fround(p)) expected[index] = 1;
      });
      // The reference rule stops at the first rank over p; cumulative sums never decrease, so same set.
      expect(Array.from(topPKeepSet(probabilities, p))).toEqual(Array.from(expected));
    }
  });
});

describe('top-p on a large peaked vocabulary', () => {
  it('sorting only the head gives the full-sort keep set', () => {
    const random = createRandom(4);
    for (const p of [0.5, 0.9, 0.99, 1]) {
      const raw = Array.from({ length: 5000 }, (_, j) => (1 / (j + 1) ** 1.2) * (0.5 + random.next()));
      const total = raw.reduce((s, v) => s + v, 0);
      const probabilities = Float64Array.from(raw, (v) => v / total);
      const order = Array.from(probabilities.keys()).sort((a, b) => probabilities[b]! - probabilities[a]! || a - b);
      const expected = new Uint8Array(5000);
      let cumulative = 0;
      for (const [rank, index] of order.entries()) {
        cumulative = Math.fround(cumulative + Math.fround(probabilities[index]!));
        if (rank > 0 && !(cumulative <= Math.fround(p))) break;
        expected[index] = 1;
      }
      expect(Array.from(topPKeepSet(probabilities, p))).toEqual(Array.from(expected));
    }
  });
});
