// SIGKILL outside a checkpoint write: from outside at an arbitrary moment, in the middle of a metrics
// line, and while the final model is exported. The run folder stays usable and `--resume auto` ends
// with the same bytes and metrics as a run that was never interrupted.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initializeBackend } from '@mlm/backend';
import { createRandom } from '@mlm/random';
import { runCli, temporaryFolder, writeTinyConfig } from './support/cli-process.js';
import { differencesBetweenRuns, loadEveryCompleteCheckpoint } from './support/run-artifacts.js';

let folder: string;
let config: string;
let reference: string;

beforeAll(async () => {
  await initializeBackend({ backend: 'wasm', log: () => {} });
  folder = temporaryFolder('sigkill-between');
  config = writeTinyConfig(folder);
  reference = path.join(folder, 'uninterrupted');
  const result = await runCli(['train', '-c', config, '--run-dir', reference]);
  expect(result.code, result.stderr).toBe(0);
});

async function resumeAndCompare(run: string, expectedResumeStep: number | null): Promise<void> {
  const { resumeStep, steps } = await loadEveryCompleteCheckpoint(run);
  if (expectedResumeStep !== null) expect(resumeStep).toBe(expectedResumeStep);
  if (resumeStep !== null) expect(steps).toContain(resumeStep);
  const resumed = await runCli(['train', '-c', config, '--run-dir', run, '--resume', 'auto']);
  expect(resumed.code, resumed.stderr).toBe(0);
  expect(differencesBetweenRuns(reference, run)).toEqual([]);
}

describe('SIGKILL between checkpoints', () => {
  it('killed from outside at a random moment after the first checkpoint: resumes to identical results', async () => {
    const run = path.join(folder, 'external');
    // Killed as soon as the parent reads the progress line of a (seeded) random step after the first
    // checkpoint: the child is somewhere in the following step, validation or checkpoint by then.
    const killAfterStep = 3 + Math.floor(createRandom(7).next() * 5);
    const killed = await runCli(['train', '-c', config, '--run-dir', run], {
      onStderrLine: (line, child) => {
        if (line.startsWith(`step ${killAfterStep}/`)) child.kill('SIGKILL');
      },
    });
    expect(killed.signal, killed.stderr).toBe('SIGKILL');
    await resumeAndCompare(run, null);
  });

  it('a torn line at the end of metrics.jsonl is dropped on resume', async () => {
    const run = path.join(folder, 'torn-metrics');
    const killed = await runCli(['train', '-c', config, '--run-dir', run], {
      watch: run,
      killAt: { match: String.raw`^appendFileSync .*/metrics\.jsonl$`, occurrence: 6, torn: true },
    });
    expect(killed.signal, killed.stderr).toBe('SIGKILL');
    await resumeAndCompare(run, 4);
  });

  it('killed while the final model is exported: resuming the finished run re-exports it, metrics unchanged', async () => {
    const run = path.join(folder, 'final-export');
    const killed = await runCli(['train', '-c', config, '--run-dir', run], {
      watch: run,
      killAt: { match: String.raw`^writeFile .*/(model|\.model\.partial-\d+)/\.model\.safetensors\.`, occurrence: 1, torn: true },
    });
    expect(killed.signal, killed.stderr).toBe('SIGKILL');
    await resumeAndCompare(run, 8);
  });

  it('resuming a finished run that keeps one checkpoint never leaves the folder without it, even if killed', async () => {
    const run = path.join(folder, 'finished-keep-one');
    const keepOne = writeTinyConfig(folder, { keepCheckpoints: 1, file: 'keep-one.yaml' });
    const finished = await runCli(['train', '-c', keepOne, '--run-dir', run]);
    expect(finished.code, finished.stderr).toBe(0);
    // Resume the finished run and kill it when it would publish a checkpoint folder (if it writes one).
    const again = await runCli(['train', '-c', keepOne, '--run-dir', run, '--resume', 'auto'], {
      watch: run,
      killAt: { match: String.raw`^rename .*/\.step-8\.partial-[^/]* -> `, occurrence: 1 },
    });
    expect(again.signal === 'SIGKILL' || again.code === 0, again.stderr).toBe(true);
    expect((await loadEveryCompleteCheckpoint(run)).resumeStep).toBe(8);
  });

  it('a metrics line that averages steps on both sides of the resumed checkpoint is the same as uninterrupted', async () => {
    // logEvery 3 with checkpoints every 2: the line of step 6 averages steps 4-6, and the run resumes at 4.
    // metrics.jsonl lines: step 3 (train), step 4 (validation), step 6 (train): killed writing the third.
    const windowed = writeTinyConfig(folder, { logEvery: 3, file: 'log-every-3.yaml' });
    const expected = path.join(folder, 'log-every-3-uninterrupted');
    const uninterrupted = await runCli(['train', '-c', windowed, '--run-dir', expected]);
    expect(uninterrupted.code, uninterrupted.stderr).toBe(0);
    const run = path.join(folder, 'log-every-3');
    const killed = await runCli(['train', '-c', windowed, '--run-dir', run], {
      watch: run,
      killAt: { match: String.raw`^appendFileSync .*/metrics\.jsonl$`, occurrence: 3 },
    });
    expect(killed.signal, killed.stderr).toBe('SIGKILL');
    expect((await loadEveryCompleteCheckpoint(run)).resumeStep).toBe(4);
    const resumed = await runCli(['train', '-c', windowed, '--run-dir', run, '--resume', 'auto']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(differencesBetweenRuns(expected, run)).toEqual([]);
  });

  it('killed in the middle of the final export: no half-exported model folder is used; resuming completes it', async () => {
    const run = path.join(folder, 'half-export');
    const killed = await runCli(['train', '-c', config, '--run-dir', run], {
      watch: run,
      killAt: { match: String.raw`^writeFile .*/(model|\.model\.partial-\d+)/\.tokenizer\.json\.`, occurrence: 1, torn: true },
    });
    expect(killed.signal, killed.stderr).toBe('SIGKILL');
    // Whatever the run folder offers as its model is complete: evaluating and generating work.
    const evaluated = await runCli(['eval', run, '--max-examples', '2']);
    expect(evaluated.code, evaluated.stderr).toBe(0);
    const generated = await runCli(['generate', run, '--prompt', '0 1 1 2 2 3 0 3', 'predictor.maxSteps=2']);
    expect(generated.code, generated.stderr).toBe(0);
    await resumeAndCompare(run, 8);
    expect(readdirSync(path.join(run, 'model')).sort()).toEqual(['config.json', 'model.safetensors', 'task.json', 'tokenizer.json']);
    expect(readdirSync(run).filter((name) => name.startsWith('.'))).toEqual([]);
  });
});
