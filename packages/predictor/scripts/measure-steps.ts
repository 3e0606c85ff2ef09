/**
 * Measures the predictor's per-step cost against the bare forward pass of the same model.
 * Run from the repository root:
 *   node --conditions=@mlm/source --import tsx packages/predictor/scripts/measure-steps.ts [wasm|cpu] [tiny|sudoku]
 */
import * as tf from '@tensorflow/tfjs-core';
import { initializeBackend } from '@mlm/backend';
import { createRotaryTransformerMLMModel } from '@mlm/model';
import { createRandom } from '@mlm/random';
import { SimpleSpaceTokenizer } from '@mlm/collators';
import { createMLMPredictor, createUnconditionalBatch, predictorPositions } from '../src/index.js';

const backend = (process.argv[2] ?? 'wasm') as 'wasm' | 'cpu';
await initializeBackend({ backend, log: () => {} });

const setups = [
  { label: 'sudoku-like (D128, 2 layers, V 20, B 64 × L 81)', config: { numEmbeddings: 20, dModel: 128, numLayers: 2, nhead: 4, dimFeedforward: 512, rotaryEmbDim: 32, maxLength: 128, dropout: 0 }, batchSize: 64, length: 81 },
  { label: 'tiny (D32, 1 layer, V 57, B 4 × L 32)', config: { numEmbeddings: 57, dModel: 32, numLayers: 1, nhead: 2, rotaryEmbDim: 16, maxLength: 64, dropout: 0 }, batchSize: 4, length: 32 },
];

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

const only = process.argv[3];
for (const setup of setups.filter((entry) => only === undefined || entry.label.startsWith(only))) {
  const model = createRotaryTransformerMLMModel(setup.config, { random: createRandom(0) });
  const tokenizer = SimpleSpaceTokenizer.forNumbers(setup.config.numEmbeddings - 7);
  const batch = createUnconditionalBatch({ batchSize: setup.batchSize, length: setup.length, maskTokenId: tokenizer.maskTokenId });
  const { batchSize, length } = { batchSize: setup.batchSize, length: setup.length };

  // Bare forward pass + one read of the logits: the floor for a step. Measured between predictor runs
  // (the machines are shared; interleaving keeps both figures under the same load).
  const ids = tf.tensor2d(batch.inputIds.data, [batchSize, length], 'int32');
  const mask = tf.tensor2d(batch.attentionMask.data, [batchSize, length], 'bool');
  const positions = tf.tensor2d(predictorPositions(batch.attentionMask.data, batchSize, length), [batchSize, length], 'int32');
  const forwardTimes: number[] = [];
  const timeForward = async (): Promise<void> => {
    const start = performance.now();
    const logits = model.forward(ids, { attentionMask: mask, positions });
    await logits.data();
    logits.dispose();
    forwardTimes.push(performance.now() - start);
  };
  for (let i = 0; i < 3; i++) await timeForward(); // warm-up
  forwardTimes.length = 0;

  for (const [name, options] of [
    ['uniform + top-k 5', { topK: 5 }],
    ['top_prob threshold 0.5 + categorical', { confidence: 'top_prob' as const, threshold: 0.5 }],
    ['margin + cosine + top-p 0.9', { confidence: 'prob_diff' as const, unmaskSchedule: 'cosine', topP: 0.9 }],
  ] as const) {
    const maxSteps = 16;
    const runs: number[] = [];
    let steps = 0;
    let calls = 0;
    const numTensors = tf.memory().numTensors;
    for (let run = 0; run < 5; run++) {
      await timeForward();
      const predictor = createMLMPredictor({ model, tokenizer, random: createRandom(run), maxSteps, ...options });
      const start = performance.now();
      steps = 0;
      calls = 0;
      for await (const event of predictor.stream(batch)) {
        steps++;
        if (event.modelCalled) calls++;
      }
      runs.push((performance.now() - start) / calls);
      await timeForward();
    }
    const leaked = tf.memory().numTensors - numTensors;
    console.log(
      `${backend} | ${setup.label} | ${name}: ${median(runs).toFixed(1)} ms per model step (${steps} steps, ${calls} model calls); bare forward ${median(forwardTimes).toFixed(1)} ms; tensors leaked: ${leaked}`,
    );
  }
  tf.dispose([ids, mask, positions]);
  model.dispose();
}
