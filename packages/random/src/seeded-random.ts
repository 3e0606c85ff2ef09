import seedrandom from 'seedrandom';
import type { RandomSource, RandomState } from '@mlm/types';

// Largest float32 below 1: a double in [0,1) may round up to 1 when stored as float32.
const BELOW_ONE_F32 = 1 - 2 ** -24;

type AleaState = seedrandom.State.Alea;

/** A seeded generator (seedrandom's Alea: fast, 2^116 period, state can be saved and restored). */
export class SeededRandom implements RandomSource {
  private generator: seedrandom.StatefulPRNG<AleaState>;
  readonly seed: string;

  constructor(seed: number | string) {
    if (typeof seed === 'number' && !Number.isFinite(seed)) {
      throw new Error(`random seed: expected a finite number or a string, got ${seed}`);
    }
    this.seed = String(seed);
    this.generator = seedrandom.alea(this.seed, { state: true });
  }

  next(): number {
    return this.generator();
  }

  fill(out: Float32Array | Float64Array): Float32Array | Float64Array {
    const generator = this.generator;
    if (out instanceof Float32Array) {
      for (let i = 0; i < out.length; i++) {
        const value = generator();
        out[i] = Math.fround(value) >= 1 ? BELOW_ONE_F32 : value;
      }
    } else {
      for (let i = 0; i < out.length; i++) out[i] = generator();
    }
    return out;
  }

  nextUint32(): number {
    return this.generator.int32() >>> 0;
  }

  getState(): RandomState {
    return { kind: 'alea', seed: this.seed, state: { ...this.generator.state() } };
  }

  setState(state: RandomState): void {
    if (state.kind !== 'alea' || typeof state.state !== 'object' || state.state === null) {
      throw new Error(`random state: expected {kind: "alea", state: {...}}, got kind ${JSON.stringify(state.kind)}`);
    }
    this.generator = seedrandom.alea('', { state: state.state as AleaState });
  }
}

/** Creates a seeded, resumable random source. The same seed gives the same sequence. */
export function createRandom(seed: number | string): RandomSource {
  return new SeededRandom(seed);
}

/**
 * Derives an independent stream from a parent seed and a name (for example `data`, `mask`,
 * `dropout`), so adding draws to one stream never shifts another.
 */
export function createNamedRandom(seed: number | string, name: string): RandomSource {
  return new SeededRandom(`${seed}/${name}`);
}
