export {
  SafetensorsError,
  SafetensorsFile,
  SAFETENSORS_DTYPES,
  MAX_HEADER_BYTES,
  bytesPerElement,
  parseSafetensors,
  serializeSafetensors,
  tensorToFloat32,
  float32Tensor,
} from './safetensors.js';
export type { SafetensorsDtype, SafetensorsData, SafetensorsDataByDtype, SafetensorsTensor, SafetensorsInput } from './safetensors.js';
export {
  float16BitsToNumber,
  numberToFloat16Bits,
  bfloat16BitsToNumber,
  numberToBfloat16Bits,
  float16ToFloat32,
  bfloat16ToFloat32,
  float32ToFloat16,
  float32ToBfloat16,
} from './float16.js';
export {
  RotaryTransformerMLMModel,
  createRotaryTransformerMLMModel,
  MASKED_SCORE,
} from './rotary-transformer-mlm-model.js';
export type { CreateModelOptions } from './rotary-transformer-mlm-model.js';
export {
  ModelConfigError,
  resolveModelConfig,
  modelConfigFromXlm,
  modelConfigToXlm,
  effectivePaddingIndex,
  XLM_CONFIG_NAMES,
  MAX_LAYERS,
  MAX_PARAMETERS,
  MAX_ROTARY_TABLE_ELEMENTS,
  parameterCount,
} from './model-config.js';
export type { ModelConfig, ResolvedModelConfig, XlmModelConfig, Activation } from './model-config.js';
export { CheckpointError, prepareStateDict, INVERSE_FREQUENCY_TOLERANCE } from './state-dict.js';
export type { LoadStateDictOptions, LoadStateDictResult, PreparedStateDict } from './state-dict.js';
export { ForwardInputError } from './forward-validation.js';
export { RotaryEmbedding, rotaryInverseFrequencies } from './rotary-embedding.js';
export type { RotaryEmbeddingOptions } from './rotary-embedding.js';
export { parameterSpecs, isWeightDecayed, inverseFrequencyKey } from './parameter-layout.js';
export type { ParameterSpec } from './parameter-layout.js';
export { initialParameterValues } from './parameter-initialization.js';
export { gatherRows, layerNorm, geluTanh } from './tensor-functions.js';
export { mergeShards, CONFIG_FILE, WEIGHTS_FILE, WEIGHTS_INDEX_FILE } from './checkpoint-shards.js';
export { fetchCheckpoint } from './checkpoint-url.js';
export type { FetchCheckpointOptions } from './checkpoint-url.js';
