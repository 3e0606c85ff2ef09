import * as tf from '@tensorflow/tfjs-core';
import type { MLMBatch, RandomSource } from '@mlm/types';
import { clipGradientsByGlobalNorm } from '../optim/clip-gradients.js';
import type { RunComponents } from './run-components.js';
import type { StepOutcome, TrainingRun } from './training-run.js';

/** One forward/backward pass: the loss value and gradients by parameter name (caller disposes them). */
function lossAndGradients(
  components: RunComponents,
  parameters: Map<string, tf.Variable>,
  batch: MLMBatch,
  dropout: RandomSource,
): { loss: number; gradients: Map<string, tf.Tensor> } {
  const variables = [...parameters.values()];
  const nameOf = new Map<string, string>();
  for (const [name, variable] of parameters) nameOf.set(variable.name, name);
  const { value, grads } = tf.variableGrads(() => components.loss.call(batch, { training: true, random: dropout }).loss, variables);
  const loss = value.dataSync()[0]!;
  value.dispose();
  const gradients = new Map<string, tf.Tensor>();
  for (const [variableName, gradient] of Object.entries(grads)) gradients.set(nameOf.get(variableName)!, gradient);
  return { loss, gradients };
}

function accumulate(total: Map<string, tf.Tensor> | null, next: Map<string, tf.Tensor>): Map<string, tf.Tensor> {
  if (!total) return next;
  for (const [name, gradient] of next) {
    const previous = total.get(name);
    if (previous) {
      total.set(name, tf.add(previous, gradient));
      previous.dispose();
      gradient.dispose();
    } else total.set(name, gradient);
  }
  return total;
}

function disposeAll(gradients: Map<string, tf.Tensor> | null): void {
  if (gradients) for (const gradient of gradients.values()) gradient.dispose();
}

/**
 * One optimiser step: `gradientAccumulationSteps` micro-batches, gradients averaged, clipped to
 * `gradientClipNorm` (the norm is measured either way), then AdamW at the scheduled learning rate.
 * A NaN or infinite loss or gradient norm takes no update and is reported instead. Counters
 * (epoch, examplesSeen, tokensSeen, step) advance here; the callbacks do everything else.
 */
export async function trainStep(run: TrainingRun): Promise<StepOutcome> {
  const { training } = run.config;
  let gradients: Map<string, tf.Tensor> | null = null;
  try {
    let lossSum = 0;
    let tokens = 0;
    let nonFinite: string | undefined;
    for (let micro = 0; micro < training.gradientAccumulationSteps; micro++) {
      const next = await run.loader.next();
      run.epoch = next.epoch;
      run.examplesSeen += next.batch.inputIds.shape[0];
      tokens += next.batch.inputIds.shape[0] * next.batch.inputIds.shape[1];
      const result = lossAndGradients(run.components, run.parameters, next.batch, run.randoms.dropout);
      gradients = accumulate(gradients, result.gradients);
      if (!Number.isFinite(result.loss)) nonFinite = `the loss is ${result.loss}`;
      lossSum += result.loss;
    }
    if (training.gradientAccumulationSteps > 1 && gradients) {
      const scaled = new Map<string, tf.Tensor>();
      for (const [name, gradient] of gradients) {
        scaled.set(name, tf.div(gradient, training.gradientAccumulationSteps));
        gradient.dispose();
      }
      gradients = scaled;
    }
    let gradientNorm = NaN;
    if (!nonFinite && gradients) {
      if (training.gradientClipNorm !== null) {
        const clipped = clipGradientsByGlobalNorm(gradients, training.gradientClipNorm);
        gradients = clipped.gradients;
        gradientNorm = clipped.norm;
      } else {
        const all = [...gradients.values()];
        const norm = tf.tidy(() => tf.sqrt(tf.addN(all.map((g) => tf.sum(tf.square(g))))));
        gradientNorm = norm.dataSync()[0]!;
        norm.dispose();
      }
      if (!Number.isFinite(gradientNorm)) nonFinite = `the gradient norm is ${gradientNorm}`;
    }
    if (nonFinite || !gradients) return { kind: 'non-finite', reason: nonFinite ?? 'no gradients' };
    const learningRate = run.config.optimizer.lr * run.schedule.multiplier(run.optimizer.stepCount);
    // From here the weights change: an error now leaves no consistent state to checkpoint.
    run.restorePoint = undefined;
    run.consistent = false;
    run.optimizer.step(gradients, learningRate);
    run.components.model.afterUpdate?.();
    run.step += 1;
    run.tokensSeen += tokens;
    return { kind: 'updated', loss: lossSum / training.gradientAccumulationSteps, gradientNorm, learningRate, tokens };
  } finally {
    disposeAll(gradients);
  }
}
