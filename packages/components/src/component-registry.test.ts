import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import type { Collator, CollatorInput, MLMBatch, RandomSource, Tokenizer } from '@mlm/types';
import { ComponentRegistry, createComponentRegistry } from './component-registry.js';
import { ConfigError } from './config-error.js';
import { defineComponent, definePlugin } from './define-component.js';

// A kind of this test's own, added the way a plugin adds one.
declare module './component-kinds.js' {
  interface ComponentKinds {
    greeter: { greet(): string };
  }
}

const greeter = defineComponent({
  kind: 'greeter',
  name: 'test/hello',
  description: 'says hello',
  schema: z.strictObject({ times: z.number().int().min(1).default(1) }),
  create: (options) => ({ greet: () => 'hello'.repeat(options.times) }),
});

const tokenizer = { maskTokenId: 9, padTokenId: 0, vocabSize: 10 } as unknown as Tokenizer;

const widthCollator = defineComponent({
  kind: 'collator',
  name: 'test/width',
  schema: z.strictObject({ blockSize: z.number().int().positive().default(4) }),
  needs: ['tokenizer'],
  create: (options, context) => {
    expectTypeOf(context.tokenizer).toEqualTypeOf<Tokenizer>();
    return {
      blockSize: options.blockSize,
      collate: (examples: CollatorInput[]) => ({
        inputIds: { data: new Int32Array(examples.length * options.blockSize).fill(context.tokenizer.maskTokenId), shape: [examples.length, options.blockSize] },
      }) as MLMBatch,
    };
  },
});

describe('ComponentRegistry', () => {
  it('creates components with validated, defaulted options, typed by kind', async () => {
    const registry = createComponentRegistry([definePlugin({ name: 'test', components: [greeter, widthCollator] })]);
    const hello = await registry.create('greeter', 'test/hello', {});
    expect(hello.greet()).toBe('hello');
    expect((await registry.create('greeter', 'test/hello', { times: 2 })).greet()).toBe('hellohello');
    const collator = await registry.create('collator', 'test/width', {}, { tokenizer });
    expectTypeOf(collator).toEqualTypeOf<Collator<CollatorInput, MLMBatch>>();
    expect(collator.collate([{}]).inputIds.data).toEqual(new Int32Array([9, 9, 9, 9]));
    expect(registry.list()).toEqual([
      { kind: 'collator', name: 'test/width', description: '', needs: ['tokenizer'], uses: [], plugin: 'test' },
      { kind: 'greeter', name: 'test/hello', description: 'says hello', needs: [], uses: [], plugin: 'test' },
    ]);
  });

  it('hands a factory only what it declared, and refuses to build it without', async () => {
    const seen: string[][] = [];
    const spy = defineComponent({
      kind: 'greeter',
      name: 'test/spy',
      schema: z.strictObject({}),
      needs: ['taskInfo'],
      uses: ['random'],
      create: (_options, context) => {
        expectTypeOf(context.random).toEqualTypeOf<RandomSource | undefined>();
        seen.push(Object.keys(context).sort());
        return { greet: () => context.taskInfo.name };
      },
    });
    const registry = new ComponentRegistry().use(definePlugin({ name: 'test', components: [spy] }));
    const taskInfo = { name: 'digits', kind: 'seq2seq' as const, blockSize: 4 };
    expect((await registry.create('greeter', 'test/spy', {}, { taskInfo, tokenizer })).greet()).toBe('digits');
    expect(seen).toEqual([['log', 'registry', 'taskInfo']]);
    await expect(registry.create('greeter', 'test/spy', {}, { tokenizer }, 'greeting')).rejects.toThrow(
      'greeting: greeter "test/spy" needs taskInfo, which was not provided (provided: tokenizer)',
    );
  });

  it('rejects an unknown name, listing the registered ones', async () => {
    const registry = createComponentRegistry([definePlugin({ name: 'test', components: [greeter, widthCollator] })]);
    let error: unknown;
    try {
      registry.get('greeter', 'test/nope', 'greeting.name');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe('invalid configuration: greeting.name: unknown greeter "test/nope"; registered greeters: test/hello');
    expect(() => registry.get('greeter', 'hello')).toThrow(/names are namespaced, e\.g\. "test\/hello"/);
    expect(() => registry.get('model', 'mlm/x')).toThrow(/no model is registered \(registered kinds: collator, greeter\)/);
    await expect(registry.create('collator', 'test/nope', {}, {}, 'collators.train')).rejects.toThrow(
      /collators\.train\.name: unknown collator "test\/nope"; registered collators: test\/width/,
    );
  });

  it('names the option path of bad options', async () => {
    const registry = new ComponentRegistry().use(definePlugin({ name: 'test', components: [greeter] }));
    await expect(registry.create('greeter', 'test/hello', { times: 0 }, {}, 'greeting')).rejects.toThrow(/greeting\.times: Too small/);
    await expect(registry.create('greeter', 'test/hello', { tims: 2 }, {}, 'greeting')).rejects.toThrow(/greeting: unknown option "tims"/);
    expect(registry.parseOptions('greeter', 'test/hello', {})).toEqual({ times: 1 });
  });

  it('refuses a name registered twice and names that are not namespaced', () => {
    const registry = new ComponentRegistry().use(definePlugin({ name: 'a', components: [greeter] }));
    expect(() => registry.use(definePlugin({ name: 'b', components: [greeter] }))).toThrow(/registered by both plugin a and plugin b/);
    expect(() => registry.register({ ...greeter, name: 'hello' }, 'c')).toThrow(/expected "<namespace>\/<name>"/);
    const plugin = definePlugin({ name: 'd', components: [] });
    expect(() => registry.use(plugin).use(plugin)).not.toThrow();
    expect(() => registry.use(definePlugin({ name: 'd', components: [] }))).toThrow(/registered twice/);
  });

  it('definePlugin checks the shape of what it is given', () => {
    expect(() => definePlugin({ name: '', components: [] })).toThrow(/name must be a non-empty string/);
    expect(() => definePlugin({ name: 'x', components: [{ ...greeter, schema: {} as never }] })).toThrow(/schema must have safeParse/);
    expect(() => definePlugin({ name: 'x', components: [{ ...greeter, needs: 'tokenizer' as never }] })).toThrow(/needs must be a list/);
  });
});
