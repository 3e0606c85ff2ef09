import { readFile, rm } from 'node:fs/promises';
import { writeFileDurably } from '@mlm/durable-write';
import path from 'node:path';
import { saveTokenizerFile } from '@mlm/collators/node';
import { CheckpointError, importXlmCoreCheckpoint, parseTorchCheckpoint, recordedDataset, serializeSafetensors } from '@mlm/model';
import { locateTorchCheckpoint, writePretrainedFolder } from '@mlm/model/node';
import type { Tokenizer } from '@mlm/types';
import { BUILT_IN_TASKS } from '../tasks/index.js';
import { TASK_INFO_FILE } from '../training/checkpoint.js';
import { applyTaskOptions } from '../training/model-folder.js';
import type { CommandIO } from './command-io.js';

export interface ImportCommandOptions {
  /** A `.ckpt` / `.pth` / `.bin` file, or a folder holding one (with an optional config.json). */
  input: string;
  outDir: string;
  /** A config.json (xlm-core's model arguments) to use instead of the checkpoint's hyper-parameters. */
  configFile?: string | undefined;
  /** A tokenizer.json to write with the model. */
  tokenizerFile?: string | undefined;
  /** A built-in task whose tokenizer (and task.json) go with the model; default: the dataset the checkpoint records, if built in. */
  task?: string | undefined;
  /** Take the EMA weights when present (default true). */
  useEma?: boolean;
  io: CommandIO;
}

/** xlm-core dataset tags (`star_easy`) → our task names (`star-easy`). */
function taskForDataset(dataset: string | undefined): string | undefined {
  if (dataset === undefined) return undefined;
  const name = dataset.replace(/_/g, '-');
  return name in BUILT_IN_TASKS ? name : undefined;
}

async function readJsonFile(file: string, what: string): Promise<object> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new Error(`${what} ${file} cannot be read (${(error as Error).message})`);
  }
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('expected a JSON object');
    return value;
  } catch (error) {
    throw new Error(`${what} ${file} is not a JSON object (${(error as Error).message})`);
  }
}

/**
 * `mlm import <file.ckpt|.pth|.bin|folder> <outDir>`: an xlm-core (PyTorch Lightning) checkpoint → our
 * folder: config.json + model.safetensors, plus tokenizer.json (from --tokenizer, or the task's) and
 * task.json (when the task is known). The pickle is read without running it.
 */
export async function importCommand(options: ImportCommandOptions): Promise<{ outDir: string; usedEma: boolean; task: string | undefined }> {
  const { io } = options;
  const outDir = path.resolve(options.outDir);
  const located = await locateTorchCheckpoint(options.input);
  const configFile = options.configFile ?? located.configFile;
  const config = configFile ? await readJsonFile(configFile, 'config') : undefined;
  if (options.task !== undefined && !(options.task in BUILT_IN_TASKS)) {
    throw new Error(`--task ${JSON.stringify(options.task)} is not a built-in task; expected one of ${Object.keys(BUILT_IN_TASKS).join(', ')}`);
  }

  const bytes = new Uint8Array(await readFile(located.file));
  const checkpoint = parseTorchCheckpoint(bytes, located.file);
  const dataset = recordedDataset(checkpoint);
  const taskName = options.task ?? (options.tokenizerFile ? undefined : taskForDataset(dataset));

  // The task's shape and tokenizer, and a given tokenizer file, exactly as generate/export apply them.
  const chosen = await applyTaskOptions({ directory: outDir, kind: 'pretrained', runConfigFile: undefined, taskInfo: undefined, hasEma: false }, { task: taskName, tokenizerFile: options.tokenizerFile });
  const tokenizer: Tokenizer | undefined = chosen.tokenizer;
  const taskInfo = chosen.taskInfo;

  const imported = importXlmCoreCheckpoint(checkpoint, {
    useEma: options.useEma ?? true,
    ...(config ? { config } : {}),
    ...(tokenizer ? { specialTokenIds: { paddingIdx: tokenizer.padTokenId, maskIdx: tokenizer.maskTokenId } } : {}),
  });
  const numEmbeddings = imported.config.num_embeddings;
  if (tokenizer && tokenizer.vocabSize > numEmbeddings) {
    throw new CheckpointError(`the tokenizer has ${tokenizer.vocabSize} tokens but the model's num_embeddings is ${numEmbeddings}; give the tokenizer the model was trained with (--tokenizer or --task)`);
  }

  await writePretrainedFolder(outDir, imported.config, serializeSafetensors(imported.tensors, { format: 'pt' }));
  if (tokenizer) await saveTokenizerFile(tokenizer, outDir);
  else await rm(path.join(outDir, 'tokenizer.json'), { force: true });
  if (taskInfo) await writeFileDurably(path.join(outDir, TASK_INFO_FILE), `${JSON.stringify(taskInfo, null, 2)}\n`);

  for (const entry of imported.filledFields) io.err(`config: ${entry.field} = ${JSON.stringify(entry.value)} (from ${entry.from})`);
  const weights = imported.hasEma ? (imported.usedEma ? ' (EMA weights)' : ' (trained weights; the checkpoint also has EMA weights)') : '';
  const step = imported.globalStep !== undefined ? ` at step ${imported.globalStep}` : '';
  io.out(`imported ${located.file}${step}${weights} to ${outDir}`);
  if (!tokenizer) {
    io.err(
      `no tokenizer written: ${dataset ? `the checkpoint's dataset ${JSON.stringify(dataset)} is not a built-in task` : 'the checkpoint records no dataset'}; ` +
        `pass --tokenizer <tokenizer.json> or --task <${Object.keys(BUILT_IN_TASKS).join('|')}> (generate/evaluate need one)`,
    );
  }
  return { outDir, usedEma: imported.usedEma, task: taskName };
}
