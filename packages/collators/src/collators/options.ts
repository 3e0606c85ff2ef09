import type { NoiseSchedule, RandomSource, Tokenizer } from '@mlm/types';
import { z } from 'zod';

/**
 * How a batch's width is chosen (xlm-core `truncate`):
 * - `'block'`: exactly `blockSize`; longer examples are cut on the right.
 * - `'max'`: the longest example (BOS/EOS included), but at least `blockSize` when given.
 * - `'none'` (xlm-core `None`; `null` is accepted too): the longest example; `blockSize` is ignored.
 */
export type Truncate = 'block' | 'max' | 'none';

export const truncateSchema = z
  .enum(['block', 'max', 'none'])
  .nullable()
  .default('block')
  .transform((value): Truncate => value ?? 'none');

export const tokenizerSchema = z.custom<Tokenizer>(
  (value) =>
    typeof value === 'object' &&
    value !== null &&
    Number.isInteger((value as Tokenizer).vocabSize) &&
    Number.isInteger((value as Tokenizer).maskTokenId) &&
    Number.isInteger((value as Tokenizer).padTokenId),
  { message: 'expected a Tokenizer (with integer vocabSize, maskTokenId and padTokenId)' },
);

export const randomSchema = z.custom<RandomSource>(
  (value) =>
    typeof value === 'object' &&
    value !== null &&
    typeof (value as RandomSource).next === 'function' &&
    typeof (value as RandomSource).fill === 'function',
  { message: 'expected a RandomSource (for example createRandom(seed) from @mlm/random)' },
);

export const noiseScheduleSchema = z.custom<NoiseSchedule>((value) => typeof value === 'object' && value !== null, {
  message: 'expected a NoiseSchedule object',
});

export const positiveIntegerSchema = z.number().int().positive();

function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'object' && value !== null) return Array.isArray(value) ? 'an array' : 'an object';
  return JSON.stringify(value);
}

function snakeToCamel(name: string): string {
  return name.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

/** Parses constructor options with `schema`; errors name the class, the option, its value and the rule. */
export function parseOptions<T extends z.ZodType>(owner: string, schema: T, options: unknown): z.output<T> {
  const result = schema.safeParse(options ?? {}, { reportInput: true });
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys
        .map((key) => {
          const camel = snakeToCamel(key);
          return camel !== key ? `unknown option "${key}" (options are camelCase: did you mean "${camel}"?)` : `unknown option "${key}"`;
        })
        .join('; ');
    }
    const name = issue.path.join('.') || '(options)';
    return `option ${name} = ${describeValue((issue as { input?: unknown }).input)}: ${issue.message}`;
  });
  return (() => {
    throw new Error(`${owner}: ${problems.join('; ')}`);
  })();
}
