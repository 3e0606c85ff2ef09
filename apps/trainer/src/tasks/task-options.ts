import { z } from 'zod';
import type { TaskFactoryOptions } from './task.js';

const count = (minimum: number) => z.number().int().min(minimum).optional();

/** The fields of `TaskFactoryOptions`, checked (unknown fields pass through for the factories). */
const taskOptionsSchema = z.looseObject({
  seed: z.number().int(),
  numTrain: count(1),
  numValidation: count(0),
  numTest: count(0),
  dataDir: z.string().min(1).optional(),
  path: z.string().min(1).optional(),
  tokenizerPath: z.string().min(1).optional(),
  blockSize: z.number().int().min(1).optional(),
});

/**
 * Validates task options; a bad field is an error naming the task, the field, the value and what
 * was expected (for example `star-easy: numTrain = -1: Too small: expected number to be >=1`).
 */
export function parseTaskOptions(taskName: string, options: TaskFactoryOptions): TaskFactoryOptions {
  const result = taskOptionsSchema.safeParse(options);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const field = issue.path.join('.');
      const value = field.length > 0 ? (options as unknown as Record<string, unknown>)[field] : options;
      return `${field || 'options'} = ${JSON.stringify(value)}: ${issue.message}`;
    });
    throw new Error(`${taskName}: invalid options: ${problems.join('; ')}`);
  }
  return result.data as TaskFactoryOptions;
}

/** Split sizes: given counts, else the defaults. */
export interface SplitCounts {
  train: number;
  validation: number;
  test: number;
}

export function splitCounts(options: TaskFactoryOptions, defaults: SplitCounts): SplitCounts {
  return {
    train: options.numTrain ?? defaults.train,
    validation: options.numValidation ?? defaults.validation,
    test: options.numTest ?? defaults.test,
  };
}
