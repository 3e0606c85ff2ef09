/** A plain object (not an array, not null). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Merges `override` into `base`: objects merge key by key (recursively), everything else (lists,
 * scalars, null) is replaced by the later value. Neither input is modified.
 */
export function deepMerge(base: unknown, override: unknown): unknown {
  if (override === undefined) return structuredClone(base);
  if (!isPlainObject(base) || !isPlainObject(override)) return structuredClone(override);
  const result: Record<string, unknown> = structuredClone(base);
  for (const [key, value] of Object.entries(override)) result[key] = deepMerge(base[key], value);
  return result;
}
