// Every config in apps/trainer/examples/ loads and trains for a few steps (small overrides on top), and
// the library feature it shows is the one at work: packed training rows, prediction rows from a
// `dataset` component (empty, length reference, PAPL), a logits hook by name, the predictor's history.
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { CharacterTokenizer, SimpleSpaceTokenizer } from '@mlm/collators';
import { readHistory } from '@mlm/history/node';
import { createRandom } from '@mlm/random';
import { main } from '../src/main.js';
import { createRegistry } from '../src/registry/create-registry.js';
import { TINY, recordingIO, temporaryDirectory } from './helpers.js';

const EXAMPLES = fileURLToPath(new URL('../examples/', import.meta.url));
const REPOSITORY = fileURLToPath(new URL('../../../', import.meta.url));
const noStdin = { readStdin: async () => '', handleSignals: false };

/** A tiny model and two steps, on top of an example (which keeps its task, collators, sources, predictor). */
const SMALL = [
  'backend=cpu',
  'model.dModel=16',
  'model.nhead=2',
  'model.numLayers=1',
  'training.maxSteps=2',
  'training.batchSize=4',
  'training.logEvery=1',
  'validation.every=null',
  'validation.maxExamples=4',
  'validation.batchSize=4',
  'predictor.maxSteps=8',
  'logging.progress=none',
];

interface PredictionRow {
  text: string;
  ids: number[];
  [key: string]: unknown;
}

