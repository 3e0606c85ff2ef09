import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../util/config-error.js';
import { deepMerge } from './deep-merge.js';
import { loadConfig, parseRunConfig } from './load-config.js';
import { applyOverrides, parseOverride } from './overrides.js';
import { listPresets } from './presets.js';

function writeYaml(text: string): string {
  const directory = mkdtempSync(path.join(os.tmpdir(), 'mlm-config-'));
  const file = path.join(directory, 'config.yaml');
  writeFileSync(file, text);
  return file;
}

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('deepMerge', () => {
  it('merges objects recursively; lists, scalars and null replace', () => {
    expect(deepMerge({ a: { b: 1, c: [1, 2] }, d: 1 }, { a: { c: [3], e: null }, d: null })).toEqual({ a: { b: 1, c: [3], e: null }, d: null });
  });
});

describe('overrides', () => {
  it('parses values as YAML scalars and flow collections', () => {
    expect(parseOverride('training.maxSteps=200')).toEqual([['training', 'maxSteps'], 200]);
    expect(parseOverride('optimizer.lr=1e-3')).toEqual([['optimizer', 'lr'], 0.001]);
    expect(parseOverride('training.ema.enabled=false')).toEqual([['training', 'ema', 'enabled'], false]);
    expect(parseOverride('runDir=null')).toEqual([['runDir'], null]);
    expect(parseOverride('optimizer.betas=[0.8, 0.99]')).toEqual([['optimizer', 'betas'], [0.8, 0.99]]);
    expect(parseOverride('name=my run')).toEqual([['name'], 'my run']);
  });

  it('sets nested paths, creating objects and indexing lists', () => {
    expect(applyOverrides({ a: { b: 1 }, list: [1, 2] }, ['a.c.d=x', 'list.1=5'])).toEqual({ a: { b: 1, c: { d: 'x' } }, list: [1, 5] });
  });

  it('rejects text without "="', () => {
    expect(() => parseOverride('training.maxSteps')).toThrow(/key\.path=value/);
  });
});

describe('loadConfig', () => {
  it('merges preset, files (later wins) and overrides, and fills defaults', () => {
    const first = writeYaml('name: one\ntraining:\n  maxSteps: 10\n  batchSize: 4\n');
    const second = writeYaml('training:\n  maxSteps: 20\n');
    const { config, baseDirectories } = loadConfig({ preset: 'star-easy', configFiles: [first, second], overrides: ['training.logEvery=3'] });
    expect(config.name).toBe('one');
    expect(config.training.maxSteps).toBe(20);
    expect(config.training.batchSize).toBe(4);
    expect(config.training.logEvery).toBe(3);
    expect(config.model.dModel).toBe(128); // from the preset
    expect(config.optimizer.betas).toEqual([0.9, 0.999]); // default
    expect(config.training.gradientClipNorm).toBe(1);
    expect(baseDirectories).toEqual([path.dirname(first), path.dirname(second)]);
  });

  it('ships presets for the built-in tasks and the demo, all valid', () => {
    const presets = listPresets();
    for (const name of ['star-easy', 'star-medium', 'star-hard', 'sudoku', 'text-char', 'demo']) expect(presets).toContain(name);
    for (const name of presets) expect(() => loadConfig({ preset: name })).not.toThrow();
  });

  it('names the path, the value and what is allowed', () => {
    expect(configError(() => loadConfig({ overrides: ['training.maxSteps=-5'] })).message).toContain('training.maxSteps: expected a positive integer, got -5');
    expect(configError(() => loadConfig({ overrides: ['training.batchSize=many'] })).message).toContain('training.batchSize: expected a positive integer, got "many"');
    expect(configError(() => loadConfig({ overrides: ['scheduler.name=linear'] })).message).toContain(
      'scheduler.name: expected one of "constant", "constant-with-warmup", "cosine-with-min-lr", got "linear"',
    );
    expect(configError(() => loadConfig({ overrides: ['backend=gpu3'] })).message).toMatch(/backend: expected one of "auto", .*got "gpu3"/);
    expect(configError(() => loadConfig({ overrides: ['trainig.maxSteps=3'] })).message).toContain('unknown option "trainig"');
    expect(configError(() => loadConfig({ overrides: ['optimizer.betas=[0.9, 1.5]'] })).message).toContain('optimizer.betas[1]: expected a number in [0, 1), got 1.5');
  });

  it('reports every problem at once', () => {
    const error = configError(() => parseRunConfig({ training: { maxSteps: 0, batchSize: 2.5 } }));
    expect(error.issues.map((issue) => issue.path)).toEqual(['training.maxSteps', 'training.batchSize']);
  });

  it('rejects an unknown preset, listing the shipped ones', () => {
    expect(configError(() => loadConfig({ preset: 'star-extreme' })).message).toMatch(/unknown preset "star-extreme"; available: demo, .*star-easy/);
  });

  it('rejects a file that is not a YAML mapping, naming the file', () => {
    const file = writeYaml('- just\n- a list\n');
    expect(configError(() => loadConfig({ configFiles: [file] })).message).toContain(`${file}: expected a YAML mapping`);
  });
});
