// The history components: one schema each (the plugin's own), built through a registry by name.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, expectTypeOf, it } from 'vitest';
import { createComponentRegistry, definePlugin } from '@mlm/components';
import type { HistoryPlugin } from '@mlm/types';
import { InMemoryHistoryPlugin, historyComponents, inMemoryHistoryComponent, inMemoryHistoryOptionsSchema } from './index.js';
import { HistoryTopKPlugin, historyTopKComponent, historyTopKPluginOptionsSchema, nodeHistoryComponents } from './node.js';

const outputDir = mkdtempSync(path.join(tmpdir(), 'mlm-history-components-'));
afterAll(() => rmSync(outputDir, { recursive: true, force: true }));

const registry = createComponentRegistry([definePlugin({ name: 'mlm', components: nodeHistoryComponents })]);

describe('history components', () => {
  it('the browser entry ships the in-memory one, the Node entry adds the folder writer', () => {
    expect(historyComponents).toEqual([inMemoryHistoryComponent]);
    expect(nodeHistoryComponents).toEqual([inMemoryHistoryComponent, historyTopKComponent]);
    expect(registry.names('history')).toEqual(['mlm/history-top-k', 'mlm/in-memory-history']);
  });

  it('validate with the plugin constructors\' own schemas', () => {
    expect(inMemoryHistoryComponent.schema).toBe(inMemoryHistoryOptionsSchema);
    expect(historyTopKComponent.schema).toBe(historyTopKPluginOptionsSchema);
  });

  it('build the plugins from config options, typed as HistoryPlugin', async () => {
    const disk = await registry.create('history', 'mlm/history-top-k', { outputDir, k: 3, maxNewTokens: 2, runId: 'run' });
    expectTypeOf(disk).toEqualTypeOf<HistoryPlugin>();
    expect(disk).toBeInstanceOf(HistoryTopKPlugin);
    expect(disk).toMatchObject({ outputDir, k: 3, maxNewTokens: 2 });
    const memory = await registry.create('history', 'mlm/in-memory-history', {});
    expect(memory).toBeInstanceOf(InMemoryHistoryPlugin);
    expect(memory).toMatchObject({ k: null, maxNewTokens: null });
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['mlm/history-top-k', { outputDir: '' }, /history\.outputDir: expected a non-empty string, got ""/],
    ['mlm/history-top-k', { outputDir, k: 1.5 }, /history\.k: expected a positive integer, got 1\.5/],
    ['mlm/history-top-k', { outputDir, maxNewTokens: -1 }, /history\.maxNewTokens: expected a positive integer, got -1/],
    ['mlm/history-top-k', { outputDir, runId: '../up' }, /history\.runId: .*expected letters, digits/],
    ['mlm/in-memory-history', { k: '5' }, /history\.k: expected a positive integer, got "5"/],
    ['mlm/in-memory-history', { outputDir }, /history: unknown option "outputDir"/],
  ])('%s rejects %j naming the option, the value and what is expected', async (name, options, message) => {
    await expect(registry.create('history', name, options, {}, 'history')).rejects.toThrow(message);
  });

  it('the constructors report the same problems in their own words', () => {
    expect(() => new HistoryTopKPlugin({ outputDir, k: 1.5 })).toThrow(/HistoryTopKPlugin: k = 1\.5: expected a positive integer/);
    expect(() => new InMemoryHistoryPlugin({ maxNewTokens: 0 })).toThrow(/InMemoryHistoryPlugin: maxNewTokens = 0: expected a positive integer/);
  });
});
