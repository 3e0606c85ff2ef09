import { z } from 'zod';
import { defineComponent, nonNegativeInteger, positiveInteger } from '@mlm/components';
import type { CollatorInput } from '@mlm/types';
import { MLMEmptyDataset } from './collators/mlm-empty-dataset.js';
import { PAPL_DEFAULT_LENGTHS, PaplUnconditionalDataset } from './collators/papl-unconditional.js';

/**
 * What a `dataset` component builds: a finite, re-iterable list of examples, for the prediction split
 * of unconditional generation (xlm-core feeds its `unconditional_prediction` dataloaders from
 * `MLMEmptyDataset`, `MLMEmptyDatasetFromLengthRef` or `PaplUnconditionalMLMDataset`: no data, only
 * rows of `[MASK]`).
 */
export interface PredictionDataset extends Iterable<CollatorInput> {
  readonly length: number;
}

declare module '@mlm/components' {
  interface ComponentKinds {
    dataset: PredictionDataset;
  }
}

export const emptyDatasetOptionsSchema = z.strictObject({
  /** Examples (rows of `[MASK]`) to generate. */
  numExamples: positiveInteger().default(4),
  /** Row length; null = the task's block size. */
  maxLength: positiveInteger().nullable().default(null),
});

export const paplUnconditionalDatasetOptionsSchema = z.strictObject({
  /** Examples per length (xlm-core `examples_per_node`). */
  examplesPerNode: positiveInteger().default(1),
  /** Row lengths, in order (default xlm-core's `PAPL_DEFAULT_LENGTHS`, 100…800). */
  lengths: z.array(nonNegativeInteger()).min(1).default([...PAPL_DEFAULT_LENGTHS]),
});

/** The browser-safe `dataset` components (`mlm/empty-dataset-from-length-ref` reads a file: `@mlm/collators/node`). */
export const datasetComponents = [
  defineComponent({
    kind: 'dataset',
    name: 'mlm/empty-dataset',
    description: 'numExamples rows of [MASK] of one length: unconditional generation without data (xlm-core MLMEmptyDataset)',
    schema: emptyDatasetOptionsSchema,
    needs: ['tokenizer'],
    uses: ['taskInfo'],
    create: ({ numExamples, maxLength }, { tokenizer, taskInfo }) => {
      const length = maxLength ?? taskInfo?.blockSize;
      if (length === undefined) throw new Error('mlm/empty-dataset: maxLength must be given when there is no task to take the block size from');
      return new MLMEmptyDataset({ tokenizer, numExamples, maxLength: length });
    },
  }),
  defineComponent({
    kind: 'dataset',
    name: 'mlm/papl-unconditional-dataset',
    description: 'examplesPerNode rows of [MASK] for each of several lengths (xlm-core PaplUnconditionalMLMDataset)',
    schema: paplUnconditionalDatasetOptionsSchema,
    needs: ['tokenizer'],
    create: ({ examplesPerNode, lengths }, { tokenizer }) => new PaplUnconditionalDataset({ tokenizer, examplesPerNode, lengths }),
  }),
];
