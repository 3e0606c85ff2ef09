import { z } from 'zod';
import { SimpleSpaceTokenizer } from '@mlm/collators';
import { createNamedRandom } from '@mlm/random';
import { createArraySource, defineComponent, type Task } from '@mlm/trainer';
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
    return createArraySource(examples);
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
      train: { collator: 'MLMSeq2SeqTrainCollator', ...collator },
      prediction: { collator: 'MLMSeq2SeqPredCollator', ...collator },
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
