/** The small differentiable building blocks of the model, on tfjs-core ops only. */
import * as tf from '@tensorflow/tfjs-core';
import { LAYER_NORM_GRAD_KERNEL, LAYER_NORM_KERNEL } from '@mlm/types';

/**
 * LayerNorm over the last dimension: (x − mean) / √(biased var + eps) · weight + bias.
 *
 * Where @mlm/backend has registered the fused kernel `MlmLayerNorm` for the active backend (cpu and
 * wasm: one pass per row in JavaScript or in the native addon's C, and one kernel for all three
 * gradients), this runs it instead of the nine composed ops (and their ~20 gradient ops). It computes
 * the row statistics in float64 and rounds each output once, so it agrees with the composed float32 ops
 * to float32 rounding. Other backends (webgl, webgpu, tfjs-node) keep the composed ops. This package
 * knows the kernel only by its name (from @mlm/types), not @mlm/backend's code.
 */
export function layerNorm(x: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor, epsilon: number): tf.Tensor {
  const dim = x.shape[x.shape.length - 1];
  if (
    x.dtype === 'float32' &&
    weight.rank === 1 && weight.shape[0] === dim &&
    bias.rank === 1 && bias.shape[0] === dim &&
    fusedLayerNormAvailable()
  ) {
    return tf.engine().runKernel(LAYER_NORM_KERNEL, { x, weight, bias }, { epsilon }) as tf.Tensor;
  }
  return layerNormComposed(x, weight, bias, epsilon);
}

/** `layerNorm` from stock ops (mean, sub, square, mean, add, rsqrt, mul, mul, add), whatever kernels are registered. */
export function layerNormComposed(x: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor, epsilon: number): tf.Tensor {
  const mean = tf.mean(x, -1, true);
  const centered = tf.sub(x, mean);
  const variance = tf.mean(tf.square(centered), -1, true);
  return tf.add(tf.mul(tf.mul(centered, tf.rsqrt(tf.add(variance, epsilon))), weight), bias);
}

/** Whether the fused layer-norm kernel, its gradient kernel and its gradient are registered for the active backend. */
export function fusedLayerNormAvailable(): boolean {
  const backend = tf.getBackend();
  return Boolean(tf.getKernel(LAYER_NORM_KERNEL, backend) && tf.getKernel(LAYER_NORM_GRAD_KERNEL, backend) && tf.getGradient(LAYER_NORM_KERNEL));
}

const GELU_SCALE = Math.sqrt(2 / Math.PI);
const GELU_CUBIC = 0.044715;

/**
 * Tanh-approximate GELU, 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), computed through the identity
 * 0.5·(1 + tanh(z)) = sigmoid(2z) as x · sigmoid(x · (2√(2/π) + 2√(2/π)·0.044715·x²)): the same
 * function in five element-wise ops instead of eight (and without the cancellation of 1 + tanh(z)
 * for very negative z).
 */
export function geluTanh(x: tf.Tensor): tf.Tensor {
  const inner = tf.mul(x, tf.add(tf.mul(tf.square(x), 2 * GELU_SCALE * GELU_CUBIC), 2 * GELU_SCALE));
  return tf.mul(x, tf.sigmoid(inner));
}

/**
 * Rows of `table` [R, D] at int32 `indices` [N] → [N, D], with a gradient that works on every backend.
 *
 * tf.gather's own gradient needs UnsortedSegmentSum, which the wasm backend lacks; here the gradient
 * is a ScatterNd of the incoming rows (duplicates are summed), O(N·D), available on wasm and cpu.
 * When `frozenRow` is given, that row's gradient is zero (PyTorch's `padding_idx` semantics).
 */
export function gatherRows(table: tf.Tensor, indices: tf.Tensor1D, frozenRow: number | null = null): tf.Tensor2D {
  const op = tf.customGrad((...inputs: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const weights = inputs[0] as tf.Tensor;
    const save = inputs[1] as tf.GradSaveFunc;
    const value = tf.gather(weights, indices);
    // The indices are needed in the backward pass, which may run after the caller's tidy scope
    // ended: saving them makes the engine keep a copy until then.
    save([indices]);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor => {
      const savedIndices = saved[0] as tf.Tensor1D;
      let updates = dy;
      if (frozenRow !== null) {
        const keep = tf.cast(tf.notEqual(savedIndices, tf.scalar(frozenRow, 'int32')), dy.dtype);
        updates = tf.mul(dy, tf.expandDims(keep, 1));
      }
      return tf.scatterND(tf.expandDims(savedIndices, 1), updates, weights.shape);
    };
    return { value, gradFunc };
  });
  return op(table) as tf.Tensor2D;
}

/** Dropout with a seeded mask, or the input unchanged when the rate is 0. */
export function seededDropout(x: tf.Tensor, rate: number, seed: number | null): tf.Tensor {
  if (seed === null || rate === 0) return x;
  return tf.dropout(x, rate, undefined, seed);
}
