// A training process killed with SIGKILL while it writes a checkpoint leaves a usable run folder: no
// half-written checkpoint passes as complete, the previous one loads, `--resume auto` continues from
// it, and the resumed run ends with the same bytes (weights, optimizer and EMA state, predictions) and
// the same metrics as a run that was never interrupted.
//
// The CLI runs in a child process. The fault-injection seam (support/fault-injection.mjs) makes the
// child SIGKILL itself at an exact file operation, after writing half of the data for torn writes.
import path from 'node:path';
import { readdirSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initializeBackend } from '@mlm/backend';
import { runCli, temporaryFolder, writeTinyConfig, type FaultRule } from './support/cli-process.js';
import { differencesBetweenRuns, loadEveryCompleteCheckpoint } from './support/run-artifacts.js';

let folder: string;
let config: string;
let reference: string;

beforeAll(async () => {
  await initializeBackend({ backend: 'wasm', log: () => {} });
  folder = temporaryFolder('sigkill-checkpoint');
  config = writeTinyConfig(folder);
  reference = path.join(folder, 'uninterrupted');
  const result = await runCli(['train', '-c', config, '--run-dir', reference]);
  expect(result.code, result.stderr).toBe(0);
});

/** Kills a fresh run at `killAt`, checks the folder, resumes it, and compares with the reference. */
async function killThenResume(label: string, killAt: FaultRule): Promise<{ resumeStep: number | null; leftovers: string[] }> {
  const run = path.join(folder, label);
  const killed = await runCli(['train', '-c', config, '--run-dir', run], { killAt, watch: run });
  expect(killed.signal, `the child should have been killed at ${killAt.match}\n${killed.stderr}`).toBe('SIGKILL');

  const { resumeStep, steps } = await loadEveryCompleteCheckpoint(run);
  if (resumeStep !== null) expect(steps).toContain(resumeStep);
  const leftovers = readdirSync(path.join(run, 'checkpoints')).filter((name) => name.includes('partial'));

  const resumed = await runCli(['train', '-c', config, '--run-dir', run, '--resume', 'auto']);
  expect(resumed.code, resumed.stderr).toBe(0);
  if (resumeStep !== null) expect(resumed.stderr).toContain(`at step ${resumeStep}`);
  expect(differencesBetweenRuns(reference, run)).toEqual([]);
  // What the killed process left half-done is cleaned up by the next run.
  expect(readdirSync(path.join(run, 'checkpoints')).filter((name) => name.startsWith('.'))).toEqual([]);
  return { resumeStep, leftovers };
}

describe('SIGKILL while a checkpoint is being written', () => {
  it('a torn model.safetensors in the second checkpoint: the first one is resumed, results are identical', async () => {
    const { resumeStep } = await killThenResume('torn-weights', {
      match: String.raw`^writeFile .*/\.step-4\.partial-[^/]*/.*model\.safetensors`,
      occurrence: 1,
      torn: true,
    });
    expect(resumeStep).toBe(2);
  });

  it('a torn trainer-state.json (the file that marks a checkpoint complete): the previous one is resumed', async () => {
    const { resumeStep } = await killThenResume('torn-state', {
      match: String.raw`^writeFile .*/\.step-4\.partial-[^/]*/trainer-state\.json$`,
      occurrence: 1,
      torn: true,
    });
    expect(resumeStep).toBe(2);
  });

  it('every file written but the folder not yet renamed into place: the partial folder is ignored', async () => {
    const { resumeStep, leftovers } = await killThenResume('before-publish', {
      match: String.raw`^rename .*/\.step-4\.partial-[^/]* -> .*/step-4$`,
      occurrence: 1,
    });
    expect(resumeStep).toBe(2);
    expect(leftovers.length).toBeGreaterThan(0);
  });

  it('a torn `last` pointer after the checkpoint folder is in place: a complete checkpoint is resumed', async () => {
    const { resumeStep } = await killThenResume('torn-pointer', {
      match: String.raw`^writeFile .*/checkpoints/\.last\.`,
      occurrence: 2,
      torn: true,
    });
    expect([2, 4]).toContain(resumeStep);
  });
});
