import { writeFileDurably } from '@mlm/durable-write';
import path from 'node:path';
import { initializeBackend } from '@mlm/backend';
import { saveTokenizerFile } from '@mlm/collators/node';
import { TASK_INFO_FILE, saveModelFolder } from '../training/checkpoint.js';
import { applyTaskOptions, loadModelFromFolder, loadTokenizerFromFolder, locateModelFolder } from '../training/model-folder.js';
import type { CommandIO } from './command-io.js';

/**
 * `mlm export <checkpoint> <outDir>`: the folder xlm-core (and `fromPretrained` of `@mlm/model/node`)
 * loads: config.json + model.safetensors + tokenizer.json (+ task.json), with the EMA weights when the
 * checkpoint has them.
 */
export async function exportCommand(options: { modelPath: string; outDir: string; useEma?: boolean; backend?: string | undefined; task?: string | undefined; tokenizerFile?: string | undefined; io: CommandIO }): Promise<string> {
  const folder = await applyTaskOptions(locateModelFolder(options.modelPath), { task: options.task, tokenizerFile: options.tokenizerFile });
  const outDir = path.resolve(options.outDir);
  if (outDir === folder.directory) throw new Error(`the output folder ${outDir} is the model folder itself`);
  await initializeBackend({ backend: options.backend ?? 'auto', log: options.io.err });
  const tokenizer = await loadTokenizerFromFolder(folder);
  const model = await loadModelFromFolder(folder, { useEma: options.useEma ?? true });
  try {
    await saveModelFolder(model, outDir);
    await saveTokenizerFile(tokenizer, outDir);
    if (folder.taskInfo) await writeFileDurably(path.join(outDir, TASK_INFO_FILE), `${JSON.stringify(folder.taskInfo, null, 2)}\n`);
  } finally {
    model.dispose();
  }
  options.io.out(`exported ${folder.directory}${folder.hasEma && options.useEma !== false ? ' (EMA weights)' : ''} to ${outDir}`);
  return outDir;
}
