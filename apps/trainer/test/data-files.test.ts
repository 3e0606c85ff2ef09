// Your own data from the CLI: `mlm eval <model> --data <file>` and training on `mlm/jsonl-pairs`.
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../src/main.js';
import { recordingIO, temporaryDirectory } from './helpers.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const noStdin = { readStdin: async () => '', handleSignals: false };

describe('your own data from the CLI', () => {
  const root = temporaryDirectory('mlm-data-cli-');
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('mlm eval --data: an imported star-easy model on a file of reference-layout graphs (task from task.json)', async () => {
    const model = path.join(root, 'model');
    let io = recordingIO();
    expect(await main(['import', path.join(FIXTURES, 'xlm-core-star-easy.ckpt'), model], { ...noStdin, io }), io.text()).toBe(0);
    const data = path.join(root, 'graphs.jsonl');
    const graph = { edge_list: [[3, 0], [0, 12], [3, 5], [5, 6]], source: 3, goal: 12, path: [3, 0, 12] };
    writeFileSync(data, [graph, { ...graph, goal: 6, path: [3, 5, 6] }].map((record) => JSON.stringify(record)).join('\n') + '\n');
    io = recordingIO();
    const output = path.join(root, 'predictions.jsonl');
    expect(await main(['eval', model, '--data', data, '-o', output, 'backend=cpu'], { ...noStdin, io }), io.text()).toBe(0);
    expect(io.stdout.join('\n')).toMatch(/on star-easy test \(2 examples\)/);
    expect(io.stdout.join('\n')).toMatch(/test\/prediction\/exact_match: /);
    expect(existsSync(output)).toBe(true);

    const bad = path.join(root, 'bad.jsonl');
    writeFileSync(bad, `${JSON.stringify(graph)}\n${JSON.stringify({ ...graph, source: 'x' })}\n`);
    io = recordingIO();
    expect(await main(['eval', model, '--data', bad, 'backend=cpu'], { ...noStdin, io })).not.toBe(0);
    expect(io.text()).toContain(`${bad}:2: field "source": expected a node number in 0..19, got "x"`);
  });

  it('trains on mlm/jsonl-pairs (seq2seq) and evaluates on its test file', async () => {
    const pairs = (count: number) =>
      Array.from({ length: count }, (_, index) => JSON.stringify({ prompt: `add ${index % 5} and ${(index * 3) % 5}`, completion: `${(index % 5) + ((index * 3) % 5)}` })).join('\n') + '\n';
    const train = path.join(root, 'train.jsonl');
    const validation = path.join(root, 'validation.jsonl');
    writeFileSync(train, pairs(24));
    writeFileSync(validation, pairs(4));
    const runDir = path.join(root, 'pairs-run');
    let io = recordingIO();
    const overrides = [
      'backend=cpu', 'task.name=mlm/jsonl-pairs', `task.files.train=${JSON.stringify(train)}`, `task.files.validation=${JSON.stringify(validation)}`,
      'model.dModel=16', 'model.nhead=2', 'model.numLayers=1', 'training.batchSize=8', 'training.maxSteps=2', 'training.logEvery=1',
      'training.checkpointEvery=2', 'validation.every=2', 'validation.maxExamples=4', 'validation.batchSize=4', 'logging.progress=none',
      'scheduler.name=constant-with-warmup', 'scheduler.warmupSteps=1',
    ];
    expect(await main(['train', '--run-dir', runDir, ...overrides], { ...noStdin, io }), io.text()).toBe(0);
    expect(io.stdout.join('\n')).toMatch(/finished 2 steps/);
    // The end of every training plots the run's curves.
    expect(io.stderr.join('\n')).toContain(`plots: ${path.join(runDir, 'plots', 'index.html')}`);
    expect(existsSync(path.join(runDir, 'plots', 'train_loss.svg'))).toBe(true);
    io = recordingIO();
    expect(await main(['eval', runDir, '--data', validation, 'backend=cpu'], { ...noStdin, io }), io.text()).toBe(0);
    expect(io.stdout.join('\n')).toMatch(/on jsonl-pairs test \(4 examples\)/);
  });
});
