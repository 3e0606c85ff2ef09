/**
 * A strict reader and a writer for the safetensors format (https://github.com/huggingface/safetensors):
 *
 *   [8 bytes: header length N, little-endian u64][N bytes: JSON header][data section]
 *
 * The header maps tensor names to `{dtype, shape, data_offsets: [begin, end]}` (offsets relative to
 * the data section) plus an optional `__metadata__` object of string → string.
 *
 * The reader trusts nothing: every field is checked, the tensors must tile the data section exactly
 * (no gaps, no overlaps), and no read ever leaves the buffer. Every problem is a `SafetensorsError`.
 * Byte order is little-endian, as the format prescribes (the reader decodes with DataView, so it is
 * correct on any host).
 */
import { bfloat16ToFloat32, float16ToFloat32 } from './float16.js';

/** Every safetensors problem (malformed file, bad tensor, writer misuse) is reported with this class. */
export class SafetensorsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SafetensorsError';
  }
}

export const SAFETENSORS_DTYPES = ['F64', 'F32', 'F16', 'BF16', 'I64', 'I32', 'I16', 'I8', 'U8', 'BOOL'] as const;
export type SafetensorsDtype = (typeof SAFETENSORS_DTYPES)[number];

/**
 * Typed array per dtype. F16 and BF16 hold their raw 16-bit patterns (use `tensorToFloat32` for values);
 * BOOL holds bytes 0/1.
 */
export interface SafetensorsDataByDtype {
  F64: Float64Array;
  F32: Float32Array;
  F16: Uint16Array;
  BF16: Uint16Array;
  I64: BigInt64Array;
  I32: Int32Array;
  I16: Int16Array;
  I8: Int8Array;
  U8: Uint8Array;
  BOOL: Uint8Array;
}

export type SafetensorsData = SafetensorsDataByDtype[SafetensorsDtype];

export interface SafetensorsTensor {
  dtype: SafetensorsDtype;
  /** Row-major (PyTorch) shape; `[]` for a scalar. */
  shape: number[];
  data: SafetensorsData;
}

/** The tensors of one file, in the order of their data offsets, with the file's `__metadata__`. */
export class SafetensorsFile extends Map<string, SafetensorsTensor> {
  metadata: Record<string, string> = {};
}

/** Largest header the reader accepts (the reference implementation uses the same bound). */
export const MAX_HEADER_BYTES = 100_000_000;

/** A typed-array class: built from a length or over a buffer; `BYTES_PER_ELEMENT` is the element size. */
interface ElementArrayType {
  new (length: number): SafetensorsData;
  new (buffer: ArrayBuffer): SafetensorsData;
  readonly BYTES_PER_ELEMENT: number;
  readonly name: string;
}

/**
 * The one dtype table (this reader and writer, and the PyTorch checkpoint reader): the typed array
 * that holds each dtype's elements; its `BYTES_PER_ELEMENT` is the dtype's size.
 */
const ARRAY_TYPE_BY_DTYPE: Record<SafetensorsDtype, ElementArrayType> = {
  F64: Float64Array,
  F32: Float32Array,
  F16: Uint16Array,
  BF16: Uint16Array,
  I64: BigInt64Array,
  I32: Int32Array,
  I16: Int16Array,
  I8: Int8Array,
  U8: Uint8Array,
  BOOL: Uint8Array,
};

/** The size in bytes of one element of `dtype`. */
export function bytesPerElement(dtype: SafetensorsDtype): number {
  return ARRAY_TYPE_BY_DTYPE[dtype].BYTES_PER_ELEMENT;
}

/** The elements of `dtype` stored in `buffer` (host byte order; see `LITTLE_ENDIAN_HOST`), without a copy. */
export function elementsOf(dtype: SafetensorsDtype, buffer: ArrayBuffer): SafetensorsData {
  return new ARRAY_TYPE_BY_DTYPE[dtype](buffer);
}

function isDtype(value: unknown): value is SafetensorsDtype {
  return typeof value === 'string' && (SAFETENSORS_DTYPES as readonly string[]).includes(value);
}

