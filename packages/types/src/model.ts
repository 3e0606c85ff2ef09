import type { Scalar, Tensor, Tensor1D, Tensor2D, Tensor3D, Variable } from '@tensorflow/tfjs-core';
import type { RandomSource } from './random.js';

export interface ForwardOptions {
  /** bool [B, L] (keys only) or [B, L, L] (query, key): true = may attend. */
  attentionMask?: Tensor;
  /** int32 [B, L] RoPE positions, each in [0, maxLength]. Required, as in the reference. */
  positions: Tensor2D;
  /** Training mode turns dropout on. Default false. */
  training?: boolean;
  /** Seeds dropout in training mode. */
  random?: RandomSource;
  /**
   * Check that every id is in [0, V) and every position in [0, maxLength] before any tensor work
   * (reads the two int32 inputs; cheap on cpu/wasm). Default true; hot loops whose inputs are known
   * to be valid may pass false. Shapes and dtypes are always checked.
   */
  validateInputs?: boolean;
}

/**
 * A model of the xlm family: maps token ids to logits (xlm-core `MLMModel` protocol).
 * Tensors returned are owned by the caller (call inside `tf.tidy` or dispose them).
 */
export interface Model {
  /** Vocabulary size V (logits' last dimension). */
  readonly numEmbeddings: number;
  /** Largest RoPE position the model accepts (positions run over [0, maxLength]), when bounded. */
  readonly maxLength?: number;
  /** int32 [B, L] -> float32 [B, L, V]. */
  forward(inputIds: Tensor2D, options: ForwardOptions): Tensor3D;
  /**
   * Optional fast path: logits only at the given flattened positions (b·L + i), float32 [N, V].
   * Losses use it to skip the output projection of positions that are not scored.
   */
  forwardAt?(inputIds: Tensor2D, options: ForwardOptions, flatPositions: Tensor1D): Tensor2D;
  /** Trainable parameters by PyTorch state_dict name. */
  namedParameters(): Map<string, Variable>;
  /** Parameter names that get weight decay (xlm-core: names without "bias" or "norm"). */
  getNamedParamsForWeightDecay(): string[];
  /** The complement of `getNamedParamsForWeightDecay`. */
  getNamedParamsForNoWeightDecay(): string[];
  /** Applies constraints after an optimiser update (e.g. keep the embedding's padding row zero). */
  afterUpdate?(): void;
  dispose(): void;
}

export type { Scalar };
