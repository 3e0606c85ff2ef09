import { defineComponent, type TaskInfo } from '@mlm/components';
import type { RandomSource, Tokenizer } from '@mlm/types';
import { createDefaultInfillMLMCollator } from './collators/default-infill-mlm-collator.js';
import { createDefaultMLMCollator, defaultMLMCollatorOptionsSchema } from './collators/default-mlm-collator.js';
import { createMLMInfillWithExactTargetPredCollator } from './collators/mlm-infill-with-exact-target-pred-collator.js';
import { createMLMSeq2SeqCollator, createMLMSeq2SeqPredCollator, mlmSeq2SeqCollatorOptionsSchema } from './collators/mlm-seq2seq-collator.js';
import { createMLMSeq2SeqTrainCollator, mlmSeq2SeqTrainCollatorOptionsSchema } from './collators/mlm-seq2seq-train-collator.js';
import { positiveIntegerSchema } from './collators/options.js';
import { createPackedMLMCollator } from './collators/packed-mlm-collator.js';
import { createPaplUnconditionalCollator } from './collators/papl-unconditional.js';
import { z } from 'zod';

// The collators as `collator` components. Each validates a config with its class's own schema, less
// the objects the host provides (tokenizer, random, noise schedule); the block sizes default to the
// task's.

const hostProvided = { tokenizer: true, random: true, noiseSchedule: true } as const;

const singleSegmentSchema = defaultMLMCollatorOptionsSchema.omit(hostProvided);
const seq2seqTrainSchema = mlmSeq2SeqTrainCollatorOptionsSchema.omit(hostProvided).extend({ blockSize: positiveIntegerSchema.optional() });
const seq2seqSchema = mlmSeq2SeqCollatorOptionsSchema.omit(hostProvided);

interface Provided {
  tokenizer: Tokenizer;
  random: RandomSource;
  taskInfo?: TaskInfo | undefined;
}

/** Block sizes from the task when the options leave them out. */
function withTaskBlocks<T extends { blockSize?: number | undefined }>(options: T, { taskInfo }: Provided, seq2seq: boolean) {
  return {
    ...options,
    blockSize: options.blockSize ?? taskInfo?.blockSize,
    ...(seq2seq ? { inputBlockSize: (options as { inputBlockSize?: number }).inputBlockSize ?? taskInfo?.inputBlockSize } : {}),
  };
}

const packedSchema = z.strictObject({
  /** Row width of the pre-packed examples; default the task's block size. */
  blockSize: positiveIntegerSchema.optional(),
  /** Accepted for xlm-core config compatibility and ignored (the batch carries a dense document mask). */
  useFlexAttn: z.boolean().optional(),
});

const needs = ['tokenizer', 'random'] as const;
const uses = ['taskInfo'] as const;

export const collatorComponents = [
  defineComponent({
    kind: 'collator',
    name: 'mlm/default-collator',
    description: 'single segment, random masking at t ~ U[0,1) (xlm-core DefaultMLMCollator)',
    schema: singleSegmentSchema,
    needs,
    uses,
    create: (options, context) => createDefaultMLMCollator({ ...withTaskBlocks(options, context, false), tokenizer: context.tokenizer, random: context.random }),
  }),
  defineComponent({
    kind: 'collator',
    name: 'mlm/default-infill-collator',
    description: 'masks only the blanks of promptIds (xlm-core DefaultInfillMLMCollator)',
    schema: singleSegmentSchema,
    needs,
    uses,
    create: (options, context) => createDefaultInfillMLMCollator({ ...withTaskBlocks(options, context, false), tokenizer: context.tokenizer, random: context.random }),
  }),
  defineComponent({
    kind: 'collator',
    name: 'mlm/infill-with-exact-target-pred-collator',
    description: 'infill prediction: the puzzle as input, the solution as target (xlm-core MLMInfillWithExactTargetPredCollator)',
    schema: singleSegmentSchema,
    needs,
    uses,
    create: (options, context) =>
      createMLMInfillWithExactTargetPredCollator({ ...withTaskBlocks(options, context, false), tokenizer: context.tokenizer, random: context.random }),
  }),
  defineComponent({
    kind: 'collator',
    name: 'mlm/seq2seq-train-collator',
    description: 'prompt, BOS, masked suffix slot (xlm-core MLMSeq2SeqTrainCollator)',
    schema: seq2seqTrainSchema,
    needs,
    uses,
    create: (options, context) => {
      const { blockSize, ...rest } = withTaskBlocks(options, context, true);
      if (blockSize === undefined) throw new Error('mlm/seq2seq-train-collator: blockSize must be given when there is no task to take it from');
      return createMLMSeq2SeqTrainCollator({ ...rest, blockSize, tokenizer: context.tokenizer, random: context.random });
    },
  }),
  defineComponent({
    kind: 'collator',
    name: 'mlm/seq2seq-collator',
    description: 'left-padded prompt + masked suffix (xlm-core MLMSeq2SeqCollator)',
    schema: seq2seqSchema,
    needs,
    uses,
    create: (options, context) => createMLMSeq2SeqCollator({ ...withTaskBlocks(options, context, true), tokenizer: context.tokenizer, random: context.random }),
  }),
  defineComponent({
    kind: 'collator',
    name: 'mlm/seq2seq-pred-collator',
    description: 'seq2seq prediction: prompt + BOS, target suffix (xlm-core MLMSeq2SeqPredCollator)',
    schema: seq2seqSchema,
    needs,
    uses,
    create: (options, context) => createMLMSeq2SeqPredCollator({ ...withTaskBlocks(options, context, true), tokenizer: context.tokenizer, random: context.random }),
  }),
  defineComponent({
    kind: 'collator',
    name: 'mlm/packed-collator',
    description: 'pre-packed rows of blockSize ids, documents split at EOS: per-document positions and attention (xlm-core PackedMLMCollator)',
    schema: packedSchema,
    needs,
    uses,
    create: (options, context) => {
      const blockSize = options.blockSize ?? context.taskInfo?.blockSize;
      if (blockSize === undefined) throw new Error('mlm/packed-collator: blockSize must be given when there is no task to take it from');
      return createPackedMLMCollator({ blockSize, ...(options.useFlexAttn !== undefined ? { useFlexAttn: options.useFlexAttn } : {}), tokenizer: context.tokenizer, random: context.random });
    },
  }),
  defineComponent({
    kind: 'collator',
    name: 'mlm/papl-unconditional-collator',
    description: 'stacks equal-length rows as they are, no masking (xlm-core PaplUnconditionalCollator; unconditional prediction)',
    schema: z.strictObject({}),
    needs: ['tokenizer'] as const,
    create: (_options, { tokenizer }) => createPaplUnconditionalCollator({ tokenizer }),
  }),
];
