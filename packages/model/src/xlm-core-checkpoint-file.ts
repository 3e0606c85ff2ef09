/**
 * Node-only file access around `importXlmCoreCheckpoint` (`node:fs` is imported lazily so browser
 * bundles never load it): reads a `.ckpt` / `.pth` / `.bin` file or a folder holding one, and writes our
 * pretrained folder (config.json + model.safetensors, each atomically).
 */
import { writePretrainedFolder } from './pretrained-files.js';
import { serializeSafetensors } from './safetensors.js';
import { CheckpointError } from './state-dict.js';
import { importXlmCoreCheckpoint, type ImportCheckpointOptions, type ImportedCheckpoint } from './xlm-core-checkpoint.js';

/** File names looked for, in order, when the input is a folder. */
export const TORCH_CHECKPOINT_FILES = ['pytorch_model.bin', 'model.pth', 'model.pt'] as const;
const TORCH_CHECKPOINT_EXTENSIONS = ['.ckpt', '.pth', '.pt', '.bin'];

/** The checkpoint file behind `input` (a file, or a folder with one checkpoint) and the folder's config.json, if any. */
export async function locateTorchCheckpoint(input: string): Promise<{ file: string; configFile: string | undefined }> {
  const [fs, path] = await Promise.all([import('node:fs/promises'), import('node:path')]);
  let stat;
  try {
    stat = await fs.stat(input);
  } catch {
    throw new CheckpointError(`${input} does not exist`);
  }
  if (!stat.isDirectory()) return { file: input, configFile: undefined };
  const names = (await fs.readdir(input)).sort();
  const configFile = names.includes('config.json') ? path.join(input, 'config.json') : undefined;
  const preferred = TORCH_CHECKPOINT_FILES.find((name) => names.includes(name));
  if (preferred) return { file: path.join(input, preferred), configFile };
  const candidates = names.filter((name) => TORCH_CHECKPOINT_EXTENSIONS.some((extension) => name.endsWith(extension)));
  const last = candidates.find((name) => name === 'last.ckpt');
  if (last) return { file: path.join(input, last), configFile };
  if (candidates.length !== 1) {
    throw new CheckpointError(
      `${input}: expected one checkpoint file (${[...TORCH_CHECKPOINT_FILES, 'last.ckpt', '*.ckpt'].join(', ')}), found ${candidates.length === 0 ? 'none' : candidates.join(', ')}`,
    );
  }
  return { file: path.join(input, candidates[0] as string), configFile };
}

export interface ImportCheckpointFileResult extends ImportedCheckpoint {
  file: string;
  outDir: string;
}

/**
 * Imports `input` (file or folder) into `outDir` as config.json + model.safetensors. A `config.json`
 * next to the checkpoint (or `options.config`) is used instead of the checkpoint's hyper-parameters.
 */
export async function importXlmCoreCheckpointFile(input: string, outDir: string, options: Omit<ImportCheckpointOptions, 'source'> = {}): Promise<ImportCheckpointFileResult> {
  const fs = await import('node:fs/promises');
  const { file, configFile } = await locateTorchCheckpoint(input);
  let config = options.config;
  if (!config && configFile) {
    try {
      config = JSON.parse(await fs.readFile(configFile, 'utf8')) as object;
    } catch (error) {
      throw new CheckpointError(`${configFile}: cannot be read as JSON (${(error as Error).message})`);
    }
  }
  const bytes = new Uint8Array(await fs.readFile(file));
  const imported = importXlmCoreCheckpoint(bytes, { ...options, ...(config ? { config } : {}), source: file });
  await writePretrainedFolder(outDir, imported.config, serializeSafetensors(imported.tensors, { format: 'pt' }));
  return { ...imported, file, outDir };
}
