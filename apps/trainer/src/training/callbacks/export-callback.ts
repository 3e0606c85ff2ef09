import path from 'node:path';
import { rm } from 'node:fs/promises';
import { renameDurably, writeFileFlushed } from '@mlm/durable-write';
import { saveTokenizerFile } from '@mlm/collators/node';
import { TASK_INFO_FILE, saveModelFolder } from '../checkpoint.js';
import { taskInfoOf } from '../../registry/component-context.js';
import type { TrainingCallback } from '../training-callback.js';

/**
 * At the end of a completed run, the model folder (`model/`: weights, config.json, tokenizer.json,
 * task.json) with the EMA weights when EMA is on (as the reference's EMA callback leaves them in the
 * model). Written into a temporary folder renamed into place when complete: a run killed mid-export
 * never leaves a model folder without its tokenizer.
 */
export function createExportCallback(): TrainingCallback {
  return {
    name: 'export',
    async onTrainEnd(run) {
      if (run.status !== 'completed') return;
      const { model, tokenizer, task } = run.components;
      run.ema?.copyToModel();
      const exportDirectory = path.join(run.runFolder.root, `.model.partial-${process.pid}`);
      await rm(exportDirectory, { recursive: true, force: true });
      await saveModelFolder(model, exportDirectory);
      await saveTokenizerFile(tokenizer, exportDirectory);
      await writeFileFlushed(path.join(exportDirectory, TASK_INFO_FILE), `${JSON.stringify(taskInfoOf(task), null, 2)}\n`);
      await rm(run.runFolder.finalModel, { recursive: true, force: true });
      await renameDurably(exportDirectory, run.runFolder.finalModel);
      run.finalModel = run.runFolder.finalModel;
    },
  };
}
