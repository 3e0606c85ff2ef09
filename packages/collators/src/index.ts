export * from './tokenizers/special-tokens.js';
export { VocabularyTokenizer, type DecodeOptions } from './tokenizers/vocabulary-tokenizer.js';
export { SimpleSpaceTokenizer, type SimpleSpaceTokenizerJSON } from './tokenizers/simple-space-tokenizer.js';