function describe(value: unknown): string {
  try {
    const text = JSON.stringify(value);
    if (text === undefined) return String(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
  } catch {
    return String(value);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Number of elements of a shape, or an error when it is not a list of non-negative safe integers. */
function elementCount(shape: unknown, where: string): number {
  if (!Array.isArray(shape)) throw new SafetensorsError(`${where}: "shape" must be an array of non-negative integers, got ${describe(shape)}`);
  let count = 1;
  for (const dimension of shape) {
    if (typeof dimension !== 'number' || !Number.isSafeInteger(dimension) || dimension < 0) {
      throw new SafetensorsError(`${where}: "shape" must be an array of non-negative integers, got ${describe(shape)}`);
    }
    count *= dimension;
    if (!Number.isSafeInteger(count)) throw new SafetensorsError(`${where}: shape ${describe(shape)} has too many elements`);
  }
  return count;
}

/** True on little-endian hosts (all mainstream ones): tensors are then copied byte-for-byte. */
export const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function decodeElements(dtype: SafetensorsDtype, view: DataView, offset: number, count: number): SafetensorsData {
  if (LITTLE_ENDIAN_HOST) {
    const start = view.byteOffset + offset;
    // slice() copies into a fresh, aligned buffer.
    return elementsOf(dtype, view.buffer.slice(start, start + count * bytesPerElement(dtype)) as ArrayBuffer);
  }
  switch (dtype) {
    case 'F64': {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(offset + 8 * i, true);
      return out;
    }
    case 'F32': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(offset + 4 * i, true);
      return out;
    }
    case 'F16':
    case 'BF16': {
      const out = new Uint16Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getUint16(offset + 2 * i, true);
      return out;
    }
    case 'I64': {
      const out = new BigInt64Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getBigInt64(offset + 8 * i, true);
      return out;
    }
    case 'I32': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt32(offset + 4 * i, true);
      return out;
    }
    case 'I16': {
      const out = new Int16Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt16(offset + 2 * i, true);
      return out;
    }
    case 'I8': {
      const out = new Int8Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt8(offset + i);
      return out;
    }
    case 'U8':
    case 'BOOL':
      return new Uint8Array(view.buffer.slice(view.byteOffset + offset, view.byteOffset + offset + count));
  }
}

interface HeaderEntry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  count: number;
  begin: number;
  end: number;
}

function parseHeaderEntry(name: string, value: unknown, dataLength: number): HeaderEntry {
  const where = `safetensors tensor ${JSON.stringify(name)}`;
  if (!isPlainObject(value)) throw new SafetensorsError(`${where}: expected an object {dtype, shape, data_offsets}, got ${describe(value)}`);
  for (const key of Object.keys(value)) {
    if (key !== 'dtype' && key !== 'shape' && key !== 'data_offsets') {
      throw new SafetensorsError(`${where}: unknown field ${JSON.stringify(key)} (expected only dtype, shape, data_offsets)`);
    }
  }
  const { dtype, shape, data_offsets: offsets } = value;
  if (!isDtype(dtype)) throw new SafetensorsError(`${where}: unknown dtype ${describe(dtype)} (expected one of ${SAFETENSORS_DTYPES.join(', ')})`);
  const count = elementCount(shape, where);
  if (
    !Array.isArray(offsets) ||
    offsets.length !== 2 ||
    !offsets.every((offset) => typeof offset === 'number' && Number.isSafeInteger(offset) && offset >= 0)
  ) {
    throw new SafetensorsError(`${where}: "data_offsets" must be [begin, end] with non-negative integers, got ${describe(offsets)}`);
  }
  const [begin, end] = offsets as [number, number];
  if (begin > end) throw new SafetensorsError(`${where}: data_offsets [${begin}, ${end}] end before they begin`);
  if (end > dataLength) {
    throw new SafetensorsError(`${where}: data_offsets [${begin}, ${end}] reach past the data section (${dataLength} bytes)`);
  }
  const expectedBytes = count * bytesPerElement(dtype);
  if (end - begin !== expectedBytes) {
    throw new SafetensorsError(
      `${where}: shape ${describe(shape)} of ${dtype} needs ${expectedBytes} bytes, but data_offsets [${begin}, ${end}] span ${end - begin}`,
    );
  }
  return { name, dtype, shape: [...(shape as number[])], count, begin, end };
}

