/**
 * An injectable source of randomness. Every component that draws random numbers takes one, so the
 * same seed gives the same batches, masks and samples, and tests can script the draws.
 */
export interface RandomSource {
  /** A uniform float in [0, 1). */
  next(): number;
  /** Fills `out` with uniform floats in [0, 1), in index order, and returns it. */
  fill(out: Float32Array | Float64Array): Float32Array | Float64Array;
  /** A 32-bit unsigned integer, for seeding tensor ops (tf.dropout's seed) or child generators. */
  nextUint32(): number;
  /** The generator's full state, JSON-able, to resume a run exactly. */
  getState(): RandomState;
  setState(state: RandomState): void;
}

export interface RandomState {
  kind: string;
  [key: string]: unknown;
}
