import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initializeBackend } from '@mlm/backend';
import type { HistoryStepState } from '@mlm/types';
import { HistoryTopKPlugin, readHistory } from './node.js';
import { PROBABILITIES, historyStepState, useTemporaryDirectories } from './test-support.js';

const temporaryDirectory = useTemporaryDirectories('mlm-history-');

beforeAll(async () => {
  await initializeBackend({ backend: 'wasm', log: () => {} });
});

const stateWith = (probabilities: number[][][], ids: number[][], step: number, extra: Partial<HistoryStepState> = {}): HistoryStepState =>
  historyStepState(step, ids, probabilities, extra);
const P = PROBABILITIES;
const IDS = [[4, 2, 2], [5, 1, 2]];

describe('HistoryTopKPlugin', () => {
  it('writes one JSON file per step per example over the generated window, readable back', async () => {
    const outputDir = temporaryDirectory();
    const plugin = new HistoryTopKPlugin({ outputDir, k: 2, runId: 'run7' });
    const state = stateWith(P, IDS, 1);
    const before = tf.memory().numTensors;
    await plugin.updateHistory(state);
    expect(tf.memory().numTensors).toBe(before); // the plugin frees its softmax/top-k tensors
    await plugin.updateHistory({ ...stateWith(P, [[4, 0, 2], [5, 1, 1]], 2), final: true, logits: null });
    state.logits!.dispose();

    expect(plugin.toDict()).toEqual([{ fid: 'run7_0' }, { fid: 'run7_1' }]);
    expect(readdirSync(outputDir).sort()).toEqual(['run7_0', 'run7_1']);
    expect(readdirSync(path.join(outputDir, 'run7_0')).sort()).toEqual(['1.json', '2.json']); // no temporary files left

    const reader = HistoryTopKPlugin.fromSerialized(outputDir, 'run7_1');
    expect(reader.getNumSteps()).toBe(2);
    const first = reader.get(1)!;
    expect(first.step).toBe(1);
    expect(first.x).toEqual([1, 2]); // window = columns 1..2
    expect(first.topkIds).toEqual([[2, 0], [2, 0]]);
    expect(first.topkProbs![0]![0]).toBeCloseTo(0.6, 6);
    expect(first.topkProbs![1]![1]).toBeCloseTo(0.1, 6);
    const last = reader.get(2)!;
    expect(last.final).toBe(true);
    expect(last.x).toEqual([1, 1]);
    expect(last.topkIds).toBeNull();
    expect(reader.get(3)).toBeNull();
    // Any tool can read the files: plain JSON.
    expect(JSON.parse(readFileSync(path.join(outputDir, 'run7_0', '1.json'), 'utf8')).topkIds).toEqual([[0, 1], [1, 0]]);
  });

  it('keeps the whole vocabulary by default and honours maxNewTokens', async () => {
    const outputDir = temporaryDirectory();
    const plugin = new HistoryTopKPlugin({ outputDir, maxNewTokens: 1, runId: () => 'fixed' });
    const state = stateWith(P, IDS, 3);
    await plugin.updateHistory(state);
    state.logits!.dispose();
    const record = readHistory(outputDir, 'fixed_0').get(3)!;
    expect(record.x).toEqual([2]);
    expect(record.topkIds).toEqual([[1, 0, 2]]);
    expect(record.topkProbs![0]!.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 6);
  });

  it('rejects a batch-size change within a run; reset starts a new run', async () => {
    const outputDir = temporaryDirectory();
    let counter = 0;
    const plugin = new HistoryTopKPlugin({ outputDir, k: 1, runId: () => `r${++counter}` });
    const two = stateWith(P, IDS, 1);
    await plugin.updateHistory(two);
    const one = stateWith([P[0]!], [IDS[0]!], 2);
    await expect(plugin.updateHistory(one)).rejects.toThrow(/batch size changed from 2 to 1 within one run/);
    plugin.reset();
    expect(() => plugin.toDict()).toThrow(/nothing recorded yet/);
    await plugin.updateHistory(one);
    expect(plugin.toDict()).toEqual([{ fid: 'r2_0' }]);
    two.logits!.dispose();
    one.logits!.dispose();
  });

  it('validates options and fids clearly', () => {
    expect(() => new HistoryTopKPlugin({ outputDir: '' })).toThrow(/outputDir = "":/);
    expect(() => new HistoryTopKPlugin({ outputDir: 'x', k: 0 })).toThrow(/k = 0:/);
    expect(() => new HistoryTopKPlugin({ outputDir: 'x', runId: '../escape' })).toThrow(/runId = "..\/escape": expected letters/);
    const outputDir = temporaryDirectory();
    expect(() => readHistory(outputDir, 'missing_0')).toThrow(/no history folder/);
    expect(() => readHistory(outputDir, '../x')).toThrow(/fid = "..\/x"/);
  });
});
