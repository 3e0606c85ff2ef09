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
export {
  TOKENIZER_FILE_NAME,
  loadTokenizer,
  loadTokenizerFile,
  registerTokenizerType,
  saveTokenizerFile,
  tokenizerTypes,
} from './tokenizers/tokenizer-io.js';
