import * as tf from '@tensorflow/tfjs-core';
import { LAYER_NORM_GRAD_KERNEL, LAYER_NORM_KERNEL, type LayerNormAttributes } from '@mlm/types';
import type { GradConfig, NamedAttrMap } from '@tensorflow/tfjs-core';

/**
 * The gradient of `MlmLayerNorm` on every backend: one `MlmLayerNormGrad` kernel computes dx, dweight
 * and dbias together from dy, x and weight (it recomputes the row statistics from x: one more pass over
 * a row that is in cache anyway, instead of a second and third output to keep alive until the backward
 * pass). The engine calls this function once per use of the op and then asks for each input's gradient;
 * the ones it does not ask for are disposed with the backward pass's other intermediates.
 */
export const layerNormGradientConfig: GradConfig = {
  kernelName: LAYER_NORM_KERNEL,
  inputsToSave: ['x', 'weight'],
  gradFunc: (dy, saved, attrs) => {
    const [x, weight] = saved as [tf.Tensor, tf.Tensor];
    const { epsilon } = attrs as unknown as LayerNormAttributes;
    const [dx, dweight, dbias] = tf.engine().runKernel(
      LAYER_NORM_GRAD_KERNEL,
      { dy: dy as tf.Tensor, x, weight },
      { epsilon } as unknown as NamedAttrMap,
    ) as tf.Tensor[];
    return { x: () => dx!, weight: () => dweight!, bias: () => dbias! };
  },
};
