/**
 * Names of the fused tfjs kernels that @mlm/backend registers and @mlm/model calls (by name only, through
 * `tf.engine().runKernel`, when the kernel is registered for the active backend), so neither package
 * imports the other's code.
 */

/**
 * Layer normalization over the last axis in one pass: inputs `x` [..., D] (float32), `weight` [D],
 * `bias` [D]; attribute `epsilon` (finite, ≥ 0). Per row: mean and variance (biased, 1/D) in float64,
 * y = (x − mean) / √(variance + epsilon) · weight + bias, rounded once to float32.
 */
export const LAYER_NORM_KERNEL = 'MlmLayerNorm';

/**
 * The gradient of `LAYER_NORM_KERNEL`: inputs `dy` (x's shape), `x`, `weight`; attribute `epsilon`.
 * Three outputs: dx (x's shape), dweight [D] = Σ_rows dy ⊙ x̂, dbias [D] = Σ_rows dy, with
 * x̂ = (x − mean)·rstd and the row statistics recomputed from x (as the forward computes them).
 */
export const LAYER_NORM_GRAD_KERNEL = 'MlmLayerNormGrad';

/** The attributes of both layer-norm kernels. */
export interface LayerNormAttributes {
  epsilon: number;
}
