import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { Collator, CollatorInput, MLMBatch } from '@mlm/types';
import type { PositionStrategy } from '@mlm/predictor';
import { ConfigError } from '../util/config-error.js';
import type { Task } from '../tasks/task.js';
import { createRegistry } from './create-registry.js';
import { loadPlugins } from './load-plugins.js';

describe('the trainer registry', () => {
  it('registers the components every library ships, and the trainer\'s own', () => {
    const names = createRegistry().list().map((component) => `${component.kind}:${component.name}`);
    for (const expected of [
      'task:mlm/star-easy',
      'task:mlm/sudoku',
      'task:mlm/text-char',
      'model:mlm/rotary-transformer',
      'loss:mlm/mlm-loss',
      'collator:mlm/seq2seq-train-collator',
      'predictor:mlm/predictor',
      'position-strategy:mlm/top-probability',
      'sampler:mlm/top-k',
      'unmask-schedule:mlm/cosine',
      'logits-hook:mlm/shift-by-1',
      'metric:mlm/exact-match',
      'logger:mlm/jsonl',
    ]) {
      expect(names).toContain(expected);
    }
  });

  it('rejects an unknown name, listing the registered ones', () => {
    const registry = createRegistry();
    let error: unknown;
    try {
      registry.get('collator', 'mlm/nope', 'collators.train.name');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(
      'collators.train.name: unknown collator "mlm/nope"; registered collators: mlm/default-collator, mlm/default-infill-collator',
    );
    expect(() => registry.get('model', 'rotary-transformer')).toThrow(/names are namespaced, e\.g\. "mlm\/rotary-transformer"/);
  });

  it('returns each kind\'s interface from create, with no casts', async () => {
    const registry = createRegistry();
    const task = await registry.create('task', 'mlm/star-easy', { numTrain: 4, numValidation: 2, numTest: 2 });
    expectTypeOf(task).toEqualTypeOf<Task>();
    const collator = await registry.create('collator', task.collatorDefaults.train.name, {}, { tokenizer: task.tokenizer, random: { next: () => 0.5, fill: (a: Float64Array) => a.fill(0.5), } as never, taskInfo: task });
    expectTypeOf(collator).toEqualTypeOf<Collator<CollatorInput, MLMBatch>>();
    expect(collator.blockSize).toBe(task.blockSize);
    const strategy = await registry.create('position-strategy', 'mlm/uniform', {});
    expectTypeOf(strategy).toEqualTypeOf<PositionStrategy>();
    await expect(registry.create('logger', 'mlm/jsonl', {}, {}, 'logging.loggers[0]')).rejects.toThrow(
      'logging.loggers[0]: logger "mlm/jsonl" needs runFolder, which was not provided (provided: nothing)',
    );
  });
});

describe('loadPlugins', () => {
  it('imports a plugin from a path (default export or named `plugin`)', async () => {
    const directory = mkdtempSync(path.join(os.tmpdir(), 'mlm-plugin-'));
    writeFileSync(
      path.join(directory, 'plugin.mjs'),
      `export const plugin = { name: 'local', components: [{ kind: 'sampler', name: 'local/seven', schema: { safeParse: (v) => ({ success: true, data: v }) }, create: () => ({ name: 'seven', sample: (l, n) => new Int32Array(n).fill(7) }) }] };\n`,
    );
    const [plugin] = await loadPlugins(['./plugin.mjs'], [directory]);
    expect(plugin!.name).toBe('local');
    const registry = createRegistry([plugin!]);
    expect((await registry.create('sampler', 'local/seven', {})).sample(new Float32Array(4), 2, 2, {} as never)).toEqual(Int32Array.of(7, 7));
  });

  it('explains a package it cannot find or that exports no plugin', async () => {
    const directory = mkdtempSync(path.join(os.tmpdir(), 'mlm-plugin-'));
    writeFileSync(path.join(directory, 'empty.mjs'), 'export const nothing = 1;\n');
    await expect(loadPlugins(['@mlm/no-such-plugin'], [directory])).rejects.toThrow(/plugins\[0\]: cannot find plugin package "@mlm\/no-such-plugin"/);
    await expect(loadPlugins(['./empty.mjs'], [directory])).rejects.toThrow(/does not export a plugin/);
  });
});
