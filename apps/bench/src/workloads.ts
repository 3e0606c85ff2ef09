import * as tf from '@tensorflow/tfjs-core';
import { createDefaultMLMCollator, SimpleSpaceTokenizer } from '@mlm/collators';
import { MLMLoss } from '@mlm/loss';
import { RotaryTransformerMLMModel } from '@mlm/model';
import { createMLMPredictor, createUnconditionalBatch } from '@mlm/predictor';
import { createRandom } from '@mlm/random';
import type { MLMBatch, RandomSource } from '@mlm/types';
import type { BenchConfig } from './bench-configs.js';

/** The id the synthetic batches use for [MASK] (as torch_ref.py). */
export const SYNTHETIC_MASK_ID = 1;

/**
 * A batch like torch_ref.py's: tokens uniform in [2, V), 15% of positions replaced by [MASK] and
 * scored, every position attended.
 */
export function syntheticBatch(config: BenchConfig, random: RandomSource, maskRate = 0.15): MLMBatch {
  const size = config.batchSize * config.length;
  const inputIds = new Int32Array(size);
  const targetIds = new Int32Array(size).fill(-100);
  for (let i = 0; i < size; i++) {
    const token = 2 + Math.floor(random.next() * (config.vocabSize - 2));
    if (random.next() < maskRate) {
      inputIds[i] = SYNTHETIC_MASK_ID;
      targetIds[i] = token;
    } else {
      inputIds[i] = token;
    }
  }
  const shape: [number, number] = [config.batchSize, config.length];
  return {
    inputIds: { data: inputIds, shape },
    targetIds: { data: targetIds, shape },
    attentionMask: { data: new Uint8Array(size).fill(1), shape },
  };
}

export function createBenchModel(config: BenchConfig, seed = 0): RotaryTransformerMLMModel {
  return RotaryTransformerMLMModel.create(
    {
      numEmbeddings: config.vocabSize,
      dModel: config.dModel,
      numLayers: config.numLayers,
      nhead: config.nhead,
      dimFeedforward: config.dimFeedforward,
      dropout: 0,
      rotaryEmbDim: config.dModel / config.nhead,
    },
    { random: createRandom(seed) },
  );
}

export interface TrainingWorkload {
  /** One step: forward, backward (MLMLoss), Adam update; returns the loss. */
  step(): number;
  /** One forward pass over the whole batch (logits [B, L, V]). */
  forward(): void;
  dispose(): void;
}

/** The real model and loss, with tf.train.adam as the update. */
export function createTrainingWorkload(config: BenchConfig, seed = 0): TrainingWorkload {
  const model = createBenchModel(config, seed);
  const loss = new MLMLoss({ model, maskTokenId: SYNTHETIC_MASK_ID });
  const batch = syntheticBatch(config, createRandom(seed + 1));
  const optimizer = tf.train.adam(1e-4);
  const variables = [...model.namedParameters().values()];
  const shape: [number, number] = [config.batchSize, config.length];
  const inputIds = tf.tensor2d(batch.inputIds.data, shape, 'int32');
  const positions = tf.tensor2d(Int32Array.from({ length: config.batchSize * config.length }, (_, i) => i % config.length), shape, 'int32');
  const attentionMask = tf.ones(shape, 'bool');
  return {
    step() {
      const cost = optimizer.minimize(() => loss.call(batch, { training: true }).loss, true, variables);
      if (!cost) throw new Error('the optimizer returned no loss');
      const value = cost.dataSync()[0]!;
      cost.dispose();
      model.afterUpdate?.();
      return value;
    },
    forward() {
      tf.tidy(() => model.forward(inputIds, { positions, attentionMask })).dispose();
    },
    dispose() {
      tf.dispose([inputIds, positions, attentionMask]);
      optimizer.dispose();
      model.dispose();
    },
  };
}

/** One full unconditional generation: `batchSize` rows of `length` [MASK], unmasked over `length` steps. */
export async function generateOnce(config: BenchConfig, seed = 0): Promise<{ ms: number; steps: number }> {
  const model = createBenchModel(config, seed);
  const tokenizer = SimpleSpaceTokenizer.forNumbers(10);
  if (tokenizer.vocabSize > config.vocabSize) {
    throw new Error(`generation: the ${config.name} config has ${config.vocabSize} tokens, the sudoku tokenizer needs ${tokenizer.vocabSize}`);
  }
  try {
    const predictor = createMLMPredictor({ model, tokenizer, random: createRandom(seed + 2), maxSteps: config.length });
    const batch = createUnconditionalBatch({ batchSize: config.batchSize, length: config.length, maskTokenId: tokenizer.maskTokenId });
    const start = performance.now();
    const prediction = await predictor.predict(batch);
    const ms = performance.now() - start;
    return { ms, steps: Math.max(...prediction.stepsTaken) };
  } finally {
    model.dispose();
  }
}

/** Sudoku-like rows: 81 digit tokens each (the collator adds BOS and EOS: 83). */
export function sudokuRows(count: number, random: RandomSource): Array<{ inputIds: number[] }> {
  const tokenizer = SimpleSpaceTokenizer.forNumbers(10);
  const digitIds = tokenizer.convertTokensToIds(Array.from({ length: 10 }, (_, digit) => String(digit)));
  return Array.from({ length: count }, () => ({ inputIds: Array.from({ length: 81 }, () => digitIds[Math.floor(random.next() * 10)]!) }));
}

/** Collates `rows` in batches of `batchSize` with the real DefaultMLMCollator; returns the batches made. */
export function collateAll(rows: Array<{ inputIds: number[] }>, batchSize: number, seed = 0): number {
  const collator = createDefaultMLMCollator({ tokenizer: SimpleSpaceTokenizer.forNumbers(10), random: createRandom(seed), blockSize: 83 });
  let batches = 0;
  for (let start = 0; start < rows.length; start += batchSize) {
    collator.collate(rows.slice(start, start + batchSize));
    batches++;
  }
  return batches;
}

/**
 * GEMM throughput: one [n, n] × [n, n] product. Reading one element back waits for the product on
 * asynchronous backends (webgl, webgpu) without copying the whole result out, which the PyTorch
 * yardstick's `torch.matmul` does not do either (a full `dataSync` of 1024² floats added ~1–2 ms, 5–8%).
 */
export function matMulOnce(a: tf.Tensor2D, b: tf.Tensor2D): void {
  const product = tf.matMul(a, b);
  const corner = tf.slice(product, [0, 0], [1, 1]);
  corner.dataSync();
  tf.dispose([corner, product]);
}
