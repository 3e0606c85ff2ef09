import type { BoolMatrix, IntMatrix } from '@mlm/types';
import { PerSampleMeanMetric } from './per-sample-mean.js';
import { assertMatrix, sameShape } from './int-matrix.js';

export interface TokenAccuracyUpdate {
  pred: IntMatrix;
  target: IntMatrix;
  /** 1 = the position counts. Default: every position. */
  predMask?: BoolMatrix | null;
}

/**
 * Per-sample token accuracy Σ[pred = target]·mask / Σ mask, macro-averaged over samples
 * (xlm-core `TokenAccuracy`: the mean of per-sample accuracies, not a token-level mean).
 *
 * A sample with no counted position has no accuracy: it is skipped (it does not enter the mean) and
 * its `lastPerSample` entry is NaN. xlm-core feeds NaN to torchmetrics, whose default drops it with a
 * warning — the same result, without the warning.
 */
export class TokenAccuracy extends PerSampleMeanMetric<TokenAccuracyUpdate> {
  constructor(options: { name?: string } = {}) {
    super(options.name ?? 'token_accuracy');
  }

  update({ pred, target, predMask = null }: TokenAccuracyUpdate): void {
    assertMatrix(pred, `${this.name}.update pred`);
    assertMatrix(target, `${this.name}.update target`);
    if (!sameShape(pred, target)) {
      throw new Error(`${this.name}.update: pred has shape [${pred.shape.join(', ')}] and target [${target.shape.join(', ')}], expected equal shapes`);
    }
    if (predMask !== null && predMask !== undefined) {
      assertMatrix(predMask, `${this.name}.update predMask`);
      if (!sameShape(pred, predMask)) {
        throw new Error(`${this.name}.update: predMask has shape [${predMask.shape.join(', ')}], expected [${pred.shape.join(', ')}] like pred`);
      }
    }
    const [rows, columns] = pred.shape;
    const perSample: number[] = [];
    const counted: number[] = [];
    for (let b = 0; b < rows; b++) {
      let correct = 0;
      let total = 0;
      for (let i = b * columns; i < (b + 1) * columns; i++) {
        if (predMask && !predMask.data[i]) continue;
        total++;
        if (pred.data[i] === target.data[i]) correct++;
      }
      const accuracy = total === 0 ? Number.NaN : correct / total;
      perSample.push(accuracy);
      if (total > 0) counted.push(accuracy);
    }
    this.record(perSample, counted);
  }

  /** Mean of the per-sample accuracies; NaN when no sample had a counted position. */
  override compute(): number {
    return super.compute();
  }
}

export function createTokenAccuracy(options: { name?: string } = {}): TokenAccuracy {
  return new TokenAccuracy(options);
}
