// Port of xlm-core tests/models/mlm/test_predictor_mlm.py plus option handling.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { createRandom } from '@mlm/random';
import { SimpleSpaceTokenizer } from '@mlm/collators';
import type { ForwardOptions, Model } from '@mlm/types';
import {
  ConfidencePositionStrategy,
  GreedySampler,
  MLMPredictor,
  TopKSampler,
  UniformPositionStrategy,
  createMLMPredictor,
  predictorOptionsFromXlmCore,
} from './index.js';
import { MASK, createMlmBatch, createTinyModel, createWorkedExampleModel, ints, rowsOf, useWasm } from './test-support.js';

const tokenizer = SimpleSpaceTokenizer.forNumbers(50); // V = 57, as xlm-core's simple_tokenizer
let model: Model;

beforeAll(async () => {
  await useWasm();
  model = createTinyModel();
});

describe('TestMLMPredictor (uniform mode, max_steps 2, top_k 5)', () => {
  it('predict returns the expected keys, ids in the vocabulary, nothing leaked', async () => {
    const predictor = createMLMPredictor({ model, tokenizer, random: createRandom(0), maxSteps: 2, topK: 5 });
    const batch = createMlmBatch();
    const numTensors = tf.memory().numTensors;
    const prediction = await predictor.predict(batch);
    expect(tf.memory().numTensors).toBe(numTensors);
    expect(prediction).toHaveProperty('text');
    expect(prediction).toHaveProperty('ids');
    expect(prediction).toHaveProperty('timeTaken');
    expect(prediction.ids.shape).toEqual([4, 32]);
    expect(prediction.ids.data.every((id) => id >= 0 && id < 57)).toBe(true);
    expect(prediction.text).toHaveLength(4);
    // Visible tokens never change.
    batch.inputIds.data.forEach((id, i) => {
      if (id !== MASK) expect(prediction.ids.data[i]).toBe(id);
    });
  });
});

describe('TestMLMPredictorConfidenceSampling', () => {
  for (const confidence of ['prob_diff', 'top_prob'] as const) {
    it(`predict with confidence ${confidence}, threshold 0.5`, async () => {
      const predictor = createMLMPredictor({ model, tokenizer, random: createRandom(0), maxSteps: 2, topK: 5, confidence, threshold: 0.5 });
      const prediction = await predictor.predict(createMlmBatch());
      expect(prediction.text).toHaveLength(4);
      expect(prediction.ids.data.every((id) => id >= 0 && id < 57)).toBe(true);
    });
  }

  it('confidence without threshold raises (naming the threshold)', () => {
    expect(() => createMLMPredictor({ model, tokenizer, random: createRandom(0), maxSteps: 2, confidence: 'prob_diff' })).toThrow(/hreshold/);
  });

  it('both topK and topP raises', () => {
    expect(() => createMLMPredictor({ model, tokenizer, random: createRandom(0), maxSteps: 2, topK: 5, topP: 0.9 })).toThrow(/MLMPredictor: topP = 0.9: cannot be set together with topK \(5\); choose one/);
  });
});

describe('TestMLMPredictorSeq2SeqMaskInjection', () => {
  it('appends maxNewTokens masks after the prefix', async () => {
    const predictor = createMLMPredictor({ model, tokenizer, random: createRandom(0), maxSteps: 8, maxNewTokens: 8, topK: 1 });
    const prediction = await predictor.predict({
      inputIds: ints([[0, 0, 0, 10, 11, 12, 13, 14, 15, 16, 0, 0, 0, 0, 0, 0]]),
      attentionMask: { data: Uint8Array.from([0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0]), shape: [1, 16] },
    });
    expect(prediction.outputStartIdx).toBe(16);
    expect(prediction.ids.shape).toEqual([1, 24]);
    expect(prediction.ids.shape[1] - prediction.outputStartIdx).toBe(8);
    expect(rowsOf(prediction.ids)[0]!.slice(16).includes(MASK)).toBe(false);
  });
});

describe('what the model sees', () => {
  it('positions follow the predictor rule clamp(cumsum(mask) − 1, 0), not multiplied by the mask', async () => {
    const seen: { positions: number[]; mask: number[] }[] = [];
    const inner = createWorkedExampleModel();
    const spy: Model = {
      numEmbeddings: 12,
      namedParameters: () => inner.namedParameters(),
      getNamedParamsForWeightDecay: () => [],
      getNamedParamsForNoWeightDecay: () => [],
      dispose: () => {},
      forward(inputIds: tf.Tensor2D, options: ForwardOptions) {
        seen.push({ positions: Array.from(options.positions.dataSync()), mask: Array.from(options.attentionMask!.dataSync()) });
        return inner.forward(inputIds, options);
      },
    };
    const predictor = createMLMPredictor({ model: spy, tokenizer: new SimpleSpaceTokenizer(['0', '1', '2', '3', '4']), random: createRandom(0), maxSteps: 1, maxNewTokens: 2, topK: 1 });
    await predictor.predict({ inputIds: ints([[0, 7, 8, 0]]), attentionMask: { data: Uint8Array.of(0, 1, 1, 0), shape: [1, 4] } });
    // Left pad → 0, prompt 0 1, right pad repeats 1, appended masks continue 2 3.
    expect(seen[0]).toEqual({ positions: [0, 0, 1, 1, 2, 3], mask: [0, 1, 1, 0, 1, 1] });
  });
});

