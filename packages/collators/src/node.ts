// `@mlm/collators/node`: the file-system forms (Node only). The main entry `@mlm/collators` has the
// JSON, text and URL forms and never imports a Node built-in, so it bundles for the browser.
export { loadHuggingFaceTokenizerFile, loadTokenizerFile, saveTokenizerFile } from './tokenizers/tokenizer-io.js';
export { createMLMEmptyDatasetFromLengthRef, loadLengthReference } from './collators/length-reference-file.js';
export { nodeDatasetComponents, emptyDatasetFromLengthRefOptionsSchema } from './node-dataset-components.js';
