import { z } from 'zod';
import { SimpleSpaceTokenizer } from '@mlm/collators';
import { createNamedRandom } from '@mlm/random';
import { defineComponent } from '@mlm/components';
// Types only: the trainer adds the `task` kind to the component kinds; at run time the plugin needs
// nothing from it.
import type { ExampleSource, Task } from '@mlm/trainer';
import type { CollatorInput, RandomSource } from '@mlm/types';

export const reverseDigitsOptionsSchema = z
  .strictObject({
    /** Seed of the generated data. */
    seed: z.number().int().default(7),
    /** Shortest and longest digit strings. */
    minLength: z.number().int().min(1).default(3),
    maxLength: z.number().int().min(1).max(32).default(6),
    numTrain: z.number().int().min(1).default(2000),
    numValidation: z.number().int().min(0).default(64),
    numTest: z.number().int().min(0).default(64),
  })
  .refine((options) => options.minLength <= options.maxLength, {
    error: 'minLength must be ≤ maxLength',
    path: ['minLength'],
  });

export type ReverseDigitsOptions = z.output<typeof reverseDigitsOptionsSchema>;

function randomDigits(random: RandomSource, minLength: number, maxLength: number): number[] {
  const length = minLength + Math.floor(random.next() * (maxLength - minLength + 1));
  return Array.from({ length }, () => Math.floor(random.next() * 10));
}

/**
 * A seq2seq task: the prompt is a string of digits, the target the same digits reversed
 * (`3 1 4` → `4 1 3`). Tokens are the words "0".."9" of a SimpleSpaceTokenizer.
 */
export function createReverseDigitsTask(options: ReverseDigitsOptions): Task {
  const tokenizer = SimpleSpaceTokenizer.forNumbers(10);
  const split = (name: string, count: number) => {
    const random = createNamedRandom(options.seed, `reverse-digits/${name}`);
    const examples: CollatorInput[] = [];
    for (let i = 0; i < count; i++) {
      const digits = randomDigits(random, options.minLength, options.maxLength);
      examples.push({
        promptIds: tokenizer.convertTokensToIds(digits.map(String)),
        inputIds: tokenizer.convertTokensToIds([...digits].reverse().map(String)),
      });
    }
    const source: ExampleSource = {
      size: examples.length,
      async *iterate() {
        yield* examples;
      },
    };
    return source;
  };
  // Suffix slot: the reversed digits and EOS; prompt block: the digits and the BOS the prediction collator appends.
  const blockSize = options.maxLength + 1;
  const inputBlockSize = options.maxLength + 1;
  const collator = { blockSize, inputBlockSize, addBos: true, addEos: true, lossOnPadding: true, truncate: 'block' };
  return {
    name: 'reverse-digits',
    kind: 'seq2seq',
    tokenizer,
    blockSize,
    inputBlockSize,
    splits: { train: split('train', options.numTrain), validation: split('validation', options.numValidation), test: split('test', options.numTest) },
    collatorDefaults: {
      // This plugin's own collator (below); the prediction collator is a built-in one.
      train: { name: 'example/reverse-digits-collator', ...collator },
      prediction: { name: 'mlm/seq2seq-pred-collator', ...collator },
    },
  };
}

/** `example/reverse-digits`: registered as a `task` component. */
export const reverseDigitsTask = defineComponent({
  kind: 'task',
  name: 'example/reverse-digits',
  description: 'reverse a string of digits (seq2seq; generated from a seed)',
  schema: reverseDigitsOptionsSchema,
  create: (options) => createReverseDigitsTask(options),
});

/**
 * `example/reverse-digits-collator`: the task's default training collator. It masks the reversed
 * digits with the built-in seq2seq training collator and, with `maskAll`, masks every digit of the
 * suffix slot (the hardest case: what generation starts from). Built through the registry, as any
 * component may build the ones it is made of.
 */
export const reverseDigitsCollator = defineComponent({
  kind: 'collator',
  name: 'example/reverse-digits-collator',
  description: 'seq2seq training collator for reverse-digits; maskAll masks the whole suffix slot',
  schema: z.strictObject({
    blockSize: z.number().int().min(1).optional(),
    inputBlockSize: z.number().int().min(1).optional(),
    addBos: z.boolean().default(true),
    addEos: z.boolean().default(true),
    lossOnPadding: z.boolean().default(true),
    truncate: z.enum(['block', 'max', 'none']).default('block'),
    /** Mask every suffix position instead of a random fraction. */
    maskAll: z.boolean().default(false),
  }),
  needs: ['tokenizer', 'random'],
  uses: ['taskInfo'],
  async create({ maskAll, ...options }, { registry, tokenizer, random, taskInfo }) {
    const inner = await registry.create('collator', 'mlm/seq2seq-train-collator', options, { tokenizer, random, taskInfo });
    if (!maskAll) return inner;
    return {
      blockSize: inner.blockSize,
      collate(examples) {
        const batch = inner.collate(examples);
        const input = batch.inputIds.data;
        const target = batch.targetIds?.data;
        // Scored positions (target ≠ -100) are the suffix slot: mask them all.
        if (target) for (let i = 0; i < input.length; i++) if (target[i] !== -100) input[i] = tokenizer.maskTokenId;
        return batch;
      },
    };
  },
});
