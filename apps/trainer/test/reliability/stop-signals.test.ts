// SIGINT / SIGTERM: the trainer finishes the current step, writes a checkpoint atomically, exits with
// 130 / 143 and prints the command that resumes; resuming with that command ends with the same bytes
// and metrics as a run that was never stopped. A second signal exits at once, keeping the last
// complete checkpoint.
//
// The signal is sent by the fault-injection seam right after a given metrics line is written, so it
// lands during a known step whatever the machine's speed.
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initializeBackend } from '@mlm/backend';
import { runCli, temporaryFolder, writeTinyConfig } from './support/cli-process.js';
import { differencesBetweenRuns, loadEveryCompleteCheckpoint } from './support/run-artifacts.js';

let folder: string;
let config: string;
let reference: string;

beforeAll(async () => {
  await initializeBackend({ backend: 'wasm', log: () => {} });
  folder = temporaryFolder('stop-signals');
  config = writeTinyConfig(folder);
  reference = path.join(folder, 'uninterrupted');
  const result = await runCli(['train', '-c', config, '--run-dir', reference]);
  expect(result.code, result.stderr).toBe(0);
});

/** The arguments of the `resume with: mlm ...` line (simple quoting: no spaces in our paths). */
function resumeArguments(stderr: string): string[] {
  const line = stderr.split('\n').find((candidate) => candidate.startsWith('resume with: mlm '));
  expect(line, stderr).toBeDefined();
  return line!.slice('resume with: mlm '.length).trim().split(/\s+/);
}

async function stopThenResume(label: string, signal: 'SIGINT' | 'SIGTERM', afterMetricsLine: number): Promise<number> {
  const run = path.join(folder, label);
  const stopped = await runCli(['train', '-c', config, '--run-dir', run], {
    watch: run,
    signalAt: { match: String.raw`^appendFileSync .*/metrics\.jsonl$`, occurrence: afterMetricsLine, signal },
  });
  expect(stopped.code, stopped.stderr).toBe(signal === 'SIGINT' ? 130 : 143);
  const stoppedLine = /stopped by (SIG\w+) after step (\d+); checkpoint: (\S+)/.exec(stopped.stderr);
  expect(stoppedLine, stopped.stderr).not.toBeNull();
  expect(stoppedLine![1]).toBe(signal);
  const step = Number(stoppedLine![2]);
  expect(stoppedLine![3]).toBe(path.join(run, 'checkpoints', `step-${step}`));
  // The checkpoint written on the signal is complete and is the one `--resume auto` takes.
  expect((await loadEveryCompleteCheckpoint(run)).resumeStep).toBe(step);

  const args = resumeArguments(stopped.stderr);
  expect(args.slice(-2)).toEqual(['--resume', 'auto']);
  expect(args).toContain(run);
  const resumed = await runCli(args);
  expect(resumed.code, resumed.stderr).toBe(0);
  expect(resumed.stderr).toContain(`resumed from ${path.join(run, 'checkpoints', `step-${step}`)} at step ${step}`);
  expect(differencesBetweenRuns(reference, run)).toEqual([]);
  return step;
}

describe('SIGINT and SIGTERM', () => {
  it('SIGINT during step 3: checkpoint at step 3, exit 130, the printed command resumes to identical results', async () => {
    // The 3rd metrics line is step 3's; the signal arrives before step 4 starts, so step 4 is finished first.
    const step = await stopThenResume('sigint', 'SIGINT', 3);
    expect([3, 4]).toContain(step);
  });

  it('SIGTERM on a validation step (step 4): exit 143; the validation due at that step is not lost', async () => {
    // Metrics lines: steps 1, 2, 3, 4 (train), then 4 (validation). The 4th line is written just
    // before step 4's validation and checkpoint would run.
    const step = await stopThenResume('sigterm', 'SIGTERM', 4);
    expect(step).toBe(4);
  });

  it('SIGINT is noticed within a step even when no checkpoint or validation is due (no I/O in the loop)', async () => {
    const run = path.join(folder, 'busy-loop');
    const busy = writeTinyConfig(path.join(folder), { maxSteps: 200, checkpointEvery: null, logEvery: 1, validationEvery: null, file: 'busy.yaml' });
    let signalledAfter = -1;
    const stopped = await runCli(['train', '-c', busy, '--run-dir', run], {
      onStderrLine: (line, child) => {
        const match = /^step (\d+)\//.exec(line);
        if (match && signalledAfter < 0 && Number(match[1]) >= 3) {
          signalledAfter = Number(match[1]);
          child.kill('SIGINT');
        }
      },
    });
    expect(stopped.code, stopped.stderr).toBe(130);
    const step = Number(/stopped by SIGINT after step (\d+)/.exec(stopped.stderr)?.[1]);
    // It finishes the step under way (or the next, when the signal lands between steps), not the run.
    expect(step).toBeGreaterThanOrEqual(signalledAfter);
    expect(step).toBeLessThan(200);
    expect((await loadEveryCompleteCheckpoint(run)).resumeStep).toBe(step);
  });

  it('a second SIGINT exits at once without a new checkpoint; the previous one still loads and resumes', async () => {
    const run = path.join(folder, 'second-signal');
    const stopped = await runCli(['train', '-c', config, '--run-dir', run], {
      watch: run,
      signalAt: { match: String.raw`^appendFileSync .*/metrics\.jsonl$`, occurrence: 3, signal: 'SIGINT' },
      onStderrLine: (line, child) => {
        if (line.includes('SIGINT received')) child.kill('SIGINT');
      },
    });
    expect(stopped.code, stopped.stderr).toBe(130);
    expect(stopped.stderr).toContain('second SIGINT');
    const { resumeStep } = await loadEveryCompleteCheckpoint(run);
    expect(resumeStep).toBe(2);
    const resumed = await runCli(['train', '-c', config, '--run-dir', run, '--resume', 'auto']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(differencesBetweenRuns(reference, run)).toEqual([]);
  });
});
