// `@mlm/model/node`: the file-system forms (Node only). The main entry `@mlm/model` has the byte and
// URL forms and never imports a Node built-in, so it bundles for the browser.
export { fromPretrained, savePretrained } from './pretrained-model.js';
export { readPretrainedFolder, writePretrainedFolder } from './pretrained-files.js';
export { readSafetensorsFile, writeSafetensorsFile } from './safetensors-file.js';
export { importXlmCoreCheckpointFile, locateTorchCheckpoint, TORCH_CHECKPOINT_FILES } from './xlm-core-checkpoint-file.js';
export type { ImportCheckpointFileResult } from './xlm-core-checkpoint-file.js';
