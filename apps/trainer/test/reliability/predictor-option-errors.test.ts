// Every predictor option is checked once, by the schema @mlm/predictor declares: a bad value is refused
// by the API constructor (`createMLMPredictor`) and by a CLI config (`predictor.<option>=…`) with the same
// expectation, each naming the option and the value in its own form.
import { beforeAll, describe, expect, it } from 'vitest';
import { initializeBackend } from '@mlm/backend';
import { SimpleSpaceTokenizer } from '@mlm/collators';
import { createRotaryTransformerMLMModel } from '@mlm/model';
import { createMLMPredictor, type MLMPredictorOptions } from '@mlm/predictor';
import { createRandom } from '@mlm/random';
import type { Model } from '@mlm/types';
import { loadRun } from '../../src/commands/train.js';
import { ConfigError } from '../../src/util/config-error.js';

const SMALL_TASK = ['task.numTrain=16', 'task.numValidation=4', 'task.numTest=4', 'model.dModel=16', 'model.nhead=2', 'model.numLayers=1'];

async function configError(overrides: string[]): Promise<ConfigError> {
  try {
    await loadRun({ preset: 'star-easy', overrides: [...SMALL_TASK, ...overrides] });
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`expected a ConfigError for ${overrides.join(' ')}`);
}

const tokenizer = SimpleSpaceTokenizer.forNumbers(20);
let model: Model;
beforeAll(async () => {
  await initializeBackend({ backend: 'cpu', log: () => {} });
  model = createRotaryTransformerMLMModel({ numEmbeddings: tokenizer.vocabSize, dModel: 8, numLayers: 1, nhead: 2, rotaryEmbDim: 4, maxLength: 32 }, { random: createRandom(0) });
});

/** What the star-easy preset sets (`topK: 1`, `confidence: top_prob`, `threshold: 0.1`), as constructor options. */
function constructorOptions(change: Partial<MLMPredictorOptions>): MLMPredictorOptions {
  return { model, tokenizer, random: createRandom(0), maxSteps: 4, topK: 1, confidence: 'top_prob', threshold: 0.1, ...change };
}

function constructorError(change: Record<string, unknown>): Error {
  try {
    createMLMPredictor(constructorOptions(change as Partial<MLMPredictorOptions>));
  } catch (error) {
    return error as Error;
  }
  throw new Error(`expected createMLMPredictor to refuse ${JSON.stringify(change)}`);
}

// [option, bad value (constructor), the same as a CLI override, shown value, expectation both report]
const FIELD_CASES: Array<[string, unknown, string, string, string]> = [
  ['maxSteps', -1, '-1', '-1', 'expected a non-negative integer'],
  ['maxSteps', 2.5, '2.5', '2.5', 'expected a non-negative integer'],
  ['maxNewTokens', 0, '0', '0', 'expected a positive integer'],
  ['temperature', -1, '-1', '-1', 'expected a number ≥ 0'],
  ['topK', 0, '0', '0', 'expected a positive integer'],
  ['topP', 1.5, '1.5', '1.5', 'expected a number in (0, 1]'],
  ['samplingMethod', 'gumbel', 'gumbel', '"gumbel"', 'expected one of "gumbel-max", "inverse-cdf"'],
  ['confidence', 'margin', 'margin', '"margin"', 'expected one of "top_prob", "prob_diff", "entropy"'],
  ['threshold', 0, '0', '0', 'expected a number > 0 (≤ 0 would never unmask before the final step)'],
  ['confidenceTemperature', -0.5, '-0.5', '-0.5', 'expected a number ≥ 0'],
  ['blockLength', 0, '0', '0', 'expected a positive integer'],
  ['skipSpecialTokens', 'yes', '"yes"', '"yes"', 'expected true or false'],
  ['cacheLogits', 1, '1', '1', 'expected true or false'],
];

describe('predictor options: one validation for the API and the CLI', () => {
  it.each(FIELD_CASES)('%s = %j', async (option, value, override, shown, expectation) => {
    expect(constructorError({ [option]: value }).message).toContain(`MLMPredictor: ${option} = ${shown}: ${expectation}`);
    const error = await configError([`predictor.${option}=${override}`]);
    const issue = error.issues.find((candidate) => candidate.path === `predictor.${option}`);
    expect(issue, JSON.stringify(error.issues)).toBeDefined();
    expect(issue!.message).toBe(`${expectation}, got ${shown}`);
  });

  // Rules between options (the preset sets topK 1, confidence top_prob, threshold 0.1).
  it.each<[string, Record<string, unknown>, string[], string, string]>([
    ['topK and topP together', { topP: 0.5 }, ['predictor.topP=0.5'], 'topP', 'cannot be set together with topK (1); choose one'],
    ['a confidence mode without a threshold or schedule', { threshold: null }, ['predictor.threshold=null'], 'threshold', 'is required when confidence is "top_prob"'],
    [
      'a confidence mode with a threshold and a schedule',
      { unmaskSchedule: 'cosine' },
      ['predictor.unmaskSchedule=cosine'],
      'unmaskSchedule',
      'cannot be set together with threshold (0.1): the threshold picks a dynamic count per step, unmaskSchedule a fixed one; choose one',
    ],
  ])('%s', async (_what, change, overrides, option, expectation) => {
    expect(constructorError(change).message).toMatch(new RegExp(`^MLMPredictor: ${option} = [^:]+: ${expectation.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    const error = await configError(overrides);
    const issue = error.issues.find((candidate) => candidate.path === `predictor.${option}`);
    expect(issue, JSON.stringify(error.issues)).toBeDefined();
    expect(issue!.message).toContain(expectation);
  });

  it('names that only a config uses are checked against the registry, values that only the API takes by the schema', async () => {
    expect(constructorError({ confidence: null, unmaskSchedule: 'quadratic' }).message).toContain('MLMPredictor: unmaskSchedule = "quadratic": expected one of linear, cosine or a schedule function');
    expect(constructorError({ logitsHook: 'shift-by-2' }).message).toContain('MLMPredictor: logitsHook = "shift-by-2": expected a logits hook');
    const error = await configError(['predictor.confidence=null', 'predictor.unmaskSchedule=quadratic']);
    const issue = error.issues.find((candidate) => candidate.path === 'predictor.unmaskSchedule');
    expect(issue?.message, JSON.stringify(error.issues)).toMatch(/unknown unmask-schedule "mlm\/quadratic"; registered unmask-schedules: mlm\/cosine, mlm\/linear/);
  });
});
