import type { z } from 'zod';

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function show(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  if (value !== null && typeof value === 'object') return Array.isArray(value) ? 'an array' : 'an object';
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
  return JSON.stringify(value);
}

/**
 * Parses a library constructor's options with the zod schema its component shares; on failure throws
 * one Error naming every bad option, the value it had and what was expected:
 * `MLMPredictor: maxSteps = -1: expected a non-negative integer, got -1`. (A registry reports the same
 * issues as a `ConfigError` with config paths: `predictor.maxSteps: …`.)
 */
export function parseConstructorOptions<T extends z.ZodType>(schema: T, input: unknown, owner: string): z.output<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return `unknown option(s) ${issue.keys.map((key) => JSON.stringify(key)).join(', ')}`;
    }
    const path = issue.path.map(String).join('.');
    return path === '' ? issue.message : `${path} = ${show(valueAt(input, issue.path))}: ${issue.message}`;
  });
  throw new Error(`${owner}: ${lines.join('; ')}`);
}
