import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initializeBackend } from '@mlm/backend';
import { ExponentialMovingAverage } from './ema.js';
import { variableFrom } from './variable-from.js';

beforeAll(async () => {
  await initializeBackend({ backend: 'cpu', log: () => {} });
});

describe('ExponentialMovingAverage', () => {
  it('uses decay min(d, (1+n)/(10+n)) and shadow ← shadow − (1−d)(shadow − θ)', async () => {
    const before = tf.memory().numTensors;
    const theta = variableFrom(() => tf.tensor1d([1, 2]));
    const ema = new ExponentialMovingAverage(new Map([['w', theta]]), 0.9);
    let shadow = [1, 2];
    const values = [[3, 4], [5, -1], [0, 0], [2, 2]];
    values.forEach((value, index) => {
      tf.tidy(() => theta.assign(tf.tensor1d(value)));
      ema.update();
      const n = index + 1;
      const d = Math.min(0.9, (1 + n) / (10 + n));
      shadow = shadow.map((s, i) => s - (1 - d) * (s - value[i]!));
    });
    expect(ExponentialMovingAverage.decayAt(0.9999, 1)).toBeCloseTo(2 / 11, 12);
    const got = Array.from(ema.stateTensors().get('w')!.dataSync());
    got.forEach((value, i) => expect(value).toBeCloseTo(shadow[i]!, 5));
    // Swapped in for evaluation, swapped back afterwards.
    const seen = await ema.withAveragedWeights(() => Array.from(theta.dataSync()));
    seen.forEach((value, i) => expect(value).toBeCloseTo(shadow[i]!, 5));
    expect(Array.from(theta.dataSync())).toEqual([2, 2]);
    ema.copyToModel();
    Array.from(theta.dataSync()).forEach((value, i) => expect(value).toBeCloseTo(shadow[i]!, 5));
    ema.dispose();
    theta.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
