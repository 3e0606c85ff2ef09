/** One problem found in a configuration: where (a dotted path such as `training.maxSteps`) and what. */
export interface ConfigIssue {
  path: string;
  message: string;
}

/**
 * A configuration or option error found before any tensor work. Its message lists every issue as
 * `path: message`, one per line.
 */
export class ConfigError extends Error {
  readonly issues: ConfigIssue[];

  constructor(issues: ConfigIssue[] | string, heading = 'invalid configuration') {
    const list = typeof issues === 'string' ? [{ path: '', message: issues }] : issues;
    // "model.maxLength (40) is smaller than the block (42)": messages that start with the value read on from the path.
    const lines = list.map((issue) =>
      issue.path ? `${issue.path}${issue.message.startsWith('(') ? ' ' : ': '}${issue.message}` : issue.message,
    );
    super(lines.length === 1 ? `${heading}: ${lines[0]}` : `${heading}:\n  ${lines.join('\n  ')}`);
    this.name = 'ConfigError';
    this.issues = list;
  }
}

/** A short, readable rendering of a value for error messages. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  return typeof value;
}

/** Joins a base path and a zod-style path (`['a', 0, 'b']`) into `base.a[0].b`. */
export function joinPath(base: string, path: ReadonlyArray<PropertyKey>): string {
  let result = base;
  for (const key of path) {
    if (typeof key === 'number') result += `[${key}]`;
    else result += result ? `.${String(key)}` : String(key);
  }
  return result;
}
