// `@mlm/model`: what a user of the model needs, browser-safe (no Node built-in in its import graph).
// Files and folders: `@mlm/model/node`. Layout, initialisation and tensor helpers stay internal.
export { RotaryTransformerMLMModel, createRotaryTransformerMLMModel } from './rotary-transformer-mlm-model.js';
export type { CreateModelOptions } from './rotary-transformer-mlm-model.js';
export {
  ModelConfigError,
  resolveModelConfig,
  modelConfigFields,
  addModelShapeIssues,
  modelConfigFromXlm,
  modelConfigToXlm,
  parameterCount,
  MAX_LAYERS,
  MAX_PARAMETERS,
  MAX_ROTARY_TABLE_ELEMENTS,
} from './model-config.js';
export type { ModelConfig, ModelShape, ResolvedModelConfig, XlmModelConfig, Activation } from './model-config.js';
export { CheckpointError } from './state-dict.js';
export type { LoadStateDictOptions, LoadStateDictResult } from './state-dict.js';
export { ForwardInputError } from './forward-validation.js';
export { fetchCheckpoint } from './checkpoint-url.js';
export type { FetchCheckpointOptions } from './checkpoint-url.js';
export { SafetensorsError, SafetensorsFile, parseSafetensors, serializeSafetensors, tensorToFloat32, float32Tensor } from './safetensors.js';
export type { SafetensorsDtype, SafetensorsData, SafetensorsDataByDtype, SafetensorsTensor, SafetensorsInput } from './safetensors.js';
export { float16ToFloat32, bfloat16ToFloat32, float32ToFloat16, float32ToBfloat16 } from './float16.js';
// Importing xlm-core / PyTorch checkpoints from bytes (zip + restricted pickle; nothing is executed).
export { ZipArchiveError } from './zip-archive.js';
export { PickleError } from './restricted-unpickler.js';
export { parseTorchCheckpoint } from './torch-checkpoint.js';
export type { TorchCheckpoint } from './torch-checkpoint.js';
export { importXlmCoreCheckpoint, recordedDataset } from './xlm-core-checkpoint.js';
export type { ImportCheckpointOptions, ImportedCheckpoint } from './xlm-core-checkpoint.js';

// Components (register them in a ComponentRegistry of @mlm/components; the trainer does)
export { defaultMaxLength, modelComponents, rotaryTransformerComponent, rotaryTransformerOptionsSchema } from './model-component.js';
export type { RotaryTransformerOptions } from './model-component.js';
