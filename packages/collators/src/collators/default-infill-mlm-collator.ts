import type { CollatorInput, MLMBatch } from '@mlm/types';
import { DefaultMLMCollator, type DefaultMLMCollatorOptions } from './default-mlm-collator.js';
import { checkExamples, readIdsField } from './example-fields.js';

/** Checks that every example's `promptIds` and `inputIds` have the same length. */
export function checkInfillLengths(owner: string, prompts: readonly (readonly number[])[], inputs: readonly (readonly number[])[]): void {
  prompts.forEach((prompt, b) => {
    const input = inputs[b] as readonly number[];
    if (prompt.length !== input.length) {
      throw new Error(`${owner}: example ${b}: "promptIds" has length ${prompt.length} but "inputIds" has length ${input.length}; an infill prompt must have the length of its input`);
    }
  });
}

/**
 * xlm-core `DefaultInfillMLMCollator`: like `DefaultMLMCollator`, but only content positions that are
 * `[MASK]` in the example's `promptIds` (the blanks) may be masked; the given positions are never
 * masked and are reported in `fixedPositionsMask`. BOS, EOS and PAD stay eligible (as in the
 * reference). Every example must fit in the batch width (no truncation).
 */
export class DefaultInfillMLMCollator extends DefaultMLMCollator {
  override collate(examples: CollatorInput[]): MLMBatch {
    checkExamples(this.name, examples);
    const vocabSize = this.tokenizer.vocabSize;
    const inputs = readIdsField(this.name, examples, 'inputIds', vocabSize);
    const prompts = readIdsField(this.name, examples, 'promptIds', vocabSize);
    checkInfillLengths(this.name, prompts, inputs);
    const mask = this.tokenizer.maskTokenId;
    const maskPositions = prompts.map((prompt) => {
      const free = new Uint8Array(prompt.length);
      for (let k = 0; k < prompt.length; k++) if (prompt[k] === mask) free[k] = 1;
      return free;
    });
    return this.collateIds(inputs, { maskPositions });
  }
}

export function createDefaultInfillMLMCollator(options: DefaultMLMCollatorOptions): DefaultInfillMLMCollator {
  return new DefaultInfillMLMCollator(options);
}
