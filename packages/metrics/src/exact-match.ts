import type { IntMatrix } from '@mlm/types';
import { PerSampleMeanMetric } from './per-sample-mean.js';
import { assertMatrix, sameShape } from './int-matrix.js';

export interface ExactMatchUpdate {
  pred: IntMatrix;
  target: IntMatrix;
  /** With `targetLength`: a sample only matches when both lengths are equal (seq2seq). */
  predLength?: number | null;
  targetLength?: number | null;
}

/**
 * Fraction of samples whose prediction equals the target at every position (pads and EOS included),
 * averaged over all samples seen (xlm-core `ExactMatch`).
 */
export class ExactMatch extends PerSampleMeanMetric<ExactMatchUpdate> {
  constructor(options: { name?: string } = {}) {
    super(options.name ?? 'exact_match');
  }

  update({ pred, target, predLength = null, targetLength = null }: ExactMatchUpdate): void {
    assertMatrix(pred, `${this.name}.update pred`);
    assertMatrix(target, `${this.name}.update target`);
    const lengthsGiven = predLength !== null && predLength !== undefined && targetLength !== null && targetLength !== undefined;
    const lengthsMatch = !lengthsGiven || predLength === targetLength;
    const [rows, columns] = pred.shape;
    if (target.shape[0] !== rows) {
      throw new Error(`${this.name}.update: pred has ${rows} rows and target ${target.shape[0]}, expected the same batch size`);
    }
    const perSample = new Array<number>(rows).fill(0);
    if (sameShape(pred, target)) {
      for (let b = 0; b < rows; b++) {
        let all = true;
        for (let i = b * columns; i < (b + 1) * columns && all; i++) all = pred.data[i] === target.data[i];
        perSample[b] = all && lengthsMatch ? 1 : 0;
      }
    } else if (!(lengthsGiven && !lengthsMatch)) {
      // Different widths can only be compared when the lengths say they differ (then nothing matches).
      throw new Error(
        `${this.name}.update: pred has shape [${pred.shape.join(', ')}] and target [${target.shape.join(', ')}], expected equal shapes`,
      );
    }
    this.record(perSample);
  }

}

export function createExactMatch(options: { name?: string } = {}): ExactMatch {
  return new ExactMatch(options);
}
