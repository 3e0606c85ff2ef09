import { readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { ConfigError } from '../util/config-error.js';
import { deepMerge, isPlainObject } from './deep-merge.js';
import { applyOverrides } from './overrides.js';
import { presetPath, presetsDirectory } from './presets.js';
import { runConfigSchema, type RunConfig } from './config-schema.js';
import { issuesFromZod } from './schema-helpers.js';

export interface ConfigSources {
  /** A shipped preset applied first (`star-easy`, `sudoku`, ...). */
  preset?: string | undefined;
  /** YAML files, merged in order (later wins). */
  configFiles?: string[];
  /** `key.path=value` overrides, applied last, in order. */
  overrides?: string[];
  /** An object merged between the preset and the files (for programmatic use). */
  values?: Record<string, unknown>;
}

export interface LoadedConfig {
  config: RunConfig;
  /** The merged input before defaults. */
  raw: Record<string, unknown>;
  /** Folders of the config files (plugins are resolved from there first). */
  baseDirectories: string[];
}

/** Reads one YAML config file; it must hold a mapping. */
export function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError([{ path: file, message: `cannot read the config file: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` }]);
  }
  let value: unknown;
  try {
    value = YAML.parse(text);
  } catch (error) {
    throw new ConfigError([{ path: file, message: `not valid YAML: ${(error as Error).message.split('\n')[0]}` }]);
  }
  if (value === null || value === undefined) return {};
  if (!isPlainObject(value)) throw new ConfigError([{ path: file, message: 'expected a YAML mapping at the top level' }]);
  return value;
}

const PRESETS_PLACEHOLDER = '<presets>/';

/** Replaces a leading `<presets>/` in string values with the shipped presets folder (for files presets ship). */
export function expandPresetPaths(value: unknown): unknown {
  if (typeof value === 'string') return value.startsWith(PRESETS_PLACEHOLDER) ? path.join(presetsDirectory(), value.slice(PRESETS_PLACEHOLDER.length)) : value;
  if (Array.isArray(value)) return value.map(expandPresetPaths);
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, expandPresetPaths(item)]));
  return value;
}

/** Validates a merged configuration, filling defaults; errors name each offending path. */
export function parseRunConfig(raw: unknown): RunConfig {
  const result = runConfigSchema.safeParse(raw, { reportInput: true });
  if (!result.success) throw new ConfigError(issuesFromZod(result.error.issues, ''));
  return result.data;
}

/** Merges preset → values → files → overrides and validates the result. */
export function loadConfig(sources: ConfigSources): LoadedConfig {
  let merged: Record<string, unknown> = {};
  const baseDirectories: string[] = [];
  if (sources.preset) merged = deepMerge(merged, readConfigFile(presetPath(sources.preset))) as Record<string, unknown>;
  if (sources.values) merged = deepMerge(merged, sources.values) as Record<string, unknown>;
  for (const file of sources.configFiles ?? []) {
    merged = deepMerge(merged, readConfigFile(file)) as Record<string, unknown>;
    baseDirectories.push(path.dirname(path.resolve(file)));
  }
  merged = expandPresetPaths(applyOverrides(merged, sources.overrides ?? [])) as Record<string, unknown>;
  return { config: parseRunConfig(merged), raw: merged, baseDirectories };
}

/** The configuration as YAML (what `print-config` prints and the run folder keeps). */
export function configToYaml(config: RunConfig | Record<string, unknown>): string {
  return YAML.stringify(config, { lineWidth: 0 });
}
