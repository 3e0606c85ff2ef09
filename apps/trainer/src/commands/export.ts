import { writeFileDurably } from '@mlm/durable-write';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import YAML from 'yaml';
import { initializeBackend } from '@mlm/backend';
import { saveTokenizerFile } from '@mlm/collators/node';
import { TASK_INFO_FILE, saveModelFolder } from '../training/checkpoint.js';
import { applyTaskOptions, loadModelFromFolder, loadTokenizerFromFolder, locateModelFolder } from '../training/model-folder.js';
import type { CommandIO } from './command-io.js';
import { createXlmCoreSettings, formatCommand, settingsYaml, trainScript, xlmCoreTrainArguments } from './xlm-core-settings.js';

/**
 * `mlm export <checkpoint> <outDir>`: the folder xlm-core (and `fromPretrained` of `@mlm/model/node`)
 * loads: config.json + model.safetensors + tokenizer.json (+ task.json), with the EMA weights when the
 * checkpoint has them. With `xlmCore`, also `xlm-core/settings.yaml` (the xlm-core experiment of the
 * task and the Hydra overrides for this model and run) and `xlm-core/train.sh` (the `xlm job_type=train`
 * commands that continue training it on one GPU, with DDP or with FSDP).
 */
export async function exportCommand(options: {
  modelPath: string;
  outDir: string;
  useEma?: boolean;
  backend?: string | undefined;
  task?: string | undefined;
  tokenizerFile?: string | undefined;
  /** Also write the xlm-core experiment settings and training commands. */
  xlmCore?: boolean;
  /** GPUs of the multi-GPU commands (default 8; the CLI passes its text). */
  gpus?: number | string | undefined;
  io: CommandIO;
}): Promise<string> {
  const folder = await applyTaskOptions(locateModelFolder(options.modelPath), { task: options.task, tokenizerFile: options.tokenizerFile });
  const outDir = path.resolve(options.outDir);
  if (outDir === folder.directory) throw new Error(`the output folder ${outDir} is the model folder itself`);
  const gpus = Number(options.gpus ?? 8);
  if (!Number.isInteger(gpus) || gpus < 1) throw new Error(`--gpus: expected an integer ≥ 1, got ${JSON.stringify(options.gpus)}`);
  // Checked before any work: the task must have an xlm-core experiment (the model config comes later).
  const runConfig = options.xlmCore && folder.runConfigFile ? (YAML.parse(await readFile(folder.runConfigFile, 'utf8')) as unknown) : undefined;
  if (options.xlmCore) createXlmCoreSettings({ modelConfig: {}, taskInfo: folder.taskInfo, runConfig });
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
  if (options.xlmCore) {
    const modelConfig = JSON.parse(await readFile(path.join(outDir, 'config.json'), 'utf8')) as Record<string, unknown>;
    const settings = createXlmCoreSettings({ modelConfig, taskInfo: folder.taskInfo, runConfig });
    const jobName = `${path.basename(outDir).replace(/[^\w.-]/g, '_')}_from_mlm`;
    const settingsDir = path.join(outDir, 'xlm-core');
    await mkdir(settingsDir, { recursive: true });
    await writeFileDurably(path.join(settingsDir, 'settings.yaml'), settingsYaml(settings));
    await writeFileDurably(path.join(settingsDir, 'train.sh'), trainScript(settings, { jobName, gpus }));
    const weights = path.join(outDir, 'model.safetensors');
    options.io.out(`xlm-core experiment ${settings.experiment}: ${path.join(settingsDir, 'settings.yaml')}; commands in ${path.join(settingsDir, 'train.sh')}`);
    options.io.out('continue training with xlm-core on one GPU:');
    options.io.out(`  ${formatCommand(xlmCoreTrainArguments(settings, { jobName, weights, launch: 'single', gpus }).arguments)}`);
    const ddp = xlmCoreTrainArguments(settings, { jobName, weights, launch: 'ddp', gpus });
    options.io.out(`on ${gpus} GPUs (DDP; \`sh ${path.join(settingsDir, 'train.sh')} fsdp\` for FSDP)${ddp.note ? ` — ${ddp.note}` : ''}:`);
    options.io.out(`  ${formatCommand(ddp.arguments)}`);
    for (const note of settings.notes) options.io.out(`note: ${note}`);
  }
  return outDir;
}