describe('example configs (apps/trainer/examples)', () => {
  const root = temporaryDirectory('mlm-examples-');
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const cwd = process.cwd();

  async function train(example: string, extra: string[] = []): Promise<{ runDir: string; config: Record<string, any>; predictions: PredictionRow[] }> {
    const runDir = path.join(root, path.basename(example, '.yaml'));
    const io = recordingIO();
    // From the repository root, as `pnpm mlm` runs (the length-reference example names its file from there).
    process.chdir(REPOSITORY);
    try {
      expect(await main(['train', '-c', path.join(EXAMPLES, example), ...SMALL, ...extra, '--run-dir', runDir], { ...noStdin, io }), io.text()).toBe(0);
    } finally {
      process.chdir(cwd);
    }
    const config = YAML.parse(readFileSync(path.join(runDir, 'config.yaml'), 'utf8')) as Record<string, any>;
    const predictionsDir = path.join(runDir, 'predictions', 'validation');
    const file = readdirSync(predictionsDir).find((name) => name.endsWith('.jsonl'))!;
    const predictions = readFileSync(path.join(predictionsDir, file), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as PredictionRow);
    return { runDir, config, predictions };
  }

  it('lists an example for every config file in the folder (no example goes untested)', () => {
    const tested = ['empty-dataset.yaml', 'history.yaml', 'length-reference.yaml', 'logits-hook.yaml', 'packed-collator.yaml', 'papl-unconditional.yaml'];
    expect(readdirSync(EXAMPLES).filter((name) => name.endsWith('.yaml')).sort()).toEqual(tested);
  });

  it('packed-collator.yaml: trains with mlm/packed-collator (per-document positions and attention)', async () => {
    const { config, predictions } = await train('packed-collator.yaml');
    expect(config.collators.train).toMatchObject({ name: 'mlm/packed-collator' });
    expect(predictions.length).toBeGreaterThan(0);
    // What the component builds from that section: a row with an EOS inside holds two documents.
    const tokenizer = SimpleSpaceTokenizer.forNumbers(10);
    const { name, ...options } = config.collators.train;
    const collator = await createRegistry().create('collator', name, options, { tokenizer, random: createRandom(1), taskInfo: { name: 'x', kind: 'unconditional', blockSize: 6 } });
    const eos = tokenizer.eosTokenId!;
    const batch = collator.collate([{ inputIds: [8, 9, eos, 10, 11, 12] }]);
    expect(Array.from(batch.positions!.data)).toEqual([0, 1, 2, 0, 1, 2]);
    expect(Array.from(batch.segmentIds!.data)).toEqual([0, 0, 0, 1, 1, 1]);
    expect(batch.attentionMask!.shape).toEqual([1, 6, 6]);
  }, 60_000);

  it('empty-dataset.yaml: numExamples rows of the block size, generated without data', async () => {
    const { config, predictions } = await train('empty-dataset.yaml');
    expect(config.validation.predictionSource).toEqual({ name: 'mlm/empty-dataset', numExamples: 8, maxLength: null });
    expect(predictions).toHaveLength(8);
    for (const row of predictions) expect(row.ids).toHaveLength(64);
  }, 60_000);

  it('length-reference.yaml: row lengths drawn from the reference file (raised to minLength), padded to the block by the prediction collator', async () => {
    const { config, predictions } = await train('length-reference.yaml');
    expect(config.validation.predictionSource).toMatchObject({ name: 'mlm/empty-dataset-from-length-ref', lengthRefFile: 'apps/trainer/examples/lengths.txt', numExamples: 8, minLength: 8 });
    expect(predictions).toHaveLength(8);
    for (const row of predictions) expect(row.ids).toHaveLength(64);
    // The rows the source gave: lengths drawn from the file (all ≥ minLength 8 already), seeded.
    const registry = createRegistry();
    const tokenizer = new CharacterTokenizer(['a', 'b']);
    const draw = async () => {
      process.chdir(REPOSITORY);
      try {
        const { name, ...options } = config.validation.predictionSource;
        const dataset = await registry.create('dataset', name, options, { tokenizer, random: createRandom(3) });
        return [...dataset].map((row) => (row.inputIds as number[]).length);
      } finally {
        process.chdir(cwd);
      }
    };
    const lengths = await draw();
    expect(lengths).toHaveLength(8);
    for (const length of lengths) expect([12, 20, 32, 48, 64]).toContain(length);
    expect(new Set(lengths).size).toBeGreaterThan(1);
    expect(await draw()).toEqual(lengths);
  }, 60_000);

  it('papl-unconditional.yaml: examplesPerNode rows per length, stacked unpadded by mlm/papl-unconditional-collator', async () => {
    const { runDir, config, predictions } = await train('papl-unconditional.yaml');
    expect(config.collators.prediction).toEqual({ name: 'mlm/papl-unconditional-collator' });
    expect(predictions.map((row) => row.ids.length)).toEqual([16, 16, 32, 32, 64, 64]);

    // `mlm generate` without prompts samples from the same source: 6 rows of 16, 16, 32, 32, 64, 64
    // characters (the tiny model's text is at most one character per position), the first N with -n.
    const generate = async (...extra: string[]) => {
      const io = recordingIO();
      const output = path.join(runDir, `generated-${extra.length}.jsonl`);
      expect(await main(['generate', runDir, '-o', output, 'backend=cpu', ...extra], { ...noStdin, io }), io.text()).toBe(0);
      return readFileSync(output, 'utf8').trim().split('\n').map((line) => (JSON.parse(line) as { prompt: null; output: string }).output);
    };
    const all = await generate();
    expect(all).toHaveLength(6);
    all.forEach((text, index) => expect(text.length).toBeLessThanOrEqual([16, 16, 32, 32, 64, 64][index]!));
    expect(Math.max(...all.map((text) => text.length))).toBeGreaterThan(32);
    const first = await generate('-n', '3');
    expect(first).toHaveLength(3);
    first.forEach((text, index) => expect(text.length).toBeLessThanOrEqual([16, 16, 32][index]!));
    // Without a prediction source: -n rows of the task's block length, as before.
    const blocks = await generate('-n', '2', 'validation.predictionSource.name=null');
    expect(blocks).toHaveLength(2);
  }, 60_000);

  it('logits-hook.yaml: trains with predictor.logitsHook: shift-by-1; generate runs with it and with predictor.logitsHook=null', async () => {
    const { runDir, config } = await train('logits-hook.yaml', TINY.filter((entry) => entry.startsWith('task.')));
    expect(config.predictor).toMatchObject({ logitsHook: 'shift-by-1', topK: 1 });
    const prompt = '0 1 1 2 2 3 0 4 4 5 5 6 0 7 7 8 8 9 0 9';
    const outputs: string[] = [];
    for (const hook of ['shift-by-1', 'null']) {
      const io = recordingIO();
      expect(await main(['generate', runDir, '--prompt', prompt, `predictor.logitsHook=${hook}`, 'backend=cpu'], { ...noStdin, io }), io.text()).toBe(0);
      outputs.push(io.stdout.join('\n'));
    }
    for (const output of outputs) expect(output).toMatch(new RegExp(`^${prompt} => `));
    // A seq2seq model without prompts is an error that says what to give.
    const io = recordingIO();
    expect(await main(['generate', runDir, 'backend=cpu'], { ...noStdin, io })).not.toBe(0);
    expect(io.text()).toContain('this model completes prompts: give --prompt, --prompts-file, or prompts on stdin');
  }, 60_000);

  it('history.yaml: predictor.history (mlm/history-top-k) writes every step of every validation example, top-3 tokens each', async () => {
    const outputDir = path.join(root, 'history-steps');
    const { predictions } = await train('history.yaml', [...TINY.filter((entry) => entry.startsWith('task.')), `predictor.history.outputDir=${outputDir}`]);
    expect(predictions.length).toBeGreaterThan(0);
    for (const row of predictions) {
      const fid = (row.history as { fid: string }).fid;
      const reader = readHistory(outputDir, fid);
      const steps = reader.getNumSteps();
      expect(steps).toBeGreaterThan(0);
      expect(steps).toBeLessThanOrEqual(8 + 1);
      const last = reader.get(steps)!;
      expect(last.topkIds![0]).toHaveLength(3);
      expect(last.x).toHaveLength(14);
    }
  }, 60_000);

  it('names that are not registered: errors listing the valid ones', async () => {
    const cases: [string, string[], RegExp][] = [
      ['packed-collator.yaml', ['collators.train.name=mlm/packed'], /collators\.train\.name: unknown collator "mlm\/packed"; registered .*mlm\/packed-collator.*mlm\/papl-unconditional-collator/],
      ['empty-dataset.yaml', ['validation.predictionSource.name=mlm/empty'], /validation\.predictionSource\.name: unknown dataset "mlm\/empty"; registered .*mlm\/empty-dataset, mlm\/empty-dataset-from-length-ref, mlm\/papl-unconditional-dataset/],
      ['history.yaml', ['predictor.history.name=mlm/history-top'], /predictor\.history\.name: unknown history "mlm\/history-top"; registered .*mlm\/history-top-k, mlm\/in-memory-history/],
      ['history.yaml', ['predictor.history.k=0'], /predictor\.history\.k: expected a positive integer, got 0/],
      ['logits-hook.yaml', ['predictor.logitsHook=shift-by-2'], /predictor\.logitsHook: unknown logits-hook "mlm\/shift-by-2"; registered .*mlm\/shift-by-1/],
      ['length-reference.yaml', ['validation.predictionSource.lengths=[4]'], /validation\.predictionSource\.lengthRefFile: give exactly one of lengthRefFile and lengths/],
      ['logits-hook.yaml', ['validation.predictionSource.name=mlm/empty-dataset'], /validation\.predictionSource\.name: "mlm\/empty-dataset": rows of \[MASK\] are for unconditional tasks; task star-easy is seq2seq/],
    ];
    for (const [example, overrides, message] of cases) {
      const io = recordingIO();
      const code = await main(['train', '-c', path.join(EXAMPLES, example), ...SMALL, ...overrides, '--run-dir', path.join(root, 'bad')], { ...noStdin, io });
      expect(code, io.text()).toBe(2);
      expect(io.text()).toMatch(message);
    }
  }, 60_000);
});
