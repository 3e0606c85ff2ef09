import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initializeBackend } from '@mlm/backend';
import { createRandom } from '@mlm/random';
import { createUnconditionalBatch, type MLMPredictor } from '@mlm/predictor';
import { FixedDistributionModel } from '@mlm/predictor/testing';
import { createRegistryWithPlugins, main, type CommandIO } from '@mlm/trainer';
import { createLeftToRightStrategy, createReverseDigitsTask, plugin } from './index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const config = path.resolve(here, '../configs/reverse-digits.yaml');

function recordingIO(): CommandIO & { lines: string[] } {
  const lines: string[] = [];
  return { lines, out: (line) => lines.push(line), err: (line) => lines.push(line), progressStream: process.stderr };
}

beforeAll(async () => {
  await initializeBackend({ backend: 'cpu', log: () => {} });
});

describe('@mlm/example-plugin', () => {
  it('reverse-digits: prompts are digit strings, targets the same digits reversed', () => {
    const task = createReverseDigitsTask({ seed: 3, minLength: 2, maxLength: 5, numTrain: 20, numValidation: 2, numTest: 2 });
    expect(task.kind).toBe('seq2seq');
    expect(task.blockSize).toBe(6);
    return (async () => {
      for await (const example of task.splits.train.iterate()) {
        const prompt = task.tokenizer.convertIdsToTokens(example.promptIds!);
        const target = task.tokenizer.convertIdsToTokens(example.inputIds!);
        expect(target).toEqual([...prompt].reverse());
        expect(prompt.length).toBeGreaterThanOrEqual(2);
        expect(prompt.length).toBeLessThanOrEqual(5);
      }
    })();
  });

  it('left-to-right: unmasks the leftmost eligible positions, ceil(eligible / steps left) per step', () => {
    const strategy = createLeftToRightStrategy({ perStep: null });
    const eligible = Uint8Array.from([0, 1, 1, 0, 1, 1, /* row 2 */ 1, 1, 1, 1, 1, 1]);
    const selected = strategy.select({
      batchSize: 2,
      length: 6,
      eligible,
      eligibleCount: Int32Array.from([4, 6]),
      stepsLeft: Int32Array.from([2, 4]),
      totalSteps: Int32Array.from([6, 6]),
      confidence: null,
      step: 1,
      random: createRandom(1),
    });
    expect(Array.from(selected)).toEqual([0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0]);
  });

  it('is used through the registry by the predictor: generation fills positions left to right', async () => {
    const registry = await createRegistryWithPlugins(['@mlm/example-plugin'], [here]);
    expect(registry.list().filter((component) => component.plugin === 'example').map((component) => component.name)).toEqual([
      'example/reverse-digits-collator',
      'example/left-to-right',
      'example/reverse-digits',
    ]);
    const vocabSize = 8;
    const model = new FixedDistributionModel({ vocabSize, probabilities: () => [0, 0, 0, 0, 0, 0, 0.3, 0.7] });
    const tokenizer = createReverseDigitsTask({ seed: 1, minLength: 1, maxLength: 2, numTrain: 1, numValidation: 0, numTest: 0 }).tokenizer;
    const predictor = (await registry.create(
      'predictor',
      'mlm/predictor',
      { maxSteps: 3, topK: 1, positionStrategy: { name: 'example/left-to-right' } },
      { random: createRandom(1), model, tokenizer },
    )) as MLMPredictor;
    const batch = createUnconditionalBatch({ batchSize: 1, length: 6, maskTokenId: tokenizer.maskTokenId });
    const filled: number[] = [];
    let finalEvents = 0;
    for await (const event of predictor.stream(batch)) {
      if (event.final) finalEvents += 1;
      filled.push(Array.from(event.ids.data).filter((id) => id !== tokenizer.maskTokenId).length);
      // Committed positions always form a prefix.
      const masks = Array.from(event.ids.data).map((id) => id === tokenizer.maskTokenId);
      expect(masks.indexOf(true) === -1 || masks.slice(masks.indexOf(true)).every(Boolean)).toBe(true);
    }
    // Three steps of two positions each, then the predictor's final (fill) step with nothing left to fill.
    expect(filled).toEqual([2, 4, 6, 6]);
    expect(finalEvents).toBe(1);
  });

  it('its task defaults to its own collator, which builds on a built-in one through the registry', async () => {
    const registry = await createRegistryWithPlugins(['@mlm/example-plugin'], [here]);
    const task = await registry.create('task', 'example/reverse-digits', { seed: 2, minLength: 2, maxLength: 4, numTrain: 4, numValidation: 0, numTest: 0 });
    expect(task.collatorDefaults.train.name).toBe('example/reverse-digits-collator');
    const { name, ...defaults } = task.collatorDefaults.train;
    const examples = [];
    for await (const example of task.splits.train.iterate()) examples.push(example);
    const resources = { tokenizer: task.tokenizer, random: createRandom(5), taskInfo: task };
    const plain = (await registry.create('collator', name, defaults, resources)).collate(examples);
    const masked = (await registry.create('collator', name, { ...defaults, maskAll: true }, { ...resources, random: createRandom(5) })).collate(examples);
    const mask = task.tokenizer.maskTokenId;
    const scored = Array.from(masked.targetIds!.data, (id) => id !== -100);
    expect(scored.some(Boolean)).toBe(true);
    // maskAll: every scored (suffix) position is [MASK], every other position as the built-in collator left it.
    Array.from(masked.inputIds.data).forEach((id, i) => expect(scored[i] ? id === mask : id === plain.inputIds.data[i]).toBe(true));
    await expect(registry.create('collator', name, { maskAll: 'yes' }, resources, 'collators.train')).rejects.toThrow(/collators\.train\.maskAll/);
  });

  it('trains from a config that lists the plugin package', async () => {
    const runDir = mkdtempSync(path.join(os.tmpdir(), 'mlm-example-plugin-'));
    const io = recordingIO();
    const before = tf.memory().numTensors;
    const code = await main(
      [
        'train',
        '--config',
        config,
        '--run-dir',
        runDir,
        'backend=cpu',
        'task.numTrain=64',
        'task.numValidation=8',
        'task.numTest=8',
        'model.dModel=16',
        'model.nhead=2',
        'model.numLayers=1',
        'training.maxSteps=3',
        'training.batchSize=8',
        'validation.every=null',
        'logging.progress=none',
      ],
      { io, handleSignals: false, readStdin: async () => '' },
    );
    expect(code, io.lines.join('\n')).toBe(0);
    expect(tf.memory().numTensors).toBe(before);
    expect(readFileSync(path.join(runDir, 'config.yaml'), 'utf8')).toContain('- "@mlm/example-plugin"');
    const predictions = readFileSync(path.join(runDir, 'predictions', 'validation', 'step=3.jsonl'), 'utf8').trim().split('\n');
    expect(predictions).toHaveLength(8);
    expect(existsSync(path.join(runDir, 'model', 'model.safetensors'))).toBe(true);
    // The trained model generates through the plugin's strategy too (it is in the run's saved config).
    const generated = recordingIO();
    expect(await main(['generate', runDir, '--prompt', '1 2 3'], { io: generated, handleSignals: false, readStdin: async () => '' })).toBe(0);
    expect(generated.lines.some((line) => line.startsWith('1 2 3 => '))).toBe(true);
  });

  it('exports a plugin object', () => {
    expect(plugin.name).toBe('example');
  });
});
