import { beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { createComponentRegistry, defineComponent, definePlugin } from '@mlm/components';
import { createRandom } from '@mlm/random';
import { SimpleSpaceTokenizer } from '@mlm/collators';
import type { Model } from '@mlm/types';
import {
  ConfidencePositionStrategy,
  MLMPredictor,
  TopKSampler,
  UniformPositionStrategy,
  cosineSchedule,
  logitsShiftBy1,
  predictorComponents,
  type PositionStrategy,
  type TokenSampler,
} from './index.js';
import { createTinyModel, useWasm } from './test-support.js';

const tokenizer = SimpleSpaceTokenizer.forNumbers(50);
let model: Model;

beforeAll(async () => {
  await useWasm();
  model = createTinyModel();
});

const library = definePlugin({ name: 'mlm', components: predictorComponents });

const halfSchedule = defineComponent({
  kind: 'unmask-schedule',
  name: 'test/half',
  schema: z.strictObject({}),
  create: () => (masked: number) => Math.ceil(masked / 2),
});

describe('predictor components', () => {
  it('registers every part of the predictor by kind, typed by kind', async () => {
    const registry = createComponentRegistry([library]);
    expect(registry.names('position-strategy')).toEqual(['mlm/entropy', 'mlm/margin', 'mlm/top-probability', 'mlm/uniform']);
    expect(registry.names('sampler')).toEqual(['mlm/categorical', 'mlm/greedy', 'mlm/top-k', 'mlm/top-p']);
    expect(registry.names('unmask-schedule')).toEqual(['mlm/cosine', 'mlm/linear']);
    expect(registry.names('logits-hook')).toEqual(['mlm/shift-by-1']);
    const sampler = await registry.create('sampler', 'mlm/top-k', { k: 3 });
    expectTypeOf(sampler).toEqualTypeOf<TokenSampler>();
    expect(sampler).toBeInstanceOf(TopKSampler);
    const strategy = await registry.create('position-strategy', 'mlm/margin', { schedule: 'cosine' });
    expectTypeOf(strategy).toEqualTypeOf<PositionStrategy>();
    expect((strategy as ConfidencePositionStrategy).schedule).toBe(cosineSchedule);
    expect(await registry.create('logits-hook', 'mlm/shift-by-1', {})).toBe(logitsShiftBy1);
  });

  it('rejects unknown names and bad options with the path, the value and the valid names', async () => {
    const registry = createComponentRegistry([library]);
    await expect(registry.create('sampler', 'mlm/nucleus', {}, {}, 'predictor.sampler')).rejects.toThrow(
      'predictor.sampler.name: unknown sampler "mlm/nucleus"; registered samplers: mlm/categorical, mlm/greedy, mlm/top-k, mlm/top-p',
    );
    await expect(registry.create('sampler', 'mlm/top-k', { k: 3, kk: 1 }, {}, 'predictor.sampler')).rejects.toThrow(/predictor\.sampler: unknown option "kk"/);
    await expect(registry.create('position-strategy', 'mlm/uniform', { schedule: 'quadratic' })).rejects.toThrow(
      /schedule\.name: unknown unmask-schedule "mlm\/quadratic"; registered unmask-schedules: mlm\/cosine, mlm\/linear/,
    );
    await expect(registry.create('position-strategy', 'mlm/margin', { threshold: 0 }, {}, 'strategy')).rejects.toThrow(/strategy\.threshold: expected a number > 0/);
  });

  it('builds mlm/predictor from names, with its declared needs, and defaults maxSteps from the task', async () => {
    const registry = createComponentRegistry([library, definePlugin({ name: 'test', components: [halfSchedule] })]);
    await expect(registry.create('predictor', 'mlm/predictor', {}, { tokenizer }, 'predictor')).rejects.toThrow(
      'predictor: predictor "mlm/predictor" needs model, random, which were not provided (provided: tokenizer)',
    );
    const taskInfo = { name: 't', kind: 'seq2seq' as const, blockSize: 6 };
    const predictor = (await registry.create(
      'predictor',
      'mlm/predictor',
      { positionStrategy: { name: 'uniform', schedule: 'test/half' }, sampler: { name: 'mlm/top-k', k: 2 }, logitsHook: 'shift-by-1' },
      { model, tokenizer, random: createRandom(0), taskInfo },
    )) as MLMPredictor;
    expect(predictor).toBeInstanceOf(MLMPredictor);
    expect(predictor.maxSteps).toBe(6);
    expect(predictor.maxNewTokens).toBe(6);
    expect(predictor.sampler).toBeInstanceOf(TopKSampler);
    expect(predictor.positionStrategy).toBeInstanceOf(UniformPositionStrategy);
    expect((predictor.positionStrategy as UniformPositionStrategy).schedule(5, 3, 3)).toBe(3);
    expect(predictor.logitsHook).toBe(logitsShiftBy1);
    const scheduled = (await registry.create('predictor', 'mlm/predictor', { maxSteps: 2, confidence: 'entropy', unmaskSchedule: 'cosine' }, { model, tokenizer, random: createRandom(0) })) as MLMPredictor;
    expect((scheduled.positionStrategy as ConfidencePositionStrategy).schedule).toBe(cosineSchedule);
    await expect(registry.create('predictor', 'mlm/predictor', {}, { model, tokenizer, random: createRandom(0) })).rejects.toThrow(/predictor\.maxSteps: must be given/);
  });

  it('checks the predictor settings once, for the library and the config alike (threshold > 0)', async () => {
    const registry = createComponentRegistry([library]);
    expect(() => registry.parseOptions('predictor', 'mlm/predictor', { confidence: 'top_prob', threshold: 0 }, 'predictor')).toThrow(/predictor\.threshold: expected a number > 0/);
    expect(() => registry.parseOptions('predictor', 'mlm/predictor', { topK: 3, topP: 0.5 }, 'predictor')).toThrow(/predictor\.topP: cannot be set together with topK/);
    expect(() => registry.parseOptions('predictor', 'mlm/predictor', { confidence: 'top_prob' }, 'predictor')).toThrow(/predictor\.threshold: is required/);
    const { MLMPredictor: Predictor } = await import('./index.js');
    expect(() => new Predictor({ model, tokenizer, random: createRandom(0), maxSteps: 2, confidence: 'top_prob', threshold: 0 })).toThrow(/threshold = 0: expected a number > 0/);
  });
});
