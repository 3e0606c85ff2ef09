import { SimpleSpaceTokenizer } from '@mlm/collators';
import type { CollatorInput, Tokenizer } from '@mlm/types';
import { z } from 'zod';
import { DataRecordError, describeDataValue, readJsonlRecords } from './data-file-records.js';
import { createArraySource } from './example-source.js';
import { generateSplits, generatedDataDirectory, loadOrGenerateSplits, type GeneratedSplits } from './generated-splits.js';
import { readJsonLines, writeJsonLines } from './jsonl-file.js';
import {
  STAR_GRAPH_SETTINGS,
  generateStarGraph,
  starGraphKey,
  type StarDifficulty,
  type StarGraph,
} from './star-graph-generator.js';
import type { Task, TaskFactoryOptions } from './task.js';
import { parseTaskOptions, splitCounts } from './task-options.js';

/** Sizes of the reference's `dhruveshpatel/star-*` splits. */
export const STAR_SPLIT_SIZES = { train: 50_000, validation: 100, test: 5_000 } as const;

/** Blocks of the reference's experiments `star_{easy,medium,hard}_mlm` (xlm-models/mlm/configs/experiment/). */
export const STAR_TASK_BLOCKS: Readonly<Record<StarDifficulty, { blockSize: number; inputBlockSize: number }>> = {
  easy: { blockSize: 14, inputBlockSize: 28 },
  medium: { blockSize: 16, inputBlockSize: 36 },
  hard: { blockSize: 28, inputBlockSize: 116 },
};

/** A seq2seq example: the prompt (edges, source, goal) and the path suffix. */
export interface StarExample extends CollatorInput {
  promptIds: number[];
  inputIds: number[];
}

/**
 * xlm-core's `star.preprocess_fn`: `promptIds` = ids of the flattened edge list, then source and goal
 * (`2·#edges + 2` ids); `inputIds` = ids of the consecutive path pairs `p0 p1 p1 p2 …`
 * (`2·(len(path) − 1)` ids). A node `n` has the id of the token `String(n)` (7 + n for `forNumbers`).
 */
export function preprocessStarGraph(graph: StarGraph, tokenizer: Tokenizer): StarExample {
  const idOf = nodeIdLookup(tokenizer);
  const promptIds: number[] = [];
  for (const [from, to] of graph.edgeList) promptIds.push(idOf(from), idOf(to));
  promptIds.push(idOf(graph.source), idOf(graph.goal));
  const inputIds: number[] = [];
  for (let i = 0; i + 1 < graph.path.length; i++) inputIds.push(idOf(graph.path[i] as number), idOf(graph.path[i + 1] as number));
  return { promptIds, inputIds };
}

/** Per tokenizer, the id of each node's token `String(node)` (memoised: tokenizing 50 000 graphs is hot). */
const nodeIdCache = new WeakMap<Tokenizer, number[]>();
function nodeIdLookup(tokenizer: Tokenizer): (node: number) => number {
  let ids = nodeIdCache.get(tokenizer);
  if (ids === undefined) {
    ids = [];
    nodeIdCache.set(tokenizer, ids);
  }
  const cache = ids;
  return (node) => {
    let id = cache[node];
    if (id === undefined) {
      if (!Number.isInteger(node) || node < 0) throw new Error(`preprocessStarGraph: node ${node} is not a non-negative integer`);
      id = tokenizer.convertTokensToIds([String(node)])[0] as number;
      cache[node] = id;
    }
    return id;
  };
}

const starGraphSchema = z.object({
  edgeList: z.array(z.tuple([z.number().int().min(0), z.number().int().min(0)])).min(1),
  source: z.number().int().min(0),
  goal: z.number().int().min(0),
  path: z.array(z.number().int().min(0)).min(2),
});

async function readStarGraphs(file: string): Promise<StarGraph[]> {
  const graphs: StarGraph[] = [];
  for await (const record of readJsonLines(file)) {
    const parsed = starGraphSchema.safeParse(record);
    if (!parsed.success) {
      throw new Error(`${file}: record ${graphs.length} is not a star graph {edgeList, source, goal, path}: ${parsed.error.issues[0]?.message ?? ''}`);
    }
    graphs.push(parsed.data as StarGraph);
  }
  return graphs;
}

/** Star task options: generated splits, or your own files in the reference's JSON-lines layout. */
export interface StarTaskOptions extends TaskFactoryOptions {
  /**
   * JSON-lines files per split, one graph per line as the reference's `dhruveshpatel/star-*` datasets
   * hold them: `{"edge_list": [[a, b], ...], "source": s, "goal": g, "path": [s, ..., g]}` (`edgeList`
   * also accepted). With `files`, splits without a file are empty (nothing is generated).
   */
  files?: { train?: string; validation?: string; test?: string };
}

