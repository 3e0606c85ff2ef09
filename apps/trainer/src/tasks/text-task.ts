import { CharacterTokenizer } from '@mlm/collators';
import { loadTokenizerFile } from '@mlm/collators/node';
import type { CollatorInput, Tokenizer } from '@mlm/types';
import type { SplitName } from './generated-splits.js';
import type { ExampleSource, Task, TaskFactoryOptions } from './task.js';
import { parseTaskOptions } from './task-options.js';
import { listCorpusFiles, readCorpusPieces } from './text-corpus.js';

/** Default chunk length (the reference's global `block_size`). */
export const DEFAULT_TEXT_BLOCK_SIZE = 128;

export interface TextTaskOptions extends TaskFactoryOptions {
  /** Percent of chunks (by index hash) held out for validation; default 1. */
  validationPercent?: number;
  /** Percent of chunks (by index hash) held out for test; default 1. */
  testPercent?: number;
}

/** The text task, with what the first pass over the corpus found. */
export interface TextTask extends Task {
  /** The corpus files, in reading order. */
  files: string[];
  /** Tokens in the corpus. */
  numTokens: number;
  /** Chunks of `blockSize` tokens per split (the incomplete last chunk is dropped). */
  numChunks: Record<SplitName, number>;
}

/** A 32-bit integer hash (MurmurHash3's finaliser) of a chunk index. */
export function chunkHash(index: number): number {
  let h = (index ^ 0x9e3779b9) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * Which split each chunk belongs to: `chunkHash(index) mod 100` below `validationPercent` →
 * validation, below `validationPercent + testPercent` → test, else train. When the hash leaves
 * validation or test empty (small corpora) although its percent is positive, the last training
 * chunk(s) are moved there.
 */
export function createChunkSplitter(numChunks: number, validationPercent = 1, testPercent = 1): { splitOf: (index: number) => SplitName; counts: Record<SplitName, number> } {
  const byHash = (index: number): SplitName => {
    const bucket = chunkHash(index) % 100;
    return bucket < validationPercent ? 'validation' : bucket < validationPercent + testPercent ? 'test' : 'train';
  };
  const counts: Record<SplitName, number> = { train: 0, validation: 0, test: 0 };
  for (let index = 0; index < numChunks; index++) counts[byHash(index)] += 1;
  const overrides = new Map<number, SplitName>();
  for (const [split, percent] of [['validation', validationPercent], ['test', testPercent]] as const) {
    if (percent === 0 || counts[split] > 0) continue;
    for (let index = numChunks - 1; index >= 0; index--) {
      if (!overrides.has(index) && byHash(index) === 'train') {
        overrides.set(index, split);
        counts.train -= 1;
        counts[split] += 1;
        break;
      }
    }
  }
  return { splitOf: (index) => overrides.get(index) ?? byHash(index), counts };
}

type Encode = (piece: string) => ArrayLike<number>;

/** Per-character encoding (literal `[MASK]` text in the corpus stays characters). */
function characterEncoder(tokenizer: CharacterTokenizer): Encode {
  const vocabulary = tokenizer.vocabulary;
  const vocabularyIds = tokenizer.convertTokensToIds(vocabulary);
  const ids = new Map<string, number>(vocabulary.map((character, index) => [character, vocabularyIds[index] as number]));
  return (piece) => {
    const out: number[] = [];
    for (const character of piece) {
      const id = ids.get(character);
      if (id === undefined) {
        throw new Error(`text corpus: character ${JSON.stringify(character)} is not in the tokenizer's vocabulary (did the corpus change after the task was created?)`);
      }
      out.push(id);
    }
    return out;
  };
}

/** Streams consecutive chunks of exactly `blockSize` token ids (with their index) from the corpus. */
async function* streamChunks(files: readonly string[], encode: Encode, blockSize: number): AsyncGenerator<{ index: number; ids: number[] }> {
  const buffer = new Array<number>(blockSize);
  let filled = 0;
  let index = 0;
  for await (const piece of readCorpusPieces(files)) {
    const ids = encode(piece);
    for (let i = 0; i < ids.length; i++) {
      buffer[filled++] = ids[i] as number;
      if (filled === blockSize) {
        yield { index: index++, ids: buffer.slice() };
        filled = 0;
      }
    }
  }
}

/**
 * A plain-text corpus (`text-char`, or `text` with a `tokenizerPath`): `options.path` is a file or a
 * folder (all `.txt` files under it, sorted). Read as a stream, twice at creation at most (characters
 * and token count) and once per pass over a split. The tokenizer is `options.tokenizerPath` (a
 * tokenizer.json, via `loadTokenizerFile`) or a `CharacterTokenizer` of the corpus's characters.
 * Examples `{ inputIds }` are consecutive `blockSize`-token chunks; validation/test are chosen by a
 * hash of the chunk index (`createChunkSplitter`), so the split is the same on every run.
 */
export async function createTextTask(options: TextTaskOptions): Promise<TextTask> {
  const parsed = parseTaskOptions('text', options);
  if (parsed.path === undefined) throw new Error('text: options.path is required (a .txt file or a folder of .txt files)');
  const validationPercent = options.validationPercent ?? 1;
  const testPercent = options.testPercent ?? 1;
  for (const [field, value] of [['validationPercent', validationPercent], ['testPercent', testPercent]] as const) {
    if (!Number.isInteger(value) || value < 0 || value > 100) throw new Error(`text: ${field} = ${value}, expected an integer in [0, 100]`);
  }
  if (validationPercent + testPercent >= 100) {
    throw new Error(`text: validationPercent + testPercent = ${validationPercent + testPercent}, expected < 100 (training needs chunks)`);
  }
  const blockSize = parsed.blockSize ?? DEFAULT_TEXT_BLOCK_SIZE;
  const files = await listCorpusFiles(parsed.path);

  let tokenizer: Tokenizer;
  let numTokens = 0;
  let encode: Encode;
  if (parsed.tokenizerPath === undefined) {
    const characters = new Set<string>();
    for await (const piece of readCorpusPieces(files)) {
      for (const character of piece) {
        characters.add(character);
        numTokens += 1;
      }
    }
    if (numTokens === 0) throw new Error(`text: the corpus at ${parsed.path} is empty (${files.length} file(s), no characters)`);
    const characterTokenizer = CharacterTokenizer.fromCorpus(characters);
    tokenizer = characterTokenizer;
    encode = characterEncoder(characterTokenizer);
  } else {
    tokenizer = await loadTokenizerFile(parsed.tokenizerPath);
    const loaded = tokenizer;
    encode = loaded instanceof CharacterTokenizer ? characterEncoder(loaded) : (piece) => loaded.encode(piece, { addSpecialTokens: false });
    for await (const piece of readCorpusPieces(files)) numTokens += encode(piece).length;
    if (numTokens === 0) throw new Error(`text: the corpus at ${parsed.path} is empty (${files.length} file(s), no tokens)`);
  }
  const totalChunks = Math.floor(numTokens / blockSize);
  const { splitOf, counts } = createChunkSplitter(totalChunks, validationPercent, testPercent);
  if (counts.train === 0 || (validationPercent > 0 && counts.validation === 0) || (testPercent > 0 && counts.test === 0)) {
    throw new Error(
      `text: the corpus at ${parsed.path} has ${numTokens} tokens = ${totalChunks} chunk(s) of blockSize ${blockSize}; need at least 3 (train, validation, test). Use a smaller blockSize or more text`,
    );
  }
  const splitSource = (split: SplitName): ExampleSource => ({
    size: undefined,
    async *iterate(): AsyncGenerator<CollatorInput> {
      for await (const chunk of streamChunks(files, encode, blockSize)) {
        if (splitOf(chunk.index) === split) yield { inputIds: chunk.ids };
      }
    },
  });
  const collator = { name: 'mlm/default-collator', blockSize, addBos: false, addEos: false, lossOnPadding: true, truncate: 'block' };
  return {
    name: tokenizer instanceof CharacterTokenizer ? 'text-char' : 'text',
    kind: 'unconditional',
    tokenizer,
    blockSize,
    splits: { train: splitSource('train'), validation: splitSource('validation'), test: splitSource('test') },
    // Chunks fill the block exactly, so no BOS/EOS (the reference's lm1b/owt use default_mlm with EOS on
    // sentence-level examples); prediction is unconditional generation (`unconditional_pred_mlm`).
    collatorDefaults: { train: collator, prediction: { ...collator } },
    files,
    numTokens,
    numChunks: counts,
  };
}
