import { loadTokenizer } from '@mlm/collators';
import { RotaryTransformerMLMModel } from '@mlm/model';
import type { Tokenizer } from '@mlm/types';

/** The files of an exported model folder (`mlm export` output): config.json, model.safetensors, tokenizer.json, task.json. */
export const MODEL_FOLDER_FILES = { config: 'config.json', weights: 'model.safetensors', tokenizer: 'tokenizer.json', task: 'task.json' } as const;

/** What task.json holds (written by the trainer beside a checkpoint). */
export interface TaskInfo {
  name: string;
  kind: string;
  blockSize: number;
  [key: string]: unknown;
}

export interface ModelFolderContents {
  config: Record<string, unknown>;
  weights: Uint8Array;
  tokenizer: Record<string, unknown>;
  task: TaskInfo | undefined;
}

export interface LoadedModel {
  model: RotaryTransformerMLMModel;
  tokenizer: Tokenizer;
  task: TaskInfo | undefined;
  /** Where it came from (a URL or "files: …"), for the page. */
  source: string;
}

function parseJson(text: string, file: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file}: not valid JSON (${(error as Error).message})`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error(`${file}: expected a JSON object`);
  return value as Record<string, unknown>;
}

/** Builds the model and tokenizer from a folder's contents (the byte forms of @mlm/model and @mlm/collators). */
export function loadModelFromContents(contents: ModelFolderContents, source: string): LoadedModel {
  const model = RotaryTransformerMLMModel.fromBytes({ config: contents.config, weights: contents.weights });
  try {
    const tokenizer = loadTokenizer(contents.tokenizer);
    if (tokenizer.vocabSize > model.numEmbeddings) {
      throw new Error(`tokenizer.json: vocabulary of ${tokenizer.vocabSize} tokens, but the model has only ${model.numEmbeddings} embeddings`);
    }
    return { model, tokenizer, task: contents.task, source };
  } catch (error) {
    model.dispose();
    throw error;
  }
}

function checkTask(task: Record<string, unknown> | undefined): TaskInfo | undefined {
  if (task === undefined) return undefined;
  if (typeof task.name !== 'string' || !Number.isInteger(task.blockSize)) {
    throw new Error(`task.json: expected { name: string, kind: string, blockSize: integer }, got ${JSON.stringify(task).slice(0, 120)}`);
  }
  return task as TaskInfo;
}

/** Fetches a model folder served at `baseUrl` (task.json is optional). */
export async function fetchModelFolder(baseUrl: string, fetchFile: typeof fetch = fetch): Promise<ModelFolderContents> {
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  const get = async (file: string, optional = false): Promise<Response | undefined> => {
    const url = new URL(file, base).href;
    let response: Response;
    try {
      response = await fetchFile(url);
    } catch (error) {
      throw new Error(`${url}: could not be fetched (${(error as Error).message})`);
    }
    if (response.status === 404 && optional) return undefined;
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status} ${response.statusText}`);
    return response;
  };
  const [config, weights, tokenizer, task] = await Promise.all([
    get(MODEL_FOLDER_FILES.config),
    get(MODEL_FOLDER_FILES.weights),
    get(MODEL_FOLDER_FILES.tokenizer),
    get(MODEL_FOLDER_FILES.task, true),
  ]);
  return {
    config: parseJson(await config!.text(), MODEL_FOLDER_FILES.config),
    weights: new Uint8Array(await weights!.arrayBuffer()),
    tokenizer: parseJson(await tokenizer!.text(), MODEL_FOLDER_FILES.tokenizer),
    task: checkTask(task ? parseJson(await task.text(), MODEL_FOLDER_FILES.task) : undefined),
  };
}

/** Reads a model folder picked in the page (a folder picker's files, or the files chosen one by one). */
export async function readModelFolderFiles(files: ArrayLike<File>): Promise<ModelFolderContents> {
  const byName = new Map<string, File>();
  for (const file of Array.from(files)) byName.set(file.name, file);
  const need = (name: string): File => {
    const file = byName.get(name);
    if (!file) throw new Error(`the chosen files lack ${name}; expected ${Object.values(MODEL_FOLDER_FILES).join(', ')} (task.json optional), got ${[...byName.keys()].join(', ') || 'none'}`);
    return file;
  };
  const task = byName.get(MODEL_FOLDER_FILES.task);
  return {
    config: parseJson(await need(MODEL_FOLDER_FILES.config).text(), MODEL_FOLDER_FILES.config),
    weights: new Uint8Array(await need(MODEL_FOLDER_FILES.weights).arrayBuffer()),
    tokenizer: parseJson(await need(MODEL_FOLDER_FILES.tokenizer).text(), MODEL_FOLDER_FILES.tokenizer),
    task: checkTask(task ? parseJson(await task.text(), MODEL_FOLDER_FILES.task) : undefined),
  };
}

/** The board size of a sudoku model (from task.json), or undefined for other tasks. */
export function sudokuBoardSize(task: TaskInfo | undefined): 4 | 6 | 9 | undefined {
  if (!task || !/sudoku/i.test(task.name)) return undefined;
  const declared = Number(task.boardSize ?? task.size ?? NaN);
  if (declared === 4 || declared === 6 || declared === 9) return declared;
  for (const size of [9, 6, 4] as const) if (size * size < task.blockSize) return size;
  return undefined;
}
