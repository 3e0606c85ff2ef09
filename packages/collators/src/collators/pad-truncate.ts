export interface PadTruncateOptions {
  /** Pad (and truncate) on the left, keeping the tail. Default false: pad/truncate on the right. */
  padLeft?: boolean;
}

/**
 * xlm-core `pad_truncate_list`: pads `ids` to `maxLength` with `padToken` (a number, or a list used
 * cyclically: pad i is `padToken[i % padToken.length]`), or truncates it. Right (default): keeps the
 * head `ids[0:maxLength]`; left: keeps the tail.
 *
 * Difference from the reference: with `padLeft` and `maxLength = 0` the reference returns the whole
 * list (Python's `ids[-0:]`); this returns `[]`.
 */
export function padTruncate(ids: readonly number[], maxLength: number, padToken: number | readonly number[], options: PadTruncateOptions = {}): number[] {
  if (!Number.isInteger(maxLength) || maxLength < 0) throw new Error(`padTruncate: maxLength = ${maxLength}, expected a non-negative integer`);
  if (Array.isArray(padToken) && padToken.length === 0) throw new Error('padTruncate: padToken is an empty list, expected a number or a non-empty list');
  const numPadded = maxLength - ids.length;
  const pads: number[] = [];
  for (let i = 0; i < numPadded; i++) pads.push(typeof padToken === 'number' ? padToken : (padToken[i % padToken.length] as number));
  if (options.padLeft) return [...pads, ...ids.slice(Math.max(0, ids.length - maxLength))];
  return [...ids.slice(0, maxLength), ...pads];
}

/**
 * xlm-core `pad_truncate_list(..., return_num_padded=True)`: the padded list and `maxLength - ids.length`
 * (negative when the list was truncated, as in the reference).
 */
export function padTruncateWithCount(
  ids: readonly number[],
  maxLength: number,
  padToken: number | readonly number[],
  options: PadTruncateOptions = {},
): { ids: number[]; numPadded: number } {
  return { ids: padTruncate(ids, maxLength, padToken, options), numPadded: maxLength - ids.length };
}
