import { readField } from './example-fields.js';

/** xlm-core `pass_through_fields` default. */
export const DEFAULT_PASS_THROUGH_FIELDS: readonly string[] = ['answer', 'target'];

/** Copies `fields` present in the first example into `extra` (one value per example), as the reference does. */
export function passThrough(examples: readonly Record<string, unknown>[], fields: readonly string[]): Record<string, unknown[]> | undefined {
  const first = examples[0];
  if (first === undefined) return undefined;
  const extra: Record<string, unknown[]> = {};
  for (const field of fields) {
    if (readField(first, field) !== undefined) extra[field] = examples.map((example) => readField(example, field));
  }
  return Object.keys(extra).length > 0 ? extra : undefined;
}
