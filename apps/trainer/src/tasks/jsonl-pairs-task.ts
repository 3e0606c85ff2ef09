import { SimpleSpaceTokenizer } from '@mlm/collators';
import { loadTokenizerFile } from '@mlm/collators/node';
import type { CollatorInput, Tokenizer } from '@mlm/types';
import { DataRecordError, describeDataValue, readJsonlRecords } from './data-file-records.js';
import { createArraySource } from './example-source.js';
import type { Task, TaskFactoryOptions } from './task.js';

/** Options of `mlm/jsonl-pairs`: your own prompt/completion data as JSON lines. */
export interface JsonlPairsTaskOptions extends TaskFactoryOptions {
  /** JSON-lines files per split; `train` is required, a missing validation/test split is empty. */
  files?: { train?: string; validation?: string; test?: string };
  /**
   * `seq2seq` (default): the model completes `prompt` with `completion` (prefix → suffix, like star).
   * `infill`: `prompt` is `completion` with some tokens replaced by `[MASK]` (like sudoku).
   */
  mode?: 'seq2seq' | 'infill';
  /** Prompt block for seq2seq (default: the longest prompt in the files). */
  inputBlockSize?: number;
}

interface PairRecord {
  prompt: string;
  completion: string;
  line: number;
}

const SPLITS = ['train', 'validation', 'test'] as const;

/** Whitespace tokens of a text (the tokenization of `SimpleSpaceTokenizer`). */
function words(text: string): string[] {
  return text.split(/\s+/).filter((token) => token.length > 0);
}

/** Reads and checks every record of a file; a bad record is an error naming file, line and field. */
async function readPairs(file: string): Promise<PairRecord[]> {
  return readJsonlRecords(file, (record, line) => {
    for (const field of ['prompt', 'completion'] as const) {
      if (typeof record[field] !== 'string') throw new DataRecordError(field, `expected a string, got ${describeDataValue(record[field])}`);
    }
    if (words(record.completion as string).length === 0) throw new DataRecordError('completion', 'expected at least one token, got ""');
    return { prompt: record.prompt as string, completion: record.completion as string, line };
  });
}

/**
 * `mlm/jsonl-pairs`: seq2seq (prompt → completion) or infill (prompt with [MASK]s → completion) data
 * from JSON-lines files, `{"prompt": "...", "completion": "..."}` per line. The tokenizer is
 * `tokenizerPath` (a tokenizer.json) or a `SimpleSpaceTokenizer` of every whitespace-separated token in
 * the files. Every record is read and checked when the task is created, before any tensor work.
 */
export async function createJsonlPairsTask(options: JsonlPairsTaskOptions): Promise<Task> {
  const mode = options.mode ?? 'seq2seq';
  if (mode !== 'seq2seq' && mode !== 'infill') throw new Error(`jsonl-pairs: mode = ${JSON.stringify(mode)}, expected "seq2seq" or "infill"`);
  const files = options.files ?? {};
  if (!files.train && !files.test && !files.validation) throw new Error('jsonl-pairs: files.train (or, to evaluate only, files.test) is required: a JSON-lines file of {"prompt", "completion"} records');
  const records: Record<(typeof SPLITS)[number], PairRecord[]> = { train: [], validation: [], test: [] };
  for (const split of SPLITS) {
    const file = files[split];
    if (file) records[split] = await readPairs(file);
  }

  let tokenizer: Tokenizer;
  if (options.tokenizerPath) tokenizer = await loadTokenizerFile(options.tokenizerPath);
  else {
    const vocabulary = new Set<string>();
    for (const split of SPLITS) for (const record of records[split]) for (const token of [...words(record.prompt), ...words(record.completion)]) vocabulary.add(token);
    // Special tokens written in the data (such as [MASK] in infill prompts) are already in the vocabulary.
    const specials = new Set(new SimpleSpaceTokenizer([]).convertIdsToTokens([...new SimpleSpaceTokenizer([]).specialTokenIds]));
    tokenizer = new SimpleSpaceTokenizer([...vocabulary].filter((token) => !specials.has(token)).sort());
  }
  const encode = (text: string): number[] => tokenizer.encode(text, { addSpecialTokens: false });

  const examples: Record<(typeof SPLITS)[number], CollatorInput[]> = { train: [], validation: [], test: [] };
  let longestPrompt = 0;
  let longestCompletion = 0;
  for (const split of SPLITS) {
    const file = files[split] ?? '';
    for (const record of records[split]) {
      const promptIds = encode(record.prompt);
      const inputIds = encode(record.completion);
      if (mode === 'infill') {
        if (promptIds.length !== inputIds.length) {
          throw new Error(`${file}:${record.line}: field "prompt": infill needs as many tokens as the completion (${promptIds.length} vs ${inputIds.length})`);
        }
        const mismatch = promptIds.findIndex((id, index) => id !== tokenizer.maskTokenId && id !== inputIds[index]);
        if (mismatch >= 0) throw new Error(`${file}:${record.line}: field "prompt": token ${mismatch + 1} is neither [MASK] nor the completion's token`);
      }
      longestPrompt = Math.max(longestPrompt, promptIds.length);
      longestCompletion = Math.max(longestCompletion, inputIds.length);
      examples[split].push({ promptIds, inputIds });
    }
  }
  if (mode === 'seq2seq') {
    const blockSize = options.blockSize ?? longestCompletion + 2; // BOS + completion + EOS
    const inputBlockSize = options.inputBlockSize ?? Math.max(1, longestPrompt);
    const collator = { blockSize, inputBlockSize, addBos: true, addEos: true, lossOnPadding: true, truncate: 'block' };
    return {
      name: 'jsonl-pairs',
      kind: 'seq2seq',
      tokenizer,
      blockSize,
      inputBlockSize,
      splits: { train: createArraySource(examples.train), validation: createArraySource(examples.validation), test: createArraySource(examples.test) },
      collatorDefaults: { train: { name: 'mlm/seq2seq-train-collator', ...collator }, prediction: { name: 'mlm/seq2seq-pred-collator', ...collator } },
    };
  }
  const blockSize = options.blockSize ?? longestCompletion + 1; // completion + EOS
  // Infill examples: the collators read the full sequence from `inputIds` and the masked one from `promptIds`, as for sudoku.
  return {
    name: 'jsonl-pairs',
    kind: 'infill',
    tokenizer,
    blockSize,
    splits: { train: createArraySource(examples.train), validation: createArraySource(examples.validation), test: createArraySource(examples.test) },
    collatorDefaults: {
      train: { name: 'mlm/default-collator', blockSize, addBos: false, addEos: true, lossOnPadding: true, truncate: 'block' },
      prediction: { name: 'mlm/infill-with-exact-target-pred-collator', blockSize, addBos: false, addEos: false, lossOnPadding: false, truncate: 'block' },
    },
  };
}
