import * as tf from '@tensorflow/tfjs-core';

/** The L2 norm over all gradients together (a scalar tensor the caller owns). */
export function globalNorm(gradients: readonly tf.Tensor[]): tf.Scalar {
  return tf.tidy(() => {
    if (gradients.length === 0) return tf.scalar(0);
    const squares = gradients.map((gradient) => tf.sum(tf.square(gradient)));
    return tf.sqrt(tf.addN(squares)) as tf.Scalar;
  });
}

/**
 * Scales every gradient by min(1, maxNorm / (norm + 1e-6)) where norm is their global L2 norm
 * (torch.nn.utils.clip_grad_norm_). Returns the norm before clipping (a plain number) and new
 * gradient tensors (the inputs are disposed when they were replaced).
 */
export function clipGradientsByGlobalNorm(
  gradients: Map<string, tf.Tensor>,
  maxNorm: number,
): { norm: number; gradients: Map<string, tf.Tensor> } {
  const normTensor = globalNorm([...gradients.values()]);
  const norm = normTensor.dataSync()[0]!;
  normTensor.dispose();
  const coefficient = maxNorm / (norm + 1e-6);
  if (!(coefficient < 1) || !Number.isFinite(norm)) return { norm, gradients };
  const clipped = new Map<string, tf.Tensor>();
  for (const [name, gradient] of gradients) {
    clipped.set(name, tf.mul(gradient, coefficient));
    gradient.dispose();
  }
  return { norm, gradients: clipped };
}