/**
 * Parses a safetensors file held in memory. Returns the tensors (copied out of `bytes`, so the
 * buffer may be reused) in data order, and the `__metadata__` strings.
 */
export function parseSafetensors(bytes: Uint8Array): SafetensorsFile {
  if (!(bytes instanceof Uint8Array)) throw new SafetensorsError(`safetensors: expected a Uint8Array, got ${describe(bytes)}`);
  if (bytes.length < 8) throw new SafetensorsError(`safetensors: file is ${bytes.length} bytes, shorter than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const low = view.getUint32(0, true);
  const high = view.getUint32(4, true);
  const headerLength = high * 2 ** 32 + low;
  if (headerLength > MAX_HEADER_BYTES) {
    throw new SafetensorsError(`safetensors: header length ${headerLength} exceeds the limit of ${MAX_HEADER_BYTES} bytes`);
  }
  if (headerLength > bytes.length - 8) {
    throw new SafetensorsError(`safetensors: header length ${headerLength} exceeds the ${bytes.length - 8} bytes after the length field`);
  }
  let headerText: string;
  try {
    headerText = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength));
  } catch {
    throw new SafetensorsError('safetensors: the header is not valid UTF-8');
  }
  let header: unknown;
  try {
    header = JSON.parse(headerText);
  } catch (error) {
    throw new SafetensorsError(`safetensors: the header is not valid JSON (${(error as Error).message})`);
  }
  if (!isPlainObject(header)) throw new SafetensorsError(`safetensors: the header must be a JSON object, got ${describe(header)}`);

  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  const file = new SafetensorsFile();
  const entries: HeaderEntry[] = [];
  for (const [name, value] of Object.entries(header)) {
    if (name === '__metadata__') {
      if (!isPlainObject(value)) throw new SafetensorsError(`safetensors: "__metadata__" must be an object of strings, got ${describe(value)}`);
      for (const [key, text] of Object.entries(value)) {
        if (typeof text !== 'string') {
          throw new SafetensorsError(`safetensors: "__metadata__" value for ${JSON.stringify(key)} must be a string, got ${describe(text)}`);
        }
        file.metadata[key] = text;
      }
      continue;
    }
    entries.push(parseHeaderEntry(name, value, dataLength));
  }

  // The tensors must tile the data section exactly: sorted by offsets, each begins where the last ended.
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  for (const entry of entries) {
    if (entry.begin !== cursor) {
      throw new SafetensorsError(
        entry.begin < cursor
          ? `safetensors tensor ${JSON.stringify(entry.name)}: data_offsets [${entry.begin}, ${entry.end}] overlap the previous tensor (which ends at ${cursor})`
          : `safetensors tensor ${JSON.stringify(entry.name)}: data_offsets [${entry.begin}, ${entry.end}] leave a gap of ${entry.begin - cursor} bytes before it`,
      );
    }
    cursor = entry.end;
  }
  if (cursor !== dataLength) {
    throw new SafetensorsError(`safetensors: the tensors cover ${cursor} bytes but the data section holds ${dataLength}`);
  }

  for (const entry of entries) {
    file.set(entry.name, { dtype: entry.dtype, shape: entry.shape, data: decodeElements(entry.dtype, view, dataStart + entry.begin, entry.count) });
  }
  return file;
}

/** Tensors to write: a Map (keeps its order) or a plain object. */
export type SafetensorsInput = Map<string, SafetensorsTensor> | Record<string, SafetensorsTensor>;

function encodeElements(tensor: SafetensorsTensor, view: DataView, offset: number): void {
  const data = tensor.data;
  if (LITTLE_ENDIAN_HOST) {
    new Uint8Array(view.buffer, view.byteOffset + offset, data.byteLength).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    return;
  }
  switch (tensor.dtype) {
    case 'F64':
      for (let i = 0; i < data.length; i++) view.setFloat64(offset + 8 * i, data[i] as number, true);
      return;
    case 'F32':
      for (let i = 0; i < data.length; i++) view.setFloat32(offset + 4 * i, data[i] as number, true);
      return;
    case 'F16':
    case 'BF16':
      for (let i = 0; i < data.length; i++) view.setUint16(offset + 2 * i, data[i] as number, true);
      return;
    case 'I64':
      for (let i = 0; i < data.length; i++) view.setBigInt64(offset + 8 * i, data[i] as bigint, true);
      return;
    case 'I32':
      for (let i = 0; i < data.length; i++) view.setInt32(offset + 4 * i, data[i] as number, true);
      return;
    case 'I16':
      for (let i = 0; i < data.length; i++) view.setInt16(offset + 2 * i, data[i] as number, true);
      return;
    case 'I8':
      for (let i = 0; i < data.length; i++) view.setInt8(offset + i, data[i] as number);
      return;
    case 'U8':
    case 'BOOL':
      for (let i = 0; i < data.length; i++) view.setUint8(offset + i, data[i] as number);
      return;
  }
}

/**
 * Serialises tensors (in the given order) into the safetensors format. The header is padded with
 * spaces to a multiple of 8 bytes, as the reference writer does, so the data section is aligned.
 */
export function serializeSafetensors(tensors: SafetensorsInput, metadata?: Record<string, string>): Uint8Array {
  const list = tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors);
  const header: Record<string, unknown> = {};
  if (metadata !== undefined) {
    for (const [key, value] of Object.entries(metadata)) {
      if (typeof value !== 'string') throw new SafetensorsError(`safetensors metadata ${JSON.stringify(key)}: expected a string, got ${describe(value)}`);
    }
    header.__metadata__ = { ...metadata };
  }
  let offset = 0;
  for (const [name, tensor] of list) {
    const where = `safetensors tensor ${JSON.stringify(name)}`;
    if (name === '' || name === '__metadata__') throw new SafetensorsError(`${where}: invalid tensor name`);
    if (!isDtype(tensor.dtype)) throw new SafetensorsError(`${where}: unknown dtype ${describe(tensor.dtype)}`);
    const count = elementCount(tensor.shape, where);
    const ArrayType = ARRAY_TYPE_BY_DTYPE[tensor.dtype];
    if (!(tensor.data instanceof ArrayType)) {
      throw new SafetensorsError(`${where}: ${tensor.dtype} data must be a ${ArrayType.name}, got ${tensor.data?.constructor?.name ?? typeof tensor.data}`);
    }
    if (tensor.data.length !== count) {
      throw new SafetensorsError(`${where}: shape ${describe(tensor.shape)} has ${count} elements but the data holds ${tensor.data.length}`);
    }
    const size = count * bytesPerElement(tensor.dtype);
    header[name] = { dtype: tensor.dtype, shape: [...tensor.shape], data_offsets: [offset, offset + size] };
    offset += size;
  }
  const encoded = new TextEncoder().encode(JSON.stringify(header));
  const paddedLength = Math.ceil(encoded.length / 8) * 8;
  const bytes = new Uint8Array(8 + paddedLength + offset);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, paddedLength % 2 ** 32, true);
  view.setUint32(4, Math.floor(paddedLength / 2 ** 32), true);
  bytes.set(encoded, 8);
  bytes.fill(0x20, 8 + encoded.length, 8 + paddedLength);
  let cursor = 8 + paddedLength;
  for (const [, tensor] of list) {
    encodeElements(tensor, view, cursor);
    cursor += tensor.data.length * bytesPerElement(tensor.dtype);
  }
  return bytes;
}

/**
 * The values of a floating-point tensor as float32 (F32 as is, F64 rounded, F16/BF16 decoded).
 * Integer and boolean tensors are rejected: a model weight must be floating point.
 */
export function tensorToFloat32(tensor: SafetensorsTensor, name = 'tensor'): Float32Array {
  switch (tensor.dtype) {
    case 'F32':
      return tensor.data as Float32Array;
    case 'F64':
      return Float32Array.from(tensor.data as Float64Array);
    case 'F16':
      return float16ToFloat32(tensor.data as Uint16Array);
    case 'BF16':
      return bfloat16ToFloat32(tensor.data as Uint16Array);
    default:
      throw new SafetensorsError(`${name}: expected a floating-point tensor (F32, F16, BF16 or F64), got ${tensor.dtype}`);
  }
}

/** An F32 tensor description (a convenience for writers). */
export function float32Tensor(data: Float32Array, shape: number[]): SafetensorsTensor {
  return { dtype: 'F32', shape: [...shape], data };
}
