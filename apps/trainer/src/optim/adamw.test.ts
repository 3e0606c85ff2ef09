import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initializeBackend } from '@mlm/backend';
import { variableFrom } from './variable-from.js';
import { AdamW } from './adamw.js';

beforeAll(async () => {
  await initializeBackend({ backend: 'cpu', log: () => {} });
});

/** torch.optim.AdamW written out in float64 for one parameter. */
function referenceAdamW(
  theta: number[],
  gradients: number[][],
  lrs: number[],
  { beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weightDecay = 0.01, decay = true } = {},
): number[] {
  const p = [...theta];
  const m = p.map(() => 0);
  const v = p.map(() => 0);
  gradients.forEach((g, index) => {
    const t = index + 1;
    const lr = lrs[index]!;
    for (let i = 0; i < p.length; i++) {
      if (decay) p[i]! *= 1 - lr * weightDecay;
      m[i] = beta1 * m[i]! + (1 - beta1) * g[i]!;
      v[i] = beta2 * v[i]! + (1 - beta2) * g[i]! * g[i]!;
      const denominator = Math.sqrt(v[i]!) / Math.sqrt(1 - beta2 ** t) + eps;
      p[i] = p[i]! - (lr / (1 - beta1 ** t)) * (m[i]! / denominator);
    }
  });
  return p;
}

describe('AdamW', () => {
  it('matches a hand-computed torch.optim.AdamW over three steps, decay and no-decay groups', () => {
    const before = tf.memory().numTensors;
    const weight = variableFrom(() => tf.tensor1d([0.5, -1.5, 2.0]));
    const bias = variableFrom(() => tf.tensor1d([0.25, -0.125]));
    const optimizer = new AdamW(
      [
        { name: 'w', variable: weight, decay: true },
        { name: 'b', variable: bias, decay: false },
      ],
      { betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0.1 },
    );
    const weightGradients = [[0.1, -0.2, 0.3], [0.05, 0.4, -0.1], [-0.3, 0.0, 0.2]];
    const biasGradients = [[1, -1], [0.5, 0.25], [-2, 0.1]];
    const lrs = [0, 0.01, 0.02]; // the first step at lr 0, as a warm-up schedule does
    for (let step = 0; step < 3; step++) {
      const gradients = new Map([
        ['w', tf.tensor1d(weightGradients[step]!)],
        ['b', tf.tensor1d(biasGradients[step]!)],
      ]);
      optimizer.step(gradients, lrs[step]!);
      for (const gradient of gradients.values()) gradient.dispose();
    }
    const expectedWeight = referenceAdamW([0.5, -1.5, 2.0], weightGradients, lrs, { weightDecay: 0.1 });
    const expectedBias = referenceAdamW([0.25, -0.125], biasGradients, lrs, { weightDecay: 0.1, decay: false });
    const gotWeight = Array.from(weight.dataSync());
    const gotBias = Array.from(bias.dataSync());
    gotWeight.forEach((value, i) => expect(value).toBeCloseTo(expectedWeight[i]!, 6));
    gotBias.forEach((value, i) => expect(value).toBeCloseTo(expectedBias[i]!, 6));
    expect(optimizer.stepCount).toBe(3);
    // The step with lr 0 still moved the moments: the second step is a full Adam step, not the first.
    expect(expectedWeight[0]).not.toBeCloseTo(referenceAdamW([0.5, -1.5, 2.0], weightGradients.slice(1), lrs.slice(1), { weightDecay: 0.1 })[0]!, 6);
    optimizer.dispose();
    weight.dispose();
    bias.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('saves and restores its moments so a resumed optimiser continues identically', () => {
    const make = () => variableFrom(() => tf.tensor1d([1, 2, 3]));
    const a = make();
    const b = make();
    const optimizerA = new AdamW([{ name: 'p', variable: a, decay: true }], { betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0.01 });
    const grads = [[0.1, 0.2, -0.3], [0.3, -0.1, 0.2], [-0.2, 0.4, 0.1]].map((g) => new Map([['p', tf.tensor1d(g)]]));
    optimizerA.step(grads[0]!, 0.1);
    b.assign(a);
    const optimizerB = new AdamW([{ name: 'p', variable: b, decay: true }], { betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0.01 });
    optimizerB.loadState(optimizerA.stateTensors(), optimizerA.stepCount);
    for (const g of grads.slice(1)) {
      optimizerA.step(g, 0.1);
      optimizerB.step(g, 0.1);
    }
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    expect(() => optimizerB.loadState(new Map(), 1)).toThrow(/missing exp_avg\.p/);
    for (const g of grads) g.get('p')!.dispose();
    optimizerA.dispose();
    optimizerB.dispose();
    a.dispose();
    b.dispose();
  });

  it('rejects invalid hyper-parameters with the value', () => {
    const v = variableFrom(() => tf.scalar(1));
    expect(() => new AdamW([{ name: 'p', variable: v, decay: true }], { betas: [1, 0.999], eps: 1e-8, weightDecay: 0 })).toThrow(/betas.*\[1, 0\.999\]/);
    v.dispose();
  });
});
