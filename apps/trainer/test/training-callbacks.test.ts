// The training loop's callbacks through the CLI: a plugin's callback component, the checkpoint on an
// error inside a step, and the best checkpoints by a monitored validation value.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../src/main.js';
import { findLastCheckpoint, listCheckpoints, readTrainerState } from '../src/training/checkpoint.js';
import { listBestCheckpoints } from '../src/training/callbacks/best-checkpoint-callback.js';
import { recordingIO, temporaryDirectory, TINY } from './helpers.js';

const options = { readStdin: async () => '', handleSignals: false };
const plugin = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'callback-plugin.ts');

async function train(args: string[]): Promise<{ code: number; text: string }> {
  const io = recordingIO();
  const code = await main(['train', '--preset', 'star-easy', ...TINY, ...args], { ...options, io });
  return { code, text: io.text() };
}

describe('training callbacks', () => {
  it('a plugin registers a callback component that the loop runs at every step', async () => {
    const run = temporaryDirectory('mlm-callbacks-plugin-');
    const record = path.join(run, '..', `${path.basename(run)}-steps.txt`);
    const { code, text } = await train(['--run-dir', run, `plugins=[${JSON.stringify(plugin)}]`, `callbacks=[{name: test/step-recorder, file: ${JSON.stringify(record)}}]`, 'training.maxSteps=3']);
    expect(code, text).toBe(0);
    expect(readFileSync(record, 'utf8').trim().split('\n')).toEqual(['start star-easy 0', 'step 1', 'step 2', 'step 3', 'end completed 3']);
  });

  it('an error inside a step leaves a checkpoint of that step, which resumes', async () => {
    const run = temporaryDirectory('mlm-callbacks-error-');
    const record = path.join(run, '..', `${path.basename(run)}-steps.txt`);
    const failing = `callbacks=[{name: test/step-recorder, file: ${JSON.stringify(record)}, failAtStep: 5}]`;
    const { code, text } = await train(['--run-dir', run, `plugins=[${JSON.stringify(plugin)}]`, failing]);
    expect(code).toBe(1);
    expect(text).toContain('failing at step 5 on purpose');
    expect(text).toMatch(/error at step 5: checkpoint of step 5 in .*step-5 \(resume with --resume auto\)/);
    // checkpointEvery=3 wrote step 3; the error added step 5 (its update was complete), and it is what resumes.
    expect(listCheckpoints(path.join(run, 'checkpoints')).map((entry) => entry.step)).toEqual([3, 5]);
    expect(findLastCheckpoint(path.join(run, 'checkpoints'))).toBe(path.join(run, 'checkpoints', 'step-5'));
    const resumed = await train(['--run-dir', run, '--resume', 'auto', `plugins=[${JSON.stringify(plugin)}]`, `callbacks=[{name: test/step-recorder, file: ${JSON.stringify(record)}}]`]);
    expect(resumed.code, resumed.text).toBe(0);
    expect(resumed.text).toMatch(/resumed from .*step-5 at step 5/);
    expect(readTrainerState(findLastCheckpoint(path.join(run, 'checkpoints'))!).step).toBe(6);
  });

  it('keeps the best checkpoints by a monitored validation value, apart from the periodic ones', async () => {
    const run = temporaryDirectory('mlm-callbacks-best-');
    const monitor = 'val/lm/accumulated_loss';
    const { code, text } = await train(['--run-dir', run, 'validation.every=1', `training.bestCheckpoint.monitor=${monitor}`, 'training.bestCheckpoint.mode=min', 'training.bestCheckpoint.keep=2']);
    expect(code, text).toBe(0);
    const metrics = readFileSync(path.join(run, 'metrics.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { step: number; [key: string]: unknown });
    const losses = metrics.filter((record) => record[monitor] !== undefined).map((record) => ({ step: record.step, value: record[monitor] as number }));
    expect(losses.map((entry) => entry.step)).toEqual([1, 2, 3, 4, 5, 6]);
    const expected = [...losses].sort((a, b) => a.value - b.value || a.step - b.step).slice(0, 2);
    const best = listBestCheckpoints(run, monitor, 'min');
    expect(best.map((entry) => ({ step: entry.step, value: entry.value }))).toEqual(expected);
    expect(existsSync(path.join(run, 'best', `step-${expected[0]!.step}`, 'model.safetensors'))).toBe(true);
    // The periodic checkpoints are untouched by it.
    expect(listCheckpoints(path.join(run, 'checkpoints')).map((entry) => entry.step)).toEqual([3, 6]);
  });

  it('a monitor the validation does not report is an error listing the values it reports', async () => {
    const run = temporaryDirectory('mlm-callbacks-monitor-');
    const { code, text } = await train(['--run-dir', run, 'training.bestCheckpoint.monitor=val/accuracy']);
    expect(code).not.toBe(0);
    expect(text).toMatch(/training\.bestCheckpoint\.monitor: "val\/accuracy" is not a validation value; the validation reports "val\/lm\/accumulated_loss"/);
  });
});
