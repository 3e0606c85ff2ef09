/**
 * Names of the fused tfjs kernels that @mlm/backend registers and @mlm/model calls (by name only, through
 * `tf.engine().runKernel`, when the kernel is registered for the active backend), so neither package
 * imports the other's code.
 */

/**
 * Rotary embedding in one pass: inputs `x` [G, H, …, D] and tables `cos`, `sin` [G, 1 or H, …, D]
 * (broadcast over axis 1); attribute `rotaryDim` r (even, ≤ D). out = x ⊙ cos + rotateHalf(x) ⊙ sin with
 * rotateHalf(x)[j] = −x[j + r/2] for j < r/2, x[j − r/2] for r/2 ≤ j < r, 0 beyond; float32.
 */
export const ROTARY_APPLY_KERNEL = 'MlmRotaryApply';

/**
 * The gradient of `ROTARY_APPLY_KERNEL` with respect to x: inputs `dy` (x's shape), `cos`, `sin`;
 * attribute `rotaryDim`. dx = dy ⊙ cos − rotateHalf(dy ⊙ sin).
 */
export const ROTARY_APPLY_GRAD_KERNEL = 'MlmRotaryApplyGrad';

/** The attributes of both rotary kernels. */
export interface RotaryApplyAttributes {
  rotaryDim: number;
}

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
