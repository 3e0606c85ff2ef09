export * from './tokenizers/special-tokens.js';
export { VocabularyTokenizer, type DecodeOptions } from './tokenizers/vocabulary-tokenizer.js';
export { SimpleSpaceTokenizer, type SimpleSpaceTokenizerJSON } from './tokenizers/simple-space-tokenizer.js';
export { CharacterTokenizer, type CharacterTokenizerJSON } from './tokenizers/character-tokenizer.js';
export {
  HuggingFaceTokenizer,
  type HuggingFaceAddedToken,
  type HuggingFaceTokenizerFile,
  type HuggingFaceTokenizerJSON,
  type HuggingFaceTokenizerOptions,
} from './tokenizers/huggingface-tokenizer.js';
export { TOKENIZER_FILE_NAME, loadTokenizer, registerTokenizerType, tokenizerTypes } from './tokenizers/tokenizer-json.js';
export { loadTokenizerFromUrl, type LoadTokenizerFromUrlOptions } from './tokenizers/tokenizer-url.js';

export type { Truncate } from './collators/options.js';
export { padTruncate, padTruncateWithCount, type PadTruncateOptions } from './collators/pad-truncate.js';
export { matrixRow, matrixToArrays } from './collators/matrices.js';
export { readField, hasField } from './collators/example-fields.js';
export {
  mlmSingleSegmentCollate,
  singleSegmentWidth,
  type SingleSegmentBatch,
  type SingleSegmentCollateOptions,
} from './collators/mlm-single-segment-collate.js';
export { preparePrefixIds, type PreparePrefixIdsOptions, type PrefixBatch } from './collators/prepare-prefix-ids.js';
export { preparePrefixSuffixIds, type PreparePrefixSuffixIdsOptions } from './collators/prepare-prefix-suffix-ids.js';
export { seq2seqSuffixIds } from './collators/seq2seq-suffix-ids.js';
export { DEFAULT_PASS_THROUGH_FIELDS } from './collators/pass-through.js';
export { DefaultMLMCollator, createDefaultMLMCollator, type DefaultMLMCollatorOptions } from './collators/default-mlm-collator.js';
export { DefaultInfillMLMCollator, createDefaultInfillMLMCollator } from './collators/default-infill-mlm-collator.js';
export {
  MLMInfillWithExactTargetPredCollator,
  createMLMInfillWithExactTargetPredCollator,
} from './collators/mlm-infill-with-exact-target-pred-collator.js';
export {
  MLMSeq2SeqTrainCollator,
  createMLMSeq2SeqTrainCollator,
  type MLMSeq2SeqTrainCollatorOptions,
} from './collators/mlm-seq2seq-train-collator.js';
export {
  MLMSeq2SeqCollator,
  MLMSeq2SeqPredCollator,
  createMLMSeq2SeqCollator,
  createMLMSeq2SeqPredCollator,
  type MLMSeq2SeqCollatorOptions,
} from './collators/mlm-seq2seq-collator.js';
export { PackedMLMCollator, createPackedMLMCollator, type PackedMLMCollatorOptions } from './collators/packed-mlm-collator.js';
export {
  PAPL_DEFAULT_LENGTHS,
  PaplUnconditionalCollator,
  PaplUnconditionalDataset,
  createPaplUnconditionalCollator,
  createPaplUnconditionalDataset,
  type PaplUnconditionalCollatorOptions,
  type PaplUnconditionalDatasetOptions,
} from './collators/papl-unconditional.js';
export {
  MLMEmptyDataset,
  MLMEmptyDatasetFromLengthRef,
  createMLMEmptyDataset,
  parseLengthReference,
  type MLMEmptyDatasetFromLengthRefOptions,
  type MLMEmptyDatasetOptions,
} from './collators/mlm-empty-dataset.js';
export { printBatch, type PrintBatchOptions } from './collators/print-batch.js';
export { inferBatchLength, iterUnbatch, unbatch, type UnbatchOptions } from './unbatch.js';

// Components (register them in a ComponentRegistry of @mlm/components; the trainer does)
export { collatorComponents } from './collator-components.js';
export { datasetComponents, emptyDatasetOptionsSchema, paplUnconditionalDatasetOptionsSchema, type PredictionDataset } from './dataset-components.js';
export { defaultMLMCollatorOptionsSchema } from './collators/default-mlm-collator.js';
export { mlmSeq2SeqTrainCollatorOptionsSchema } from './collators/mlm-seq2seq-train-collator.js';
export { mlmSeq2SeqCollatorOptionsSchema } from './collators/mlm-seq2seq-collator.js';
