/**
 * Plain, tensor-free arrays with a shape. Collators produce these (cheap, no tensor to dispose);
 * the loss and the predictor turn them into tensors inside `tf.tidy`.
 * Data is row-major (last index fastest), as in PyTorch.
 */
export interface IntMatrix {
  readonly data: Int32Array;
  readonly shape: readonly [number, number];
}

/** Booleans as bytes (1 = true, 0 = false), shape [B, L]. */
export interface BoolMatrix {
  readonly data: Uint8Array;
  readonly shape: readonly [number, number];
}

/** Booleans as bytes, shape [B, Lq, Lk] (for example a document mask of packed sequences). */
export interface BoolCube {
  readonly data: Uint8Array;
  readonly shape: readonly [number, number, number];
}

/** The value written into `targetIds` where a position must not be scored (PyTorch's ignore_index). */
export const IGNORE_INDEX = -100;
