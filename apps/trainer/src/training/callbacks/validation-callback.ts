import path from 'node:path';
import { evaluateSplit } from '../evaluate.js';
import type { TrainingCallback } from '../training-callback.js';
import type { TrainingRun } from '../training-run.js';

function formatValues(values: Record<string, number>): string {
  return Object.entries(values)
    .map(([key, value]) => `${key} ${Number.isInteger(value) ? value : value.toFixed(4)}`)
    .join(' | ');
}

/** Evaluates the validation split (with the EMA weights when on), shows and logs the values. */
export async function validateRun(run: TrainingRun): Promise<void> {
  const { config } = run;
  const evaluate = () =>
    evaluateSplit({
      components: run.components,
      split: 'validation',
      seed: config.seed,
      step: run.step,
      maxExamples: config.validation.maxExamples,
      batchSize: config.validation.batchSize,
      numSamples: config.validation.numSamples,
      predictionsFile: config.validation.writePredictions ? path.join(run.runFolder.predictions, 'validation', `step=${run.step}.jsonl`) : undefined,
    });
  run.lastEvaluation = run.ema ? await run.ema.withAveragedWeights(evaluate) : await evaluate();
  run.lastEvaluatedStep = run.step;
  run.progress.message(`validation at step ${run.step}: ${formatValues(run.lastEvaluation.values)}`);
  for (const logger of run.loggers) await logger.log({ step: run.step, epoch: run.epoch, time: run.elapsed(), values: run.lastEvaluation.values });
}

/**
 * Validation every `validation.every` steps and once at the end of a completed run (unless the last
 * step was just validated, or a resumed checkpoint carried that validation). On a stop signal the
 * validation due at the step under way still runs: a resumed run goes on from the next step.
 */
export function createValidationCallback(): TrainingCallback {
  return {
    name: 'validation',
    async onStepEnd(run) {
      const every = run.config.validation.every;
      if (every !== null && run.step % every === 0 && run.step < run.config.training.maxSteps) await validateRun(run);
    },
    async onTrainEnd(run) {
      if (run.status === 'completed' && run.lastEvaluatedStep !== run.step) await validateRun(run);
    },
  };
}