/** Checks one record of a star data file (reference layout); nodes must be tokens of the task's vocabulary. */
function parseStarRecord(record: Record<string, unknown>, vocabSize: number): StarGraph {
  const node = (value: unknown, field: string): number => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value >= vocabSize) {
      throw new DataRecordError(field, `expected a node number in 0..${vocabSize - 1}, got ${describeDataValue(value)}`);
    }
    return value;
  };
  const edgeField = 'edge_list' in record ? 'edge_list' : 'edgeList';
  const edges = record[edgeField];
  if (!Array.isArray(edges) || edges.length === 0) throw new DataRecordError(edgeField, `expected a non-empty list of [from, to] pairs, got ${describeDataValue(edges)}`);
  const edgeList = edges.map((edge, index): [number, number] => {
    if (!Array.isArray(edge) || edge.length !== 2) throw new DataRecordError(`${edgeField}[${index}]`, `expected a [from, to] pair, got ${describeDataValue(edge)}`);
    return [node(edge[0], `${edgeField}[${index}][0]`), node(edge[1], `${edgeField}[${index}][1]`)];
  });
  const path = record.path;
  if (!Array.isArray(path) || path.length < 2) throw new DataRecordError('path', `expected a list of at least 2 nodes, got ${describeDataValue(path)}`);
  return { edgeList, source: node(record.source, 'source'), goal: node(record.goal, 'goal'), path: path.map((value, index) => node(value, `path[${index}]`)) };
}

async function readStarSplits(name: string, files: NonNullable<StarTaskOptions['files']>, vocabSize: number): Promise<GeneratedSplits<StarGraph>> {
  if (!files.train && !files.validation && !files.test) throw new Error(`${name}: files needs at least one of train, validation, test`);
  const read = async (file: string | undefined) => (file ? readJsonlRecords(file, (record) => parseStarRecord(record, vocabSize)) : []);
  return { train: await read(files.train), validation: await read(files.validation), test: await read(files.test) };
}

/** The star task, with the raw graphs of every split. */
export interface StarTask extends Task {
  difficulty: StarDifficulty;
  graphs: GeneratedSplits<StarGraph>;
  /** Folder of the cached JSON-lines files (when `dataDir` was given). */
  dataDirectory: string | undefined;
}

const DIFFICULTIES: readonly StarDifficulty[] = ['easy', 'medium', 'hard'];

/**
 * The star-graph path-finding task (`star-easy`, `star-medium`, `star-hard`): graphs generated with
 * the reference's generators and settings from `options.seed` (train, validation and test from
 * different random streams; validation and test deduplicated against train), tokenized with
 * `SimpleSpaceTokenizer.forNumbers(20 | 56)`. With `dataDir`, the graphs are cached as JSON lines in
 * `<dataDir>/star-<difficulty>/seed-<seed>-train-<n>-validation-<n>-test-<n>/`.
 */
export async function createStarTask(difficulty: StarDifficulty, options: TaskFactoryOptions): Promise<StarTask> {
  if (!DIFFICULTIES.includes(difficulty)) {
    throw new Error(`createStarTask: difficulty = ${JSON.stringify(difficulty)}, expected one of ${DIFFICULTIES.join(', ')}`);
  }
  const name = `star-${difficulty}`;
  const parsed = parseTaskOptions(name, options);
  const settings = STAR_GRAPH_SETTINGS[difficulty];
  const { blockSize, inputBlockSize } = STAR_TASK_BLOCKS[difficulty];
  if (parsed.blockSize !== undefined && parsed.blockSize !== blockSize) {
    throw new Error(`${name}: blockSize = ${parsed.blockSize}, but this task's block size is fixed at ${blockSize} (the longest path plus BOS and EOS fits it)`);
  }
  const counts = splitCounts(parsed, STAR_SPLIT_SIZES);
  const tokenizer = SimpleSpaceTokenizer.forNumbers(settings.vocabSize);
  const dataDirectory = parsed.dataDir === undefined || (options as StarTaskOptions).files ? undefined : generatedDataDirectory(parsed.dataDir, name, parsed.seed, counts);
  const files = (options as StarTaskOptions).files;
  const splits = files
    ? await readStarSplits(name, files, settings.vocabSize)
    : await loadOrGenerateSplits<StarGraph>({
    directory: dataDirectory,
    extension: 'jsonl',
    counts,
    generate: () => generateSplits({ name, seed: parsed.seed, counts, generate: (random) => generateStarGraph(random, settings), key: starGraphKey }),
    read: readStarGraphs,
    write: writeJsonLines,
  });
  const toSource = (graphs: StarGraph[]) => createArraySource(graphs.map((graph) => preprocessStarGraph(graph, tokenizer)));
  const collator = { blockSize, inputBlockSize, addBos: true, addEos: true, lossOnPadding: true, truncate: 'block' };
  return {
    name,
    kind: 'seq2seq',
    tokenizer,
    blockSize,
    inputBlockSize,
    splits: { train: toSource(splits.train), validation: toSource(splits.validation), test: toSource(splits.test) },
    // Hydra `collator/seq2seq_mlm` and `seq2seq_pred_mlm` with the `star_mlm` datamodule's add_bos: true.
    collatorDefaults: {
      train: { name: 'mlm/seq2seq-train-collator', ...collator },
      prediction: { name: 'mlm/seq2seq-pred-collator', ...collator },
    },
    difficulty,
    graphs: { train: splits.train, validation: splits.validation, test: splits.test },
    dataDirectory,
  };
}
