// Bad configurations (unknown components, wrong types, out-of-range values, inconsistent sizes) are
// schema errors naming the path, the value and what is allowed, found before training starts (no run
// folder is created); the CLI prints them and exits with 2.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/main.js';
import { loadRun } from '../../src/commands/train.js';
import { ConfigError } from '../../src/util/config-error.js';
import { runCli, temporaryFolder } from './support/cli-process.js';

/** Small task sizes so that checks needing the task (block widths) stay fast. */
const SMALL_TASK = ['task.numTrain=16', 'task.numValidation=4', 'task.numTest=4', 'model.dModel=16', 'model.nhead=2', 'model.numLayers=1'];

function recordingIO() {
  const lines: string[] = [];
  return { lines, io: { out: (line: string) => lines.push(line), err: (line: string) => lines.push(line), progressStream: process.stderr } };
}

async function configErrorOf(overrides: string[]): Promise<ConfigError> {
  try {
    await loadRun({ preset: 'star-easy', overrides: [...SMALL_TASK, ...overrides] });
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw new Error(`expected a ConfigError for ${overrides.join(' ')}, got ${String(error)}`);
  }
  throw new Error(`expected a ConfigError for ${overrides.join(' ')}, but the configuration was accepted`);
}

// [overrides, path named, what the message must say]
const CASES: Array<[string[], string, RegExp]> = [
  [['model.name=mlm/no-such-model'], 'model.name', /unknown model "mlm\/no-such-model"; registered models: mlm\/rotary-transformer/],
  [['task.name=mlm/star-huge'], 'task.name', /unknown task "mlm\/star-huge"; registered tasks: .*mlm\/star-easy/],
  [['collators.train.name=mlm/nope'], 'collators.train.name', /unknown collator "mlm\/nope"; registered collators: .*mlm\/default-collator/],
  [['training.maxSteps=-5'], 'training.maxSteps', /expected a positive integer, got -5/],
  [['training.maxSteps=0'], 'training.maxSteps', /expected a positive integer, got 0/],
  [['training.maxSteps=2.5'], 'training.maxSteps', /expected a positive integer, got 2\.5/],
  [['training.batchSize="8"'], 'training.batchSize', /expected a positive integer, got "8"/],
  [['training.maxSteps=[1,2]'], 'training.maxSteps', /expected a positive integer, got a list/],
  [['optimizer.lr=.nan'], 'optimizer.lr', /expected a positive number, got NaN/],
  [['optimizer.lr=.inf'], 'optimizer.lr', /expected a positive number, got Infinity/],
  [['optimizer.lr=-0.001'], 'optimizer.lr', /expected a positive number, got -0\.001/],
  [['optimizer.betas=[0.9, 1.5]'], 'optimizer.betas[1]', /expected a number in \[0, 1\), got 1\.5/],
  [['predictor.topP=1.5'], 'predictor.topP', /expected a number in \(0, 1\], got 1\.5/],
  [['predictor.topP=0'], 'predictor.topP', /expected a number in \(0, 1\], got 0/],
  [['predictor.topP=-0.2'], 'predictor.topP', /expected a number in \(0, 1\], got -0\.2/],
  [['predictor.temperature=-1'], 'predictor.temperature', /expected a number ≥ 0, got -1/],
  [['model.rotaryEmbDim=16'], 'model.rotaryEmbDim', /^expected at most the head dimension dModel \/ nhead = 8, got 16$/],
  [['model.rotaryEmbDim=6', 'model.dModel=24', 'model.nhead=2'], 'model.rotaryEmbDim', /OK/],
  [['model.nhead=3'], 'model.dModel', /^expected a multiple of nhead = 3 \(the head dimension is dModel \/ nhead\), got 16$/],
  [['model.dropout=1'], 'model.dropout', /expected a number in \[0, 1\), got 1/],
  [['model.maxLength=10'], 'model.maxLength', /\(10\) is smaller than the block/],
  [['scheduler.name=linear'], 'scheduler.name', /expected one of "constant", "constant-with-warmup", "cosine-with-min-lr", got "linear"/],
  [['backend=gpu'], 'backend', /expected one of "auto", "node-gpu", "tensorflow", "wasm", "cpu", got "gpu"/],
  [['training.maxStep=5'], 'training', /unknown option "maxStep"/],
  [['model.width=5'], 'model', /unknown option "width"/],
  [['trainng.maxSteps=5'], '', /unknown option "trainng"/],
  [['validation.every=-1'], 'validation.every', /expected a positive integer, got -1/],
  [['training.ema.decay=1'], 'training.ema.decay', /expected a number in \[0, 1\), got 1/],
];