describe('options', () => {
  let base: { model: Model; tokenizer: SimpleSpaceTokenizer; random: ReturnType<typeof createRandom> };
  beforeAll(() => {
    base = { model, tokenizer, random: createRandom(0) };
  });


  it('name the field, the value and what was expected', () => {
    expect(() => createMLMPredictor({ ...base, model, maxSteps: -1 })).toThrow(/MLMPredictor: maxSteps = -1:/);
    expect(() => createMLMPredictor({ ...base, model, maxSteps: 2, maxNewTokens: 0 })).toThrow(/maxNewTokens = 0:/);
    expect(() => createMLMPredictor({ ...base, model, maxSteps: 2, confidence: 'margin' as 'top_prob', threshold: 0.5 })).toThrow(/confidence = "margin"/);
    expect(() => createMLMPredictor({ ...base, maxSteps: 2, model: {} as Model })).toThrow(/model = an object: expected a Model/);
    expect(() => createMLMPredictor({ ...base, maxSteps: 2, max_steps: 3 } as never)).toThrow(/unknown option\(s\) "max_steps"/);
    expect(() => createMLMPredictor({ ...base, maxSteps: 2, sampler: new GreedySampler(), topK: 3 })).toThrow(/sampler is given, so topK must not be/);
    expect(() => createMLMPredictor({ ...base, maxSteps: 2, sampler: new GreedySampler(), temperature: 0.5 })).toThrow(/so temperature must not be/);
    expect(() => createMLMPredictor({ ...base, maxSteps: 2, sampler: new GreedySampler(), temperature: 1 })).not.toThrow(); // the default
    expect(() => createMLMPredictor({ ...base, maxSteps: 2, positionStrategy: new UniformPositionStrategy(), confidence: 'top_prob', threshold: 1 })).toThrow(/either positionStrategy or confidence/);
  });

  it('map xlm-core confidence/threshold onto strategies', () => {
    const threshold = createMLMPredictor({ ...base, maxSteps: 2, confidence: 'prob_diff', threshold: 0.3 });
    expect(threshold.positionStrategy).toBeInstanceOf(ConfidencePositionStrategy);
    expect(threshold.positionStrategy.name).toBe('margin');
    expect((threshold.positionStrategy as ConfidencePositionStrategy).threshold).toBe(0.3);
    const counted = createMLMPredictor({ ...base, maxSteps: 2, confidence: 'entropy', unmaskSchedule: 'cosine', confidenceTemperature: 0.5 });
    expect((counted.positionStrategy as ConfidencePositionStrategy).schedule).not.toBeNull();
    expect((counted.positionStrategy as ConfidencePositionStrategy).confidenceTemperature).toBe(0.5);
    // A threshold without confidence is ignored, as in xlm-core.
    expect(createMLMPredictor({ ...base, maxSteps: 2, threshold: 0.5 }).positionStrategy).toBeInstanceOf(UniformPositionStrategy);
    expect(createMLMPredictor({ ...base, maxSteps: 2, sampler: new TopKSampler({ k: 2 }) }).sampler).toBeInstanceOf(TopKSampler);
  });

  it('translate an xlm-core predictor config', () => {
    const options = predictorOptionsFromXlmCore({
      _target_: 'mlm.MLMPredictor',
      max_steps: 100,
      max_new_tokens: 8,
      top_k: 1,
      confidence: 'top_prob',
      threshold: 0.5,
      confidence_temperature: 1.0,
      logits_hook: { _target_: 'mlm.predictor_mlm.LogitsShiftBy1' },
      tokenizer: null,
    });
    expect(options).toEqual({ maxSteps: 100, maxNewTokens: 8, topK: 1, confidence: 'top_prob', threshold: 0.5, logitsHook: 'LogitsShiftBy1' });
    const predictor = new MLMPredictor({ ...base, ...options, maxSteps: 100 });
    expect(predictor.logitsHook).not.toBeNull();
    expect(() => predictorOptionsFromXlmCore({ max_step: 1 })).toThrow(/unknown key\(s\) max_step/);
  });

  it('reject bad batches clearly', async () => {
    const predictor = createMLMPredictor({ ...base, maxSteps: 1 });
    await expect(predictor.predict({ inputIds: ints([[1, 2, -100]]) })).rejects.toThrow(/inputIds\[0, 2\] = -100, expected a token id in \[0, 57\)/);
    await expect(
      predictor.predict({ inputIds: ints([[1, 2]]), attentionMask: { data: new Uint8Array(8), shape: [1, 2, 2] as unknown as [number, number] } }),
    ).rejects.toThrow(/3-D packed mask/);
  });
});
