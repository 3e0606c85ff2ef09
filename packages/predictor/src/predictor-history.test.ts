// HistoryTopKPlugin wired into the predictor: every step is on disk and reads back.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { createRandom } from '@mlm/random';
import { SimpleSpaceTokenizer } from '@mlm/collators';
import { createComponentRegistry, definePlugin } from '@mlm/components';
import { HistoryTopKPlugin, nodeHistoryComponents, readHistory } from '@mlm/history/node';
import type { PredictorStepEvent } from '@mlm/types';
import { MLMPredictor, createMLMPredictor, predictorComponents } from './index.js';
import { MASK, createWorkedExampleModel, ints, useWasm } from './test-support.js';

const tokenizer = new SimpleSpaceTokenizer(['0', '1', '2', '3', '4']);
const outputDir = mkdtempSync(path.join(tmpdir(), 'mlm-predictor-history-'));

beforeAll(useWasm);
afterAll(() => rmSync(outputDir, { recursive: true, force: true }));

describe('history plugin wired into the predictor', () => {
  it('records every step of every example over the generated window, round-trips from disk', async () => {
    const history = new HistoryTopKPlugin({ outputDir, k: 2, runId: 'seq2seq' });
    const predictor = createMLMPredictor({
      model: createWorkedExampleModel(),
      tokenizer,
      random: createRandom(0),
      maxSteps: 3,
      maxNewTokens: 4,
      topK: 1,
      history,
    });
    const batch = { inputIds: ints([[7], [8]]) };
    const events: PredictorStepEvent[] = [];
    const numTensors = tf.memory().numTensors;
    for await (const event of predictor.stream(batch)) events.push(event);
    expect(tf.memory().numTensors).toBe(numTensors);

    const prediction = await createMLMPredictor({
      model: createWorkedExampleModel(),
      tokenizer,
      random: createRandom(0),
      maxSteps: 3,
      maxNewTokens: 4,
      topK: 1,
      history: new HistoryTopKPlugin({ outputDir, k: 2, runId: 'predict' }),
    }).predict(batch);
    expect(prediction.history).toEqual([{ fid: 'predict_0' }, { fid: 'predict_1' }]);
    const records = createMLMPredictor({ model: createWorkedExampleModel(), tokenizer, random: createRandom(0), maxSteps: 1 }).toDict(batch, prediction);
    expect(records.map((record) => record.history)).toEqual([{ fid: 'predict_0' }, { fid: 'predict_1' }]);

    for (const b of [0, 1]) {
      const reader = readHistory(outputDir, `seq2seq_${b}`);
      // Steps 1-3 plus the final step 4 (nothing left to fill: no logits, tokens only).
      expect(reader.getNumSteps()).toBe(events.length);
      events.forEach((event) => {
        const record = reader.get(event.step)!;
        expect(record.step).toBe(event.step);
        expect(record.x).toEqual(Array.from(event.ids.data.subarray(b * 5 + 1, (b + 1) * 5)));
        if (event.modelCalled || event.cachedLogits) {
          // Window column i is sequence position i + 1, whose top token is 7 + (i + 1) % 5.
          expect(record.topkIds!.map((ids) => ids[0])).toEqual([8, 9, 10, 11]);
          expect(record.topkProbs![0]![0]).toBeCloseTo(0.7, 5);
        } else {
          expect(record.topkIds).toBeNull();
        }
      });
      expect(reader.get(events.length)!.final).toBe(true);
      expect(reader.get(events.length)!.x.includes(MASK)).toBe(false);
    }
  });

  it('a config names the history component (predictor.history), built through the registry', async () => {
    const registry = createComponentRegistry([definePlugin({ name: 'mlm', components: [...predictorComponents, ...nodeHistoryComponents] })]);
    const resources = { model: createWorkedExampleModel(), tokenizer, random: createRandom(0) };
    const predictor = (await registry.create(
      'predictor',
      'mlm/predictor',
      { maxSteps: 3, maxNewTokens: 4, topK: 1, history: { name: 'history-top-k', outputDir, k: 2, runId: 'from-config' } },
      resources,
      'predictor',
    )) as MLMPredictor;
    expect(predictor.history).toBeInstanceOf(HistoryTopKPlugin);
    const prediction = await predictor.predict({ inputIds: ints([[7]]) });
    expect(prediction.history).toEqual([{ fid: 'from-config_0' }]);
    const reader = readHistory(outputDir, 'from-config_0');
    expect(reader.get(1)!.topkIds![0]).toHaveLength(2);

    const inMemory = (await registry.create('predictor', 'mlm/predictor', { maxSteps: 1, history: { name: 'mlm/in-memory-history', runId: 'memory' } }, resources)) as MLMPredictor;
    const records = (await inMemory.predict({ inputIds: ints([[7, MASK, MASK]]) })).history as { fid: string; records: unknown[] }[];
    expect(records.map((entry) => entry.fid)).toEqual(['memory_0']);
    expect(records[0]!.records.length).toBeGreaterThan(0);

    await expect(registry.create('predictor', 'mlm/predictor', { maxSteps: 1, history: { name: 'history-top-k', outputDir, k: 0 } }, resources, 'predictor')).rejects.toThrow(
      /predictor\.history\.k: expected a positive integer, got 0/,
    );
    await expect(registry.create('predictor', 'mlm/predictor', { maxSteps: 1, history: { name: 'history-top-k' } }, resources, 'predictor')).rejects.toThrow(
      /predictor\.history\.outputDir: expected a non-empty string, got nothing/,
    );
    await expect(registry.create('predictor', 'mlm/predictor', { maxSteps: 1, history: { name: 'mlm/tensorboard-history' } }, resources, 'predictor')).rejects.toThrow(
      /predictor\.history\.name: unknown history "mlm\/tensorboard-history"; registered .*: mlm\/history-top-k, mlm\/in-memory-history/,
    );
  });
});
