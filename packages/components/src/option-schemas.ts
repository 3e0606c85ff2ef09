import { z } from 'zod';
import { ConfigError, describeValue, joinPath, type ConfigIssue } from './config-error.js';

// Zod schemas whose every failure reads "expected <what>, got <value>", so option errors name the
// value and what is allowed (`training.maxSteps: expected a positive integer, got -5`). Libraries build
// their components' schemas from these, so the CLI and the API report the same words.

function expecting(what: string) {
  return { error: (issue: { input?: unknown }) => `expected ${what}, got ${describeValue(issue.input)}` };
}

export const positiveInteger = () => z.number(expecting('a positive integer')).int().positive();
export const nonNegativeInteger = () => z.number(expecting('a non-negative integer')).int().nonnegative();
export const positiveNumber = () => z.number(expecting('a positive number')).positive();
export const nonNegativeNumber = () => z.number(expecting('a number ≥ 0')).nonnegative();
export const finiteNumber = () => z.number(expecting('a finite number'));
export const booleanFlag = () => z.boolean(expecting('true or false'));
export const nonEmptyString = () => z.string(expecting('a non-empty string')).min(1);

/** A number in an interval, e.g. `numberInRange(0, 1, '(', ']')` for (0, 1]. */
export function numberInRange(min: number, max: number, open: '(' | '[' = '[', close: ')' | ']' = ']') {
  const what = `a number in ${open}${min}, ${max}${close}`;
  let schema = z.number(expecting(what));
  schema = open === '(' ? schema.gt(min) : schema.gte(min);
  schema = close === ')' ? schema.lt(max) : schema.lte(max);
  return schema;
}

/** One of a fixed list of strings; the error lists them. */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, expecting(`one of ${values.map((value) => JSON.stringify(value)).join(', ')}`));
}

/** Anything with zod's `safeParse` shape validates and defaults a component's options. */
export interface OptionsSchema<TOptions> {
  safeParse(input: unknown):
    | { success: true; data: TOptions }
    | { success: false; error: { issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }> } };
}

/** Renders a zod-style issue as `path: message`, adding the offending value when zod left it out. */
export function issuesFromZod(
  issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string; input?: unknown; code?: string; keys?: string[] }>,
  basePath: string,
): ConfigIssue[] {
  return issues.map((issue) => {
    if (issue.code === 'unrecognized_keys' && issue.keys) {
      return {
        path: joinPath(basePath, issue.path),
        message: `unknown option${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => JSON.stringify(key)).join(', ')}`,
      };
    }
    let message = issue.message;
    if (!/\bgot\b|received/.test(message) && 'input' in issue) message += `, got ${describeValue(issue.input)}`;
    return { path: joinPath(basePath, issue.path), message };
  });
}

/**
 * Validates (and defaults) options with a component's schema; throws a ConfigError whose issues
 * carry full paths (`basePath.option`).
 */
export function validateOptions<T>(schema: OptionsSchema<T>, input: unknown, basePath: string, heading?: string): T {
  // Zod accepts a second argument and then keeps the offending value on each issue.
  const parse = schema.safeParse as (input: unknown, params?: { reportInput?: boolean }) => ReturnType<OptionsSchema<T>['safeParse']>;
  const result = parse.call(schema, input, { reportInput: true });
  if (result.success) return result.data;
  throw new ConfigError(issuesFromZod(result.error.issues, basePath), heading);
}
