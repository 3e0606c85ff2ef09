import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load-config.js';
import { createRegistry } from '../registry/create-registry.js';
import { ConfigError } from '../util/config-error.js';
import { prepareRun } from './prepare-run.js';

const tiny = ['task.numTrain=16', 'task.numValidation=4', 'task.numTest=4', 'model.dModel=32', 'model.nhead=2', 'model.numLayers=1'];

async function prepareError(overrides: string[], preset = 'star-easy'): Promise<ConfigError> {
  try {
    await prepareRun(loadConfig({ preset, overrides: [...tiny, ...overrides] }).config, createRegistry());
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('prepareRun (validation before any tensor work)', () => {
  it('accepts a valid config and resolves the task defaults', async () => {
    const prepared = await prepareRun(loadConfig({ preset: 'star-easy', overrides: tiny }).config, createRegistry());
    expect(prepared.task.name).toBe('star-easy');
    expect(prepared.trainCollator).toEqual({
      name: 'mlm/seq2seq-train-collator',
      options: { blockSize: 14, inputBlockSize: 28, addBos: true, addEos: true, lossOnPadding: true, truncate: 'block', targetField: 'targetIds' },
    });
    expect(prepared.predictionCollator.name).toBe('mlm/seq2seq-pred-collator');
    expect(prepared.metrics.map((metric) => metric.name)).toEqual(['mlm/exact-match', 'mlm/token-accuracy']);
    expect(prepared.predictor.options.topK).toBe(1);
  });

  it('names component options out of range', async () => {
    expect((await prepareError(['predictor.topK=null', 'predictor.topP=1.5'])).message).toContain('predictor.topP: expected a number in (0, 1], got 1.5');
    expect((await prepareError(['model.dModel=128', 'model.nhead=2', 'model.rotaryEmbDim=80'])).message).toContain('model.rotaryEmbDim: expected at most the head dimension dModel / nhead = 64, got 80');
    expect((await prepareError(['model.dModel=30', 'model.nhead=4'])).message).toContain('model.dModel: expected a multiple of nhead = 4 (the head dimension is dModel / nhead), got 30');
  });

  it('checks model.maxLength against the widest batch', async () => {
    const error = await prepareError(['model.maxLength=40']);
    expect(error.message).toContain('model.maxLength (40) is smaller than the block (42)');
    expect(error.message).toContain('smaller than the prediction block (42 = prompt 28 + predictor.maxNewTokens 14)');
  });

  it('lists the valid names of an unknown component', async () => {
    const error = await prepareError(['model.name=mlm/gpt']);
    expect(error.message).toContain('model.name: unknown model "mlm/gpt"; registered models: mlm/rotary-transformer');
    expect((await prepareError(['task.name=mlm/chess'])).message).toMatch(/task\.name: unknown task "mlm\/chess"; registered tasks: .*mlm\/star-easy, .*mlm\/sudoku/);
  });

  it('reports a wrong type, an unknown option and a missing field with their paths', async () => {
    expect((await prepareError(['model.numLayers=two'])).message).toContain('model.numLayers: expected an integer ≥ 0, got "two"');
    expect((await prepareError(['loss.lossOnVisible=true'])).message).toContain('loss: unknown option "lossOnVisible"');
    expect((await prepareError(['task.name=mlm/text-char'])).message).toContain('task.path: expected a non-empty string, got nothing');
    expect((await prepareError(['predictor.confidence=top_prob', 'predictor.threshold=null'])).message).toContain('predictor.threshold: is required when confidence is "top_prob" (or set unmaskSchedule), got null');
  });

  it('reports several problems together', async () => {
    const error = await prepareError(['model.numLayers=-1', 'predictor.temperature=-1']);
    expect(error.issues.map((issue) => issue.path).sort()).toEqual(['model.numLayers', 'predictor.temperature']);
  });
});
