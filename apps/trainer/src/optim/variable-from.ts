import * as tf from '@tensorflow/tfjs-core';

/**
 * A non-trainable variable holding a copy of `initial` (the temporary source tensor is disposed).
 * Variables stay unnamed: TF.js names are process-global, and two runs in one process would collide.
 */
export function variableFrom(initial: () => tf.Tensor): tf.Variable {
  const source = initial();
  const variable = tf.variable(source, false);
  source.dispose();
  return variable;
}
