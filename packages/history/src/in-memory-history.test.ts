import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initializeBackend } from '@mlm/backend';
import type { HistoryStepState } from '@mlm/types';
import { InMemoryHistoryPlugin, createInMemoryHistory } from './index.js';
import { HistoryTopKPlugin } from './node.js';
import { PROBABILITIES, historyStepState, useTemporaryDirectories } from './test-support.js';

const temporaryDirectory = useTemporaryDirectories('mlm-history-memory-');
beforeAll(async () => {
  await initializeBackend({ backend: 'cpu', log: () => {} });
});

const state = (step: number, ids: number[][], probabilities: number[][][] | null, final = false): HistoryStepState =>
  historyStepState(step, ids, probabilities, { final });
const P = PROBABILITIES;

describe('InMemoryHistoryPlugin', () => {
  it('records exactly what HistoryTopKPlugin writes to disk, without a file system', async () => {
    const memory = createInMemoryHistory({ k: 2, runId: 'run1' });
    const directory = temporaryDirectory();
    const disk = new HistoryTopKPlugin({ outputDir: directory, k: 2, runId: 'run1' });
    const steps = [state(1, [[4, 2, 2], [5, 1, 2]], P), state(2, [[4, 0, 2], [5, 1, 1]], null, true)];
    const before = tf.memory().numTensors;
    for (const step of steps) {
      await memory.updateHistory(step);
      await disk.updateHistory(step);
    }
    steps[0]!.logits!.dispose();
    expect(tf.memory().numTensors).toBe(before - 1); // only the test's own logits were freed: the plugins leak nothing

    const dict = memory.toDict();
    expect(dict.map((entry) => entry.fid)).toEqual(disk.toDict().map((entry) => entry.fid));
    for (const { fid, records } of dict) {
      const fromDisk = HistoryTopKPlugin.fromSerialized(directory, fid);
      expect(records).toEqual(fromDisk.steps().map((step) => fromDisk.get(step)));
      const reader = memory.read(fid);
      expect(reader.steps()).toEqual([1, 2]);
      expect(reader.getNumSteps()).toBe(2);
      expect(reader.get(2)).toEqual(fromDisk.get(2));
      expect(reader.get(3)).toBeNull();
    }
    expect(memory.read('run1_1').get(1)!.topkIds).toEqual([[2, 0], [2, 0]]);
  });

  it('starts a new run at reset (default ids: 32 hex digits from Web Crypto), keeps earlier runs readable, and says what is wrong', async () => {
    const memory = new InMemoryHistoryPlugin();
    const one = state(1, [[1, 2]], null);
    await memory.updateHistory(one);
    const first = memory.toDict()[0]!.fid;
    expect(first).toMatch(/^[0-9a-f]{32}_0$/);
    await expect(memory.updateHistory(state(2, [[1, 2], [3, 4]], null))).rejects.toThrow(/batch size changed from 1 to 2 within one run/);
    memory.reset();
    expect(() => memory.toDict()).toThrow(/nothing recorded yet/);
    await memory.updateHistory(state(1, [[7, 8], [9, 9]], null));
    expect(memory.toDict()).toHaveLength(2);
    expect(memory.read(first).get(1)!.x).toEqual([2]);
    expect(() => memory.read('nope_0')).toThrow(/no recorded example "nope_0"/);
    expect(() => memory.read(first).get(-1)).toThrow(/step = -1/);
    memory.clear();
    expect(() => memory.read(first)).toThrow(/recorded: none/);
    expect(() => new InMemoryHistoryPlugin({ k: 0 })).toThrow(/InMemoryHistoryPlugin: k = 0:/);
    expect(() => new InMemoryHistoryPlugin({ runId: 'a/b' })).toThrow(/runId = "a\/b": expected letters/);
  });
});