describe('configuration errors name the path, the value and what is allowed', () => {
  for (const [overrides, where, message] of CASES) {
    if (message.source === 'OK') continue;
    it(`${overrides.join(' ')} → ${where || '(top level)'}`, async () => {
      const error = await configErrorOf(overrides);
      const issue = error.issues.find((candidate) => candidate.path === where && message.test(candidate.message));
      expect(issue, `issues: ${JSON.stringify(error.issues)}`).toBeDefined();
      expect(error.message).toContain(where);
    });
  }

  it('a valid rotaryEmbDim (even, ≤ head dim) is accepted', async () => {
    const { config } = await loadRun({ preset: 'star-easy', overrides: [...SMALL_TASK, 'model.dModel=24', 'model.nhead=2', 'model.rotaryEmbDim=6'] });
    expect(config.model.rotaryEmbDim).toBe(6);
  });

  it('reports every problem at once', async () => {
    const error = await configErrorOf(['training.maxSteps=-1', 'optimizer.lr=abc', 'predictor.topP=2']);
    const paths = error.issues.map((issue) => issue.path);
    expect(paths).toEqual(expect.arrayContaining(['training.maxSteps', 'optimizer.lr']));
  });

  it('a malformed override and a config file that is not a mapping are clear errors', async () => {
    await expect(loadRun({ overrides: ['training.maxSteps'] })).rejects.toThrow(/expected an override of the form key\.path=value/);
    await expect(loadRun({ overrides: ['training..maxSteps=3'] })).rejects.toThrow(/not a valid key path/);
    await expect(loadRun({ configFiles: ['/nonexistent/run.yaml'] })).rejects.toThrow(/\/nonexistent\/run\.yaml: cannot read the config file: ENOENT/);
    await expect(loadRun({ preset: 'no-such-preset' })).rejects.toThrow(/unknown preset "no-such-preset"; available: .*star-easy/);
  });
});

describe('through the CLI', () => {
  it('mlm train with a bad value prints the schema error, exits 2, and creates no run folder', async () => {
    const runDir = path.join(temporaryFolder('config-errors'), 'run');
    const { lines, io } = recordingIO();
    const code = await main(['train', '--preset', 'star-easy', '--run-dir', runDir, ...SMALL_TASK, 'predictor.topP=1.5'], { io, handleSignals: false });
    expect(code).toBe(2);
    expect(lines.join('\n')).toMatch(/predictor\.topP: expected a number in \(0, 1\], got 1\.5/);
    expect(existsSync(runDir)).toBe(false);
    const second = recordingIO();
    expect(await main(['train', '--preset', 'star-easy', '--run-dir', runDir, ...SMALL_TASK, 'training.maxSteps=-3'], { io: second.io, handleSignals: false })).toBe(2);
    expect(second.lines.join('\n')).toMatch(/training\.maxSteps: expected a positive integer, got -3/);
    expect(existsSync(runDir)).toBe(false);
  });

  it('mlm train with an unknown component exits 2 with the list of registered ones', async () => {
    const { lines, io } = recordingIO();
    const code = await main(['train', '--preset', 'star-easy', ...SMALL_TASK, 'loss.name=mlm/focal-loss'], { io, handleSignals: false });
    expect(code).toBe(2);
    expect(lines.join('\n')).toMatch(/loss\.name: unknown loss "mlm\/focal-loss"; registered losses: mlm\/mlm-loss/);
  });

  it('the real process exits with status 2 and the message on stderr (no stack trace)', async () => {
    const result = await runCli(['train', '--preset', 'star-easy', ...SMALL_TASK, 'model.rotaryEmbDim=12']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/model\.rotaryEmbDim: expected at most the head dimension dModel \/ nhead = 8, got 12/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
