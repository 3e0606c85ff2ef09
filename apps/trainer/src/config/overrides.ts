import YAML from 'yaml';
import { ConfigError } from '../util/config-error.js';
import { isPlainObject } from './deep-merge.js';

const KEY_PATTERN = /^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*$/;

/** Parses `key.path=value` (the value as a YAML scalar or flow collection) into [path, value]. */
export function parseOverride(text: string): [string[], unknown] {
  const equals = text.indexOf('=');
  if (equals <= 0) {
    throw new ConfigError([{ path: text, message: 'expected an override of the form key.path=value (e.g. training.maxSteps=200)' }], 'invalid override');
  }
  const key = text.slice(0, equals).trim();
  const rawValue = text.slice(equals + 1);
  if (!KEY_PATTERN.test(key)) {
    throw new ConfigError([{ path: key, message: `not a valid key path in ${JSON.stringify(text)} (expected dot-separated names)` }], 'invalid override');
  }
  let value: unknown;
  try {
    value = rawValue.trim() === '' ? null : YAML.parse(rawValue);
  } catch (error) {
    throw new ConfigError([{ path: key, message: `cannot parse the value ${JSON.stringify(rawValue)} as YAML: ${(error as Error).message.split('\n')[0]}` }], 'invalid override');
  }
  return [key.split('.'), value];
}

/** Returns a copy of `config` with `value` set at `path` (creating objects along the way). */
export function setPath(config: Record<string, unknown>, path: string[], value: unknown): Record<string, unknown> {
  const result = structuredClone(config);
  let node: Record<string, unknown> | unknown[] = result;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i]!;
    const index = Array.isArray(node) ? Number(key) : undefined;
    const current: unknown = Array.isArray(node) ? node[index!] : node[key];
    let next: Record<string, unknown> | unknown[];
    if (isPlainObject(current) || Array.isArray(current)) next = current;
    else {
      next = {};
      if (Array.isArray(node)) node[index!] = next;
      else node[key] = next;
    }
    node = next;
  }
  const last = path[path.length - 1]!;
  if (Array.isArray(node)) {
    const index = Number(last);
    if (!Number.isInteger(index) || index < 0) {
      throw new ConfigError([{ path: path.join('.'), message: `${JSON.stringify(last)} is not a list index` }], 'invalid override');
    }
    node[index] = value;
  } else node[last] = value;
  return result;
}

/** Applies `key.path=value` overrides in order. */
export function applyOverrides(config: Record<string, unknown>, overrides: string[]): Record<string, unknown> {
  let result = config;
  for (const override of overrides) {
    const [path, value] = parseOverride(override);
    result = setPath(result, path, value);
  }
  return result;
}
