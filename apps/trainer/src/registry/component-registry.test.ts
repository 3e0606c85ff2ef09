import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError } from '../util/config-error.js';
import { ComponentRegistry } from './component-registry.js';
import { createRegistry } from './create-registry.js';
import { defineComponent, definePlugin } from './define-plugin.js';
import { loadPlugins } from './load-plugins.js';

const greeter = defineComponent({
  kind: 'greeter',
  name: 'test/hello',
  description: 'says hello',
  schema: z.strictObject({ times: z.number().int().min(1).default(1) }),
  create: (options) => 'hello'.repeat(options.times),
});

describe('ComponentRegistry', () => {
  it('creates components with validated, defaulted options', async () => {
    const registry = new ComponentRegistry().use(definePlugin({ name: 'test', components: [greeter] }));
    expect(await registry.create('greeter', 'test/hello', {}, {})).toBe('hello');
    expect(await registry.create('greeter', 'test/hello', { times: 2 }, {})).toBe('hellohello');
    expect(registry.list()).toEqual([{ kind: 'greeter', name: 'test/hello', description: 'says hello', plugin: 'test' }]);
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
    expect((error as Error).message).toContain('collators.train.name: unknown collator "mlm/nope"; registered collators: mlm/default-collator, mlm/default-infill-collator');
    expect(() => registry.get('model', 'rotary-transformer')).toThrow(/names are namespaced, e\.g\. "mlm\/rotary-transformer"/);
  });

  it('names the option path of bad options', async () => {
    const registry = new ComponentRegistry().use(definePlugin({ name: 'test', components: [greeter] }));
    await expect(registry.create('greeter', 'test/hello', { times: 0 }, {}, 'greeting')).rejects.toThrow(/greeting\.times: Too small/);
    await expect(registry.create('greeter', 'test/hello', { tims: 2 }, {}, 'greeting')).rejects.toThrow(/greeting: unknown option "tims"/);
  });

  it('refuses a name registered twice and names that are not namespaced', () => {
    const registry = new ComponentRegistry().use(definePlugin({ name: 'a', components: [greeter] }));
    expect(() => registry.use(definePlugin({ name: 'b', components: [greeter] }))).toThrow(/registered by both plugin a and plugin b/);
    expect(() => registry.register({ ...greeter, name: 'hello' }, 'c')).toThrow(/expected "<namespace>\/<name>"/);
  });

  it('definePlugin checks the shape of what it is given', () => {
    expect(() => definePlugin({ name: '', components: [] })).toThrow(/name must be a non-empty string/);
    expect(() => definePlugin({ name: 'x', components: [{ ...greeter, schema: {} as never }] })).toThrow(/schema must have safeParse/);
  });

  it('registers the built-in mlm components', () => {
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
      'metric:mlm/exact-match',
      'logger:mlm/jsonl',
    ]) {
      expect(names).toContain(expected);
    }
  });
});

describe('loadPlugins', () => {
  it('imports a plugin from a path (default export or named `plugin`)', async () => {
    const directory = mkdtempSync(path.join(os.tmpdir(), 'mlm-plugin-'));
    writeFileSync(
      path.join(directory, 'plugin.mjs'),
      `export const plugin = { name: 'local', components: [{ kind: 'greeter', name: 'local/hi', schema: { safeParse: (v) => ({ success: true, data: v }) }, create: () => 'hi' }] };\n`,
    );
    const [plugin] = await loadPlugins(['./plugin.mjs'], [directory]);
    expect(plugin!.name).toBe('local');
    const registry = createRegistry([plugin!]);
    expect(await registry.create('greeter', 'local/hi', {}, {} as never)).toBe('hi');
  });

  it('explains a package it cannot find or that exports no plugin', async () => {
    const directory = mkdtempSync(path.join(os.tmpdir(), 'mlm-plugin-'));
    writeFileSync(path.join(directory, 'empty.mjs'), 'export const nothing = 1;\n');
    await expect(loadPlugins(['@mlm/no-such-plugin'], [directory])).rejects.toThrow(/plugins\[0\]: cannot find plugin package "@mlm\/no-such-plugin"/);
    await expect(loadPlugins(['./empty.mjs'], [directory])).rejects.toThrow(/does not export a plugin/);
  });
});
