import { camelCase, readField } from './example-fields.js';

/**
 * xlm-core `seq2seq_suffix_ids`: the example's `targetField` when present; otherwise, when
 * `targetField` is `targetIds` (or `target_ids`), the legacy `inputIds` field; otherwise empty.
 */
export function seq2seqSuffixIds(example: Record<string, unknown>, targetField = 'targetIds'): unknown {
  const value = readField(example, targetField);
  if (value !== undefined) return value;
  if (camelCase(targetField) === 'targetIds') {
    const legacy = readField(example, 'inputIds');
    if (legacy !== undefined) return legacy;
  }
  return [];
}
