import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../src/main.js';
import { recordingIO, temporaryDirectory, TINY } from './helpers.js';

const options = { readStdin: async () => '', handleSignals: false };
const here = path.dirname(fileURLToPath(import.meta.url));

function checkpointFiles(runDir: string, step: number): Record<string, Buffer> {
  const directory = path.join(runDir, 'checkpoints', `step-${step}`);
  return Object.fromEntries(['model.safetensors', 'ema.safetensors', 'optimizer.safetensors'].map((file) => [file, readFileSync(path.join(directory, file))]));
}

async function train(args: string[]): Promise<string> {
  const io = recordingIO();
  const code = await main(['train', ...args], { ...options, io });
  expect(code, io.text()).toBe(0);
  return io.text();
}

describe('resume', () => {
  it('continues with identical batches, masks and dropout: the same final weights as an uninterrupted run', async () => {
    const uninterrupted = temporaryDirectory('mlm-resume-a-');
    const resumed = temporaryDirectory('mlm-resume-b-');
    // 48 examples / batch 8 = 6 batches per epoch: the runs cross an epoch boundary after the resume.
    await train(['--preset', 'star-easy', '--run-dir', uninterrupted, ...TINY, 'training.maxSteps=9']);
    await train(['--preset', 'star-easy', '--run-dir', resumed, ...TINY, 'training.maxSteps=4']);
    const log = await train(['--run-dir', resumed, '--resume', 'auto', 'training.maxSteps=9']);
    expect(log).toMatch(/resumed from .*step-4 at step 4/);
    const a = checkpointFiles(uninterrupted, 9);
    const b = checkpointFiles(resumed, 9);
    for (const file of Object.keys(a)) expect(b[file]!.equals(a[file]!), `${file} differs`).toBe(true);
    // Sanity: the weights moved between the checkpoints.
    expect(checkpointFiles(uninterrupted, 3)['model.safetensors']!.equals(a['model.safetensors']!)).toBe(false);
  });

  it('SIGINT finishes the step, writes a checkpoint, exits 130 with the resume command; the run then resumes', async () => {
    const runDir = temporaryDirectory('mlm-sigint-');
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const cli = path.resolve(here, '../src/cli.ts');
    const args = ['train', '--preset', 'star-easy', '--run-dir', runDir, ...TINY, 'training.maxSteps=500', 'training.logEvery=1', 'logging.progress=lines', 'validation.every=null', 'training.checkpointEvery=null'];
    const child = spawn(process.execPath, ['--conditions=@mlm/source', '--import', tsx, cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let signalled = false;
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (!signalled && /step 2\/500/.test(stderr)) {
        signalled = true;
        child.kill('SIGINT');
      }
    });
    const exitCode = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    expect(exitCode, stderr).toBe(130);
    expect(stderr).toMatch(/SIGINT received: finishing step/);
    const match = /stopped by SIGINT after step (\d+); checkpoint: (\S+)/.exec(stderr);
    expect(match, stderr).not.toBeNull();
    const step = Number(match![1]);
    expect(step).toBeGreaterThanOrEqual(2);
    expect(stderr).toMatch(/resume with: mlm train .*--resume auto/);
    const state = JSON.parse(readFileSync(path.join(match![2]!, 'trainer-state.json'), 'utf8')) as { step: number };
    expect(state.step).toBe(step);
    const log = await train(['--run-dir', runDir, '--resume', 'auto', `training.maxSteps=${step + 2}`]);
    expect(log).toMatch(new RegExp(`resumed from .*step-${step} at step ${step}`));
  });
});

describe('non-finite losses', () => {
  const plugin = path.join(here, 'fixtures', 'nan-loss-plugin.ts');

  function configWith(extra: string): string {
    const file = path.join(temporaryDirectory('mlm-nan-'), 'config.yaml');
    writeFileSync(file, `plugins:\n  - ${JSON.stringify(plugin)}\nloss:\n  name: test/nan-loss\n${extra}`);
    return file;
  }

  it('stops with a message naming the step and the last good checkpoint', async () => {
    const runDir = temporaryDirectory('mlm-nan-run-');
    const io = recordingIO();
    const config = configWith('  nanAtCalls: [5]\n');
    const code = await main(['train', '--preset', 'star-easy', '--config', config, '--run-dir', runDir, ...TINY, 'training.checkpointEvery=2'], { ...options, io });
    expect(code).toBe(1);
    expect(io.stderr.join('\n')).toMatch(/the loss is NaN at step 5; training stopped\. The last good checkpoint is .*step-4/);
    expect(readFileSync(path.join(runDir, 'checkpoints', 'last'), 'utf8').trim()).toBe('step-4');
  });

  it('skips such batches with training.skipNonFiniteBatches', async () => {
    const runDir = temporaryDirectory('mlm-nan-skip-');
    const io = recordingIO();
    const config = configWith('  nanAtCalls: [2, 3]\ntraining:\n  skipNonFiniteBatches: true\n');
    const code = await main(['train', '--preset', 'star-easy', '--config', config, '--run-dir', runDir, ...TINY], { ...options, io });
    expect(code, io.text()).toBe(0);
    expect(io.stderr.join('\n')).toMatch(/step 2: the loss is NaN; batch skipped \(training\.skipNonFiniteBatches\), 1 so far/);
    expect(io.stderr.join('\n')).toMatch(/2 so far/);
    const state = JSON.parse(readFileSync(path.join(runDir, 'checkpoints', 'step-6', 'trainer-state.json'), 'utf8')) as { skippedBatches: number; step: number };
    expect(state).toMatchObject({ step: 6, skippedBatches: 2 });
  });
});
