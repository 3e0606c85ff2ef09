import * as tf from '@tensorflow/tfjs-core';
import { ROTARY_APPLY_GRAD_KERNEL, ROTARY_APPLY_KERNEL, type RotaryApplyAttributes } from '@mlm/types';
import type { GradConfig, NamedAttrMap } from '@tensorflow/tfjs-core';

/** rotateHalf(x) on the last axis from slices (only for the tables' gradients, which training never asks for). */
function rotateHalf(x: tf.Tensor, rotaryDim: number): tf.Tensor {
  const dim = x.shape[x.shape.length - 1]!;
  const half = rotaryDim / 2;
  const last = x.shape.length - 1;
  const slice = (from: number, size: number) => {
    const begin = x.shape.map((_, axis) => (axis === last ? from : 0));
    const sizes = x.shape.map((d, axis) => (axis === last ? size : d));
    return tf.slice(x, begin, sizes);
  };
  const parts = [tf.neg(slice(half, half)), slice(0, half)];
  if (dim > rotaryDim) parts.push(tf.zerosLike(slice(rotaryDim, dim - rotaryDim)));
  return tf.concat(parts, last);
}

/** Sums a gradient of x's shape down to a table's shape (axis 1 is 1 where the table broadcasts over heads). */
function reduceToTable(gradient: tf.Tensor, tableShape: number[]): tf.Tensor {
  const axes = tableShape.flatMap((dim, axis) => (dim === 1 && gradient.shape[axis] !== 1 ? [axis] : []));
  return axes.length > 0 ? tf.sum(gradient, axes, true) : gradient;
}

/**
 * The gradient of `MlmRotaryApply` on every backend: x's through the fused `MlmRotaryApplyGrad`
 * kernel (dx = dy ⊙ cos − rotateHalf(dy ⊙ sin)); the tables' (dy ⊙ x and dy ⊙ rotateHalf(x), summed
 * over the heads they broadcast to) from composed ops. The engine only computes the gradients of inputs
 * that lead from the differentiated variables, so the tables' cost nothing when they are constants
 * (the model's position tables).
 */
export const rotaryApplyGradientConfig: GradConfig = {
  kernelName: ROTARY_APPLY_KERNEL,
  inputsToSave: ['x', 'cos', 'sin'],
  gradFunc: (dy, saved, attrs) => {
    const [x, cos, sin] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
    const gradient = dy as tf.Tensor;
    const { rotaryDim } = attrs as unknown as RotaryApplyAttributes;
    return {
      x: () => tf.engine().runKernel(ROTARY_APPLY_GRAD_KERNEL, { dy: gradient, cos, sin }, { rotaryDim } as unknown as NamedAttrMap) as tf.Tensor,
      cos: () => reduceToTable(tf.mul(gradient, x), cos.shape),
      sin: () => reduceToTable(tf.mul(gradient, rotateHalf(x, rotaryDim)), sin.shape),
    };
  },
};
