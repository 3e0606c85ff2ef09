import type { MLMBatch } from './batch.js';

/**
 * A raw example as datasets yield it (xlm-core `BaseCollatorInput` / `Seq2SeqCollatorInput`).
 * Field names are camelCase; the collators of @mlm/collators also read the reference's snake_case
 * names (`input_ids`, `prompt_ids`, `target_ids`) when the camelCase field is absent.
 */
export interface CollatorInput {
  inputIds?: number[];
  promptIds?: number[];
  targetIds?: number[];
  [field: string]: unknown;
}

/** Turns a list of examples into a batch of plain typed arrays (see `IntMatrix`). */
export interface Collator<TExample = CollatorInput, TBatch = MLMBatch> {
  /** Width of the batch when the collator pads to a block (undefined when it sizes by content). */
  readonly blockSize?: number | undefined;
  collate(examples: TExample[]): TBatch;
}
