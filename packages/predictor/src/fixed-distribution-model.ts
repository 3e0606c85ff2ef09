import * as tf from '@tensorflow/tfjs-core';
import type { ForwardOptions, Model } from '@mlm/types';

export interface FixedDistributionContext {
  row: number;
  position: number;
  /** The row's current tokens. */
  ids: Int32Array;
}

export interface FixedDistributionModelOptions {
  vocabSize: number;
  /**
   * The distribution at each position: a table [L][V] shared by all rows, or a function of the row,
   * the position and the row's tokens. Logits are ln(p) (p = 0 → −69, i.e. ln 1e-30).
   */
  probabilities: ArrayLike<number>[] | ((context: FixedDistributionContext) => ArrayLike<number>);
}

/**
 * A `Model` that returns fixed probabilities, for tests and demos of the predictor (xlm-core's
 * predictor examples use such a fake model). It counts its forward passes in `callCount`.
 */
export class FixedDistributionModel implements Model {
  readonly numEmbeddings: number;
  callCount = 0;
  private readonly probabilities: FixedDistributionModelOptions['probabilities'];

  constructor({ vocabSize, probabilities }: FixedDistributionModelOptions) {
    if (!Number.isInteger(vocabSize) || vocabSize < 1) throw new Error(`FixedDistributionModel: vocabSize = ${vocabSize}, expected an integer ≥ 1`);
    this.numEmbeddings = vocabSize;
    this.probabilities = probabilities;
  }

  forward(inputIds: tf.Tensor2D, _options: ForwardOptions): tf.Tensor3D {
    this.callCount++;
    const [batchSize, length] = inputIds.shape;
    const ids = inputIds.dataSync() as Int32Array;
    const vocabSize = this.numEmbeddings;
    const logits = new Float32Array(batchSize * length * vocabSize);
    for (let b = 0; b < batchSize; b++) {
      const row = ids.slice(b * length, (b + 1) * length);
      for (let i = 0; i < length; i++) {
        const p =
          typeof this.probabilities === 'function' ? this.probabilities({ row: b, position: i, ids: row }) : this.probabilities[i];
        if (p === undefined || p.length !== vocabSize) {
          throw new Error(`FixedDistributionModel: no distribution of ${vocabSize} values for position ${i} (row ${b})`);
        }
        for (let v = 0; v < vocabSize; v++) logits[(b * length + i) * vocabSize + v] = Math.log(Math.max(p[v] as number, 1e-30));
      }
    }
    return tf.tensor3d(logits, [batchSize, length, vocabSize]);
  }

  namedParameters(): Map<string, tf.Variable> {
    return new Map();
  }

  getNamedParamsForWeightDecay(): string[] {
    return [];
  }

  getNamedParamsForNoWeightDecay(): string[] {
    return [];
  }

  dispose(): void {}
}

/** A distribution over `vocabSize` tokens with `probability` on `token` and the rest spread evenly. */
export function peakedDistribution(vocabSize: number, token: number, probability: number): Float64Array {
  const p = new Float64Array(vocabSize).fill((1 - probability) / (vocabSize - 1));
  p[token] = probability;
  return p;
}

export function createFixedDistributionModel(options: FixedDistributionModelOptions): FixedDistributionModel {
  return new FixedDistributionModel(options);
}
