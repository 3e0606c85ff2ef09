import type { CollatorInput, MLMBatch } from '@mlm/types';
import { DefaultMLMCollator, type DefaultMLMCollatorOptions } from './default-mlm-collator.js';
import { checkExamples, readIdsField } from './example-fields.js';

/**
 * Reads and checks the infill collators' examples: `inputIds` and `promptIds` (the input with
 * `[MASK]` at the blanks), which must have the same length in every example.
 */
export function readInfillExamples(owner: string, examples: CollatorInput[], vocabSize: number): { inputs: (readonly number[])[]; prompts: (readonly number[])[] } {
  checkExamples(owner, examples);
  const inputs = readIdsField(owner, examples, 'inputIds', vocabSize);
  const prompts = readIdsField(owner, examples, 'promptIds', vocabSize);
  prompts.forEach((prompt, b) => {
    const input = inputs[b] as readonly number[];
    if (prompt.length !== input.length) {
      throw new Error(`${owner}: example ${b}: "promptIds" has length ${prompt.length} but "inputIds" has length ${input.length}; an infill prompt must have the length of its input`);
    }
  });
  return { inputs, prompts };
}

/**
 * xlm-core `DefaultInfillMLMCollator`: like `DefaultMLMCollator`, but only content positions that are
 * `[MASK]` in the example's `promptIds` (the blanks) may be masked; the given positions are never
 * masked and are reported in `fixedPositionsMask`. BOS, EOS and PAD stay eligible (as in the
 * reference). Every example must fit in the batch width (no truncation).
 */
export class DefaultInfillMLMCollator extends DefaultMLMCollator {
  override collate(examples: CollatorInput[]): MLMBatch {
    const { inputs, prompts } = readInfillExamples(this.name, examples, this.tokenizer.vocabSize);
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
