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
