import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { fromPretrained, readSafetensorsFile } from '@mlm/model/node';
import { main } from '../src/main.js';
import { recordingIO, temporaryDirectory, TINY } from './helpers.js';

const noStdin = { readStdin: async () => '', handleSignals: false };

function readJsonLines(file: string): Record<string, unknown>[] {
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('mlm CLI end to end (train → checkpoint → eval → generate → export)', () => {
  const runDir = temporaryDirectory('mlm-cli-');

  it('trains and writes the run folder', async () => {
    const io = recordingIO();
    const code = await main(['train', '--preset', 'star-easy', '--run-dir', runDir, ...TINY], { ...noStdin, io });
    expect(code, io.text()).toBe(0);
    expect(io.stdout.join('\n')).toMatch(/finished 6 steps/);
    expect(readFileSync(path.join(runDir, 'config.yaml'), 'utf8')).toContain('maxSteps: 6');
    const metrics = readJsonLines(path.join(runDir, 'metrics.jsonl'));
    expect(metrics.filter((record) => 'train/loss' in record).map((record) => record.step)).toEqual([2, 4, 6]);
    const validations = metrics.filter((record) => 'val/prediction/exact_match' in record);
    expect(validations.map((record) => record.step)).toEqual([3, 6]);
    for (const record of validations) {
      expect(record['val/lm/accumulated_loss']).toBeGreaterThan(0);
      expect(record['val/prediction/token_accuracy']).toBeGreaterThanOrEqual(0);
    }
    expect(readFileSync(path.join(runDir, 'metrics.csv'), 'utf8').split('\n')[0]).toBe('step,epoch,time,metric,value');
    expect(readFileSync(path.join(runDir, 'checkpoints', 'last'), 'utf8').trim()).toBe('step-6');
    for (const file of ['config.json', 'model.safetensors', 'tokenizer.json', 'optimizer.safetensors', 'ema.safetensors', 'trainer-state.json', 'task.json']) {
      expect(existsSync(path.join(runDir, 'checkpoints', 'step-3', file)), file).toBe(true);
    }
    const predictions = readJsonLines(path.join(runDir, 'predictions', 'validation', 'step=3.jsonl'));
    expect(predictions).toHaveLength(8);
    expect(predictions[0]).toHaveProperty('truth');
    expect(predictions[0]).toHaveProperty('metric_exact_match');
    expect(existsSync(path.join(runDir, 'model', 'model.safetensors'))).toBe(true);
  });

  it('refuses to train over existing checkpoints without --resume or --overwrite', async () => {
    const io = recordingIO();
    expect(await main(['train', '--preset', 'star-easy', '--run-dir', runDir, ...TINY], { ...noStdin, io })).toBe(2);
    expect(io.text()).toMatch(/already holds checkpoints \(last: step 6\); pass --resume auto/);
  });

  it('resumes from the last checkpoint and trains further', async () => {
    const io = recordingIO();
    const code = await main(['train', '--run-dir', runDir, '--resume', 'auto', 'training.maxSteps=8'], { ...noStdin, io });
    expect(code, io.text()).toBe(0);
    expect(io.text()).toMatch(/resumed from .*step-6 at step 6/);
    expect(readFileSync(path.join(runDir, 'checkpoints', 'last'), 'utf8').trim()).toBe('step-8');
  });

  it('evaluates a checkpoint on the test split', async () => {
    const io = recordingIO();
    const code = await main(['eval', path.join(runDir, 'checkpoints', 'step-8')], { ...noStdin, io });
    expect(code, io.text()).toBe(0);
    expect(io.stdout.join('\n')).toMatch(/\(EMA weights\) on star-easy test \(8 examples\)/);
    expect(io.stdout.join('\n')).toMatch(/test\/prediction\/exact_match: \d/);
    expect(readJsonLines(path.join(runDir, 'predictions', 'test', 'step=8.jsonl'))).toHaveLength(8);
  });

  it('generates from prompts (printed, to JSONL, streamed)', async () => {
    const prompt = '0 1 1 2 2 3 0 4 4 5 5 6 0 7 7 8 8 9 0 9';
    let io = recordingIO();
    expect(await main(['generate', runDir, '--prompt', prompt], { ...noStdin, io })).toBe(0);
    expect(io.stdout[0]).toMatch(new RegExp(`^${prompt} => `));
    const output = path.join(runDir, 'generated.jsonl');
    io = recordingIO();
    expect(await main(['generate', runDir, '--output', output, 'predictor.topK=null', 'predictor.temperature=0'], { handleSignals: false, io, readStdin: async () => `${prompt}\n0 2 2 4 0 9\n` })).toBe(0);
    const rows = readJsonLines(output);
    expect(rows.map((row) => row.prompt)).toEqual([prompt, '0 2 2 4 0 9']);
    io = recordingIO();
    expect(await main(['generate', runDir, '--prompt', prompt, '--stream'], { ...noStdin, io }), io.text()).toBe(0);
    expect(io.stdout.some((line) => /^step 1:/.test(line))).toBe(true);
    expect(io.stdout.some((line) => /\(final\)/.test(line))).toBe(true);
  });

  it('exports a checkpoint that fromPretrained (@mlm/model/node) loads, with the EMA weights', async () => {
    const io = recordingIO();
    const outDir = path.join(runDir, 'exported');
    const checkpoint = path.join(runDir, 'checkpoints', 'step-8');
    expect(await main(['export', checkpoint, outDir, '--backend', 'cpu'], { ...noStdin, io }), io.text()).toBe(0);
    for (const file of ['config.json', 'model.safetensors', 'tokenizer.json']) expect(existsSync(path.join(outDir, file))).toBe(true);
    const before = tf.memory().numTensors;
    const model = await fromPretrained(outDir);
    const ema = await readSafetensorsFile(path.join(checkpoint, 'ema.safetensors'));
    const trained = await readSafetensorsFile(path.join(checkpoint, 'model.safetensors'));
    const name = 'encoder.0.attn_qkv.weight';
    const exported = model.namedParameters().get(name)!.dataSync();
    expect(Array.from(exported)).toEqual(Array.from(ema.get(name)!.data as Float32Array));
    expect(Array.from(exported)).not.toEqual(Array.from(trained.get(name)!.data as Float32Array));
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('prints the resolved config and lists components', async () => {
    let io = recordingIO();
    expect(await main(['print-config', '--preset', 'demo', 'training.maxSteps=7'], { ...noStdin, io })).toBe(0);
    expect(io.stdout.join('\n')).toMatch(/maxSteps: 7/);
    expect(io.stdout.join('\n')).toMatch(/gradientClipNorm: 1/);
    io = recordingIO();
    expect(await main(['list-components'], { ...noStdin, io })).toBe(0);
    expect(io.stdout.join('\n')).toMatch(/task:\n( {2}.*\n)* {2}mlm\/star-easy/);
    expect(io.stdout.join('\n')).toMatch(/presets: demo, /);
  });

  it('accumulates gradients over micro-batches (two batches per optimiser step)', async () => {
    const dir = temporaryDirectory('mlm-accumulate-');
    const io = recordingIO();
    const code = await main(['train', '--preset', 'star-easy', '--run-dir', dir, ...TINY, 'training.maxSteps=3', 'training.batchSize=4', 'training.gradientAccumulationSteps=2', 'validation.every=null'], { ...noStdin, io });
    expect(code, io.text()).toBe(0);
    const state = JSON.parse(readFileSync(path.join(dir, 'checkpoints', 'step-3', 'trainer-state.json'), 'utf8')) as { step: number; examplesSeen: number; optimizer: { stepCount: number } };
    expect(state).toMatchObject({ step: 3, examplesSeen: 3 * 2 * 4, optimizer: { stepCount: 3 } });
    expect(io.stderr.join('\n')).toContain('(batch 4 × 2 accumulated)');
  });

  it('gives exit code 2 and the path for a bad config', async () => {
    const io = recordingIO();
    expect(await main(['train', '--preset', 'star-easy', '--run-dir', temporaryDirectory(), 'training.maxSteps=-5'], { ...noStdin, io })).toBe(2);
    expect(io.stderr.join('\n')).toContain('training.maxSteps: expected a positive integer, got -5');
  });
});
