/**
 * Rotary position embedding as xlm-core applies it (`RotaryEmbedding` in `src/xlm/modules/position.py`): base 10000, float32 tables for
 * positions 0..maxLength, the HALF split ("rotate_half": [x1·cos − x2·sin, x2·cos + x1·sin] with x1, x2
 * the two halves of the rotary slice), only the first r features of each head rotated.
 *
 * Implementation (few, large ops instead of slices and concats):
 *   rope(x) = x ⊙ C + (x · R) ⊙ S
 * where, per head, C = [cos, cos, 1 … 1] and S = [sin, sin, 0 … 0] (the `1`/`0` tails leave the
 * dh − r unrotated features untouched), and R is the dh×dh signed permutation with
 * (x · R)[j] = −x[j + r/2] for j < r/2, x[j − r/2] for r/2 ≤ j < r, 0 beyond. A product with a signed
 * permutation is exact in floating point, so each output equals the reference's x1·cos − x2·sin
 * (resp. x2·cos + x1·sin) bit for bit.
 *
 * The tables are stacked for the three projections [q, k, v]: q's rows are pre-multiplied by the
 * attention scale 1/√dh (so the scores need no separate scaling), k's are plain, and v's are C = 1,
 * S = 0 (v is not rotated). One matMul and three element-wise ops then serve q, k and v together.
 *
 * Where @mlm/backend has registered the fused kernel `MlmRotaryApply` for the active backend (cpu and
 * wasm: one pass in JavaScript or in the native addon's C, and one pass for the gradient), `apply` runs
 * it instead of those four ops; it computes the same float32 products and sum in the same order, so the
 * results are the same. Other backends (webgl, webgpu, tfjs-node) keep the composed ops. This package
 * knows the kernel only by its name (from @mlm/types), not @mlm/backend's code.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ROTARY_APPLY_GRAD_KERNEL, ROTARY_APPLY_KERNEL } from '@mlm/types';

/** inv_freq[j] = 1 / 10000^(2j / r) in float32, as `1.0 / (10000 ** (torch.arange(0, r, 2).float() / r))`. */
export function rotaryInverseFrequencies(rotaryDim: number): Float32Array {
  const out = new Float32Array(rotaryDim / 2);
  for (let j = 0; j < out.length; j++) {
    const exponent = Math.fround((2 * j) / rotaryDim);
    out[j] = Math.fround(1 / Math.fround(Math.pow(10000, exponent)));
  }
  return out;
}

export interface RotaryEmbeddingOptions {
  /** r: rotated features per head (even, ≤ headDim). */
  rotaryDim: number;
  /** dh: features per head. */
  headDim: number;
  /** Largest position; tables hold maxLength + 1 rows. */
  maxLength: number;
  /** Factor folded into q's tables (the attention scale 1/√dh). Default 1. */
  queryScale?: number;
}

export class RotaryEmbedding {
  readonly rotaryDim: number;
  readonly headDim: number;
  readonly maxLength: number;
  readonly inverseFrequencies: Float32Array;
  /** [3, maxLength + 1, headDim]: rows for q (scaled), k, v. */
  private readonly cosTable: tf.Tensor3D;
  private readonly sinTable: tf.Tensor3D;
  /** [headDim, headDim] signed permutation (rotate_half). */
  private readonly rotateHalf: tf.Tensor2D;

