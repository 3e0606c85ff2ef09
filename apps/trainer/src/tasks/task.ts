// apps/trainer/src/tasks/task.ts
import type { CollatorInput, RandomSource, Tokenizer } from '@mlm/types';
/** A finite or streamed split. */
export interface ExampleSource {
  /** Number of examples when known (undefined for streams). */
  readonly size: number | undefined;
  /** Examples in a fixed order (the data loader shuffles). Re-iterable. */
  iterate(): AsyncIterable<CollatorInput>;
}
export type TaskKind = 'seq2seq' | 'infill' | 'unconditional';
export interface Task {
  name: string;                 // e.g. 'star-easy'
  kind: TaskKind;               // seq2seq: star (prompt → path); infill: sudoku; unconditional: text
  tokenizer: Tokenizer;
  blockSize: number;            // suffix / sequence block (star-easy 14, sudoku 83 for training, text: chosen)
  inputBlockSize?: number;      // prompt block for seq2seq (star-easy 28)
  splits: { train: ExampleSource; validation: ExampleSource; test: ExampleSource };
  /**
   * The collators this task uses unless a config names others: a `collator` component name (a plugin
   * task may name its own plugin's) and the options the reference uses (addBos, addEos, lossOnPadding...).
   */
  collatorDefaults: { train: CollatorDefault; prediction: CollatorDefault };
}
/** A task's default collator: the component's name and its options. */
export interface CollatorDefault {
  name: string;
  [option: string]: unknown;
}
export interface TaskFactoryOptions {
  seed: number;                 // generation seed (the reference uses 42)
  numTrain?: number; numValidation?: number; numTest?: number;
  dataDir?: string;             // where generated data is cached (CSV/JSONL) — optional
  path?: string;                // text: a local file or folder
  tokenizerPath?: string;       // text: a local tokenizer.json (else a char-level tokenizer built from the corpus)
  blockSize?: number;
}
export type TaskFactory = (options: TaskFactoryOptions) => Promise<Task>;
