import { z } from 'zod';
import { defineComponent, nonEmptyString, nonNegativeInteger, positiveInteger } from '@mlm/components';
import { MLMEmptyDatasetFromLengthRef } from './collators/mlm-empty-dataset.js';
import { loadLengthReference } from './collators/length-reference-file.js';
import { datasetComponents } from './dataset-components.js';

export const emptyDatasetFromLengthRefOptionsSchema = z
  .strictObject({
    /** Examples to generate; each length is drawn uniformly from the reference lengths. */
    numExamples: positiveInteger().default(4),
    /** A `.txt` file with one length per line (xlm-core `length_ref_file`; relative to the working directory). */
    lengthRefFile: nonEmptyString().optional(),
    /** The reference lengths themselves, instead of a file. */
    lengths: z.array(nonNegativeInteger()).min(1).optional(),
    /** Shorter drawn lengths are raised to this (xlm-core `min_length`). */
    minLength: nonNegativeInteger().default(1),
  })
  .refine((options) => (options.lengthRefFile === undefined) !== (options.lengths === undefined), {
    error: 'give exactly one of lengthRefFile and lengths',
    path: ['lengthRefFile'],
  });

/** `mlm/empty-dataset-from-length-ref` (reads its file with node:fs) and the browser-safe `dataset` components. */
export const nodeDatasetComponents = [
  ...datasetComponents,
  defineComponent({
    kind: 'dataset',
    name: 'mlm/empty-dataset-from-length-ref',
    description: 'rows of [MASK] whose lengths are drawn from reference lengths (xlm-core MLMEmptyDatasetFromLengthRef)',
    schema: emptyDatasetFromLengthRefOptionsSchema,
    needs: ['tokenizer', 'random'],
    create: async ({ numExamples, lengthRefFile, lengths, minLength }, { tokenizer, random }) =>
      new MLMEmptyDatasetFromLengthRef({ tokenizer, random, numExamples, minLength, lengths: lengths ?? (await loadLengthReference(lengthRefFile as string)) }),
  }),
];
