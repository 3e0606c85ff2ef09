import type { TrainingCallback } from '../training-callback.js';

/**
 * The progress display and the metrics loggers: opens the loggers (told the step a resumed run starts
 * from), shows every step, writes train/loss (averaged over the steps since the last line), train/lr,
 * train/grad_norm and train/tokens_per_second every `training.logEvery` steps and at the last step,
 * and closes everything at the end.
 */
export function createLoggingCallback(options: { resumed: boolean }): TrainingCallback {
  let windowTokens = 0;
  let windowStart = 0;
  return {
    name: 'logging',
    async onTrainStart(run) {
      for (const logger of run.loggers) await logger.open({ resumeStep: options.resumed ? run.step : null });
      run.progress.start(run.config.training.maxSteps, run.step);
      windowStart = performance.now();
    },
    async onStepEnd(run, result) {
      const { training } = run.config;
      run.logWindow.loss += result.loss;
      run.logWindow.steps += 1;
      windowTokens += result.tokens;
      const tokensPerSecond = windowTokens / Math.max((performance.now() - windowStart) / 1000, 1e-9);
      run.progress.update({ step: run.step, loss: result.loss, tokensPerSecond, lr: result.learningRate });
      if (run.step % training.logEvery === 0 || run.step === training.maxSteps) {
        const values = {
          'train/loss': run.logWindow.loss / run.logWindow.steps,
          'train/lr': result.learningRate,
          'train/grad_norm': result.gradientNorm,
          'train/tokens_per_second': tokensPerSecond,
        };
        for (const logger of run.loggers) await logger.log({ step: run.step, epoch: run.epoch, time: run.elapsed(), values });
        run.logWindow = { loss: 0, steps: 0 };
        windowTokens = 0;
        windowStart = performance.now();
      }
    },
    onTrainEnd(run) {
      run.progress.stop();
    },
    async onClose(run) {
      run.progress.stop();
      for (const logger of run.loggers) await logger.close();
    },
  };
}
