import type { RandomSource, RandomState } from '@mlm/types';

/**
 * Returns the given values in order: for tests that reproduce the reference's worked examples with
 * scripted draws. Running out of values is an error that says how many were used.
 */
export class ScriptedRandom implements RandomSource {
  private index = 0;
  constructor(private readonly values: readonly number[]) {
    values.forEach((value, i) => {
      if (!(value >= 0 && value < 1)) throw new Error(`scripted random: values[${i}] = ${value}, expected a number in [0, 1)`);
    });
  }

  next(): number {
    if (this.index >= this.values.length) {
      throw new Error(`scripted random: all ${this.values.length} scripted values were used; another draw was requested`);
    }
    return this.values[this.index++] as number;
  }

  fill(out: Float32Array | Float64Array): Float32Array | Float64Array {
    for (let i = 0; i < out.length; i++) out[i] = this.next();
    return out;
  }

  nextUint32(): number {
    return Math.floor(this.next() * 2 ** 32) >>> 0;
  }

  /** How many values were drawn so far. */
  get used(): number {
    return this.index;
  }

  getState(): RandomState {
    return { kind: 'scripted', index: this.index };
  }

  setState(state: RandomState): void {
    if (state.kind !== 'scripted' || typeof state.index !== 'number') throw new Error('scripted random: invalid state');
    this.index = state.index;
  }
}

export function createScriptedRandom(values: readonly number[]): ScriptedRandom {
  return new ScriptedRandom(values);
}