  constructor(options: RotaryEmbeddingOptions) {
    const { rotaryDim, headDim, maxLength } = options;
    if (!Number.isInteger(rotaryDim) || rotaryDim < 2 || rotaryDim % 2 !== 0 || rotaryDim > headDim) {
      throw new Error(`rotaryDim = ${rotaryDim}: expected an even integer in [2, headDim = ${headDim}]`);
    }
    this.rotaryDim = rotaryDim;
    this.headDim = headDim;
    this.maxLength = maxLength;
    this.inverseFrequencies = rotaryInverseFrequencies(rotaryDim);
    const queryScale = options.queryScale ?? 1;
    const rows = maxLength + 1;
    const half = rotaryDim / 2;
    const cos = new Float32Array(3 * rows * headDim);
    const sin = new Float32Array(3 * rows * headDim);
    for (let position = 0; position < rows; position++) {
      for (let j = 0; j < headDim; j++) {
        let c = 1;
        let s = 0;
        if (j < rotaryDim) {
          // float32 outer product t · inv_freq, then float32 sin/cos, as the reference's tables.
          const angle = Math.fround(position * (this.inverseFrequencies[j % half] as number));
          c = Math.fround(Math.cos(angle));
          s = Math.fround(Math.sin(angle));
        }
        const q = position * headDim + j;
        const k = (rows + position) * headDim + j;
        const v = (2 * rows + position) * headDim + j;
        cos[q] = c * queryScale;
        sin[q] = s * queryScale;
        cos[k] = c;
        sin[k] = s;
        cos[v] = 1;
        sin[v] = 0;
      }
    }
    const permutation = new Float32Array(headDim * headDim);
    for (let j = 0; j < half; j++) {
      permutation[(j + half) * headDim + j] = -1; // output j < r/2 takes −x[j + r/2]
      permutation[j * headDim + (j + half)] = 1; // output j + r/2 takes x[j]
    }
    this.cosTable = tf.keep(tf.tensor3d(cos, [3, rows, headDim]));
    this.sinTable = tf.keep(tf.tensor3d(sin, [3, rows, headDim]));
    this.rotateHalf = tf.keep(tf.tensor2d(permutation, [headDim, headDim]));
  }

  /**
   * Gathers the tables for int32 positions [B, L] (each in [0, maxLength]; the caller validates).
   * Returns cos and sin shaped [3, 1, B, L, headDim], broadcasting over heads. Computed once per
   * forward pass and shared by all layers.
   */
  gather(positions: tf.Tensor2D): { cos: tf.Tensor; sin: tf.Tensor } {
    const [batch, length] = positions.shape;
    const shape = [3, 1, batch, length, this.headDim];
    return {
      cos: tf.reshape(tf.gather(this.cosTable, positions, 1), shape),
      sin: tf.reshape(tf.gather(this.sinTable, positions, 1), shape),
    };
  }

  /**
   * Applies the embedding to stacked projections x [3, H, B, L, headDim] (q, k, v) with tables from
   * `gather`: q is rotated and scaled, k rotated, v unchanged.
   */
  apply(x: tf.Tensor, tables: { cos: tf.Tensor; sin: tf.Tensor }): tf.Tensor {
    if (fusedRotaryAvailable()) {
      return tf.engine().runKernel(ROTARY_APPLY_KERNEL, { x, cos: tables.cos, sin: tables.sin }, { rotaryDim: this.rotaryDim }) as tf.Tensor;
    }
    return this.applyComposed(x, tables);
  }

  /** `apply` from stock ops (x ⊙ C + (x · R) ⊙ S), whatever kernels are registered. */
  applyComposed(x: tf.Tensor, tables: { cos: tf.Tensor; sin: tf.Tensor }): tf.Tensor {
    const rotated = tf.reshape(tf.matMul(tf.reshape(x, [-1, this.headDim]), this.rotateHalf), x.shape);
    return tf.add(tf.mul(x, tables.cos), tf.mul(rotated, tables.sin));
  }

  dispose(): void {
    this.cosTable.dispose();
    this.sinTable.dispose();
    this.rotateHalf.dispose();
  }
}

/** Whether the fused rotary kernel, its gradient kernel and its gradient are registered for the active backend. */
export function fusedRotaryAvailable(): boolean {
  const backend = tf.getBackend();
  return Boolean(tf.getKernel(ROTARY_APPLY_KERNEL, backend) && tf.getKernel(ROTARY_APPLY_GRAD_KERNEL, backend) && tf.getGradient(ROTARY_APPLY_KERNEL));
}
