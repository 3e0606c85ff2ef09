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
export { readSafetensorsFile, writeSafetensorsFile, writeFileAtomic } from './safetensors-file.js';
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
