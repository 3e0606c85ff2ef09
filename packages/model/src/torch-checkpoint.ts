/**
 * Reading PyTorch checkpoints without PyTorch and without running their pickles (browser-safe: bytes
 * in, tensors out). Handles what `torch.save` writes since PyTorch 1.6 — a zip of `<name>/data.pkl`
 * (the pickled object) and `<name>/data/<key>` (one raw little-endian storage per key) — which covers
 * Lightning `.ckpt` files, `.pth` files and Hugging Face `pytorch_model.bin`.
 *
 * Only the globals a checkpoint of state dicts needs are accepted (see `TORCH_CHECKPOINT_GLOBALS`);
 * anything else (an optimizer class, an OmegaConf container, a custom object) is a `PickleError`
 * naming the global.
 */
import { PickleGlobalReference, unpickle, type PickleGlobal, type PickleValue } from './restricted-unpickler.js';
import { LITTLE_ENDIAN_HOST, bytesPerElement, elementsOf, type SafetensorsDtype, type SafetensorsTensor } from './safetensors.js';
import { CheckpointError } from './state-dict.js';
import { readZipArchive, ZipArchiveError } from './zip-archive.js';

/** torch's legacy typed-storage classes (how `torch.save` names a storage's dtype) → safetensors dtype. */
const STORAGE_DTYPES: Record<string, SafetensorsDtype> = {
  'torch.FloatStorage': 'F32',
  'torch.DoubleStorage': 'F64',
  'torch.HalfStorage': 'F16',
  'torch.BFloat16Storage': 'BF16',
  'torch.LongStorage': 'I64',
  'torch.IntStorage': 'I32',
  'torch.ShortStorage': 'I16',
  'torch.CharStorage': 'I8',
  'torch.ByteStorage': 'U8',
  'torch.BoolStorage': 'BOOL',
};

/** A tensor found in the pickle: a strided view of one storage (its bytes are copied out on demand). */
export class TorchTensorReference {
  constructor(
    readonly dtype: SafetensorsDtype,
    readonly shape: readonly number[],
    readonly stride: readonly number[],
    readonly storageOffset: number,
    readonly storage: TorchStorageReference,
  ) {}
}

export interface TorchStorageReference {
  key: string;
  dtype: SafetensorsDtype;
  /** Elements in the storage. */
  size: number;
  bytes: Uint8Array;
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function rebuildTensor(args: readonly PickleValue[]): TorchTensorReference {
  const [storage, storageOffset, size, stride] = args;
  if (!(args.length >= 4)) throw new Error(`expected at least 4 arguments (storage, offset, size, stride), got ${args.length}`);
  if (typeof storage !== 'object' || storage === null || !('bytes' in storage)) throw new Error('argument 1 is not a storage');
  if (!isCount(storageOffset)) throw new Error(`storage offset ${String(storageOffset)} is not a non-negative integer`);
  if (!Array.isArray(size) || !size.every(isCount)) throw new Error(`size ${String(size)} is not a tuple of non-negative integers`);
  if (!Array.isArray(stride) || stride.length !== size.length || !stride.every(isCount)) throw new Error(`stride ${String(stride)} does not match size ${String(size)}`);
  const reference = storage as TorchStorageReference;
  // The last element the view touches must lie inside the storage.
  let elements = 1;
  let lastIndex = storageOffset;
  for (let i = 0; i < size.length; i++) {
    elements *= size[i] as number;
    if (!Number.isSafeInteger(elements)) throw new Error(`size [${size.join(', ')}] has too many elements`);
    if ((size[i] as number) > 0) lastIndex += ((size[i] as number) - 1) * (stride[i] as number);
  }
  if (elements > 0 && lastIndex >= reference.size) {
    throw new Error(`a tensor of size [${size.join(', ')}] with stride [${stride.join(', ')}] at offset ${storageOffset} reaches element ${lastIndex} of a ${reference.size}-element storage`);
  }
  return new TorchTensorReference(reference.dtype, [...(size as number[])], [...(stride as number[])], storageOffset, reference);
}

const orderedDict: PickleGlobal = (args) => {
  const out = new Map<PickleValue, PickleValue>();
  if (args.length === 0) return out;
  const items = args[0];
  if (!Array.isArray(items)) throw new Error('expected a list of (key, value) pairs');
  for (const pair of items) {
    if (!Array.isArray(pair) || pair.length !== 2) throw new Error('expected (key, value) pairs');
    out.set(pair[0], pair[1]);
  }
  return out;
};

const storageClass: PickleGlobal = (_args, name) => {
  throw new Error(`${name} may name a storage's dtype but is never called in a checkpoint`);
};

/**
 * The allow-list: the tensor rebuild functions (values only: hooks and `requires_grad` are ignored),
 * storage dtype names, OrderedDict, torch.Size, and the harmless builtins Lightning checkpoints contain
 * (set, frozenset, and `_codecs.encode` which protocol 2 uses to write bytes).
 */
export const TORCH_CHECKPOINT_GLOBALS: Readonly<Record<string, PickleGlobal>> = {
  'torch._utils._rebuild_tensor_v2': rebuildTensor,
  'torch._utils._rebuild_parameter': (args) => {
    if (!(args[0] instanceof TorchTensorReference)) throw new Error('argument 1 is not a tensor');
    return args[0];
  },
  'torch._utils._rebuild_parameter_with_state': (args) => {
    if (!(args[0] instanceof TorchTensorReference)) throw new Error('argument 1 is not a tensor');
    return args[0];
  },
  'collections.OrderedDict': orderedDict,
  'torch.Size': (args) => {
    const dims = args[0];
    if (!Array.isArray(dims) || !dims.every(isCount)) throw new Error('expected a tuple of non-negative integers');
    return Object.freeze([...dims]);
  },
  'builtins.set': (args) => new Set(args.length === 0 ? [] : (args[0] as Iterable<PickleValue>)),
  'builtins.frozenset': (args) => Object.freeze(new Set(args.length === 0 ? [] : (args[0] as Iterable<PickleValue>))),
  '_codecs.encode': (args) => {
    const [text, encoding] = args;
    if (typeof text !== 'string' || encoding !== 'latin1') throw new Error('only _codecs.encode(str, "latin1") (how protocol 2 writes bytes) is accepted');
    const out = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code > 0xff) throw new Error('character outside latin-1');
      out[i] = code;
    }
    return out;
  },
  ...Object.fromEntries(Object.keys(STORAGE_DTYPES).map((name) => [name, storageClass])),
};

export interface TorchCheckpoint {
  /** The unpickled object (dicts are Maps; tensors are `TorchTensorReference`s). */
  root: PickleValue;
  source: string;
}

/** Parses a `torch.save` zip archive. Legacy (pre-1.6, non-zip) files are refused with a clear error. */
export function parseTorchCheckpoint(bytes: Uint8Array, source = 'checkpoint'): TorchCheckpoint {
  if (bytes.length >= 2 && bytes[0] === 0x80 && bytes[1] !== undefined && bytes[1] <= 5) {
    throw new ZipArchiveError(`${source}: a legacy (PyTorch < 1.6, non-zip) checkpoint; re-save it with torch.save(obj, path) on PyTorch ≥ 1.6`);
  }
  const entries = readZipArchive(bytes, source);
  const pickles = [...entries.keys()].filter((name) => name === 'data.pkl' || name.endsWith('/data.pkl'));
  if (pickles.length !== 1) {
    throw new ZipArchiveError(`${source}: expected one <name>/data.pkl entry (a torch.save archive), found ${pickles.length === 0 ? 'none' : pickles.map((name) => JSON.stringify(name)).join(', ')}`);
  }
  const prefix = (pickles[0] as string).slice(0, -'data.pkl'.length);
  const byteOrder = entries.get(`${prefix}byteorder`);
  if (byteOrder && new TextDecoder().decode(byteOrder).trim() !== 'little') {
    throw new ZipArchiveError(`${source}: storages are ${new TextDecoder().decode(byteOrder).trim()}-endian; only little-endian checkpoints are supported`);
  }
  const storages = new Map<string, TorchStorageReference>();
  const persistentLoad = (id: PickleValue): PickleValue => {
    if (!Array.isArray(id) || id.length !== 5 || id[0] !== 'storage') throw new Error(`persistent id ${String(id)} is not ('storage', type, key, location, size)`);
    const [, type, key, , size] = id;
    if (!(type instanceof PickleGlobalReference) || !(type.name in STORAGE_DTYPES)) throw new Error('the storage type is not a known torch storage class');
    if (typeof key !== 'string' || !isCount(size)) throw new Error('bad storage key or size');
    const dtype = STORAGE_DTYPES[type.name] as SafetensorsDtype;
    const existing = storages.get(key);
    if (existing) {
      if (existing.dtype !== dtype) throw new Error(`storage ${key} is used as ${existing.dtype} and ${dtype}`);
      return existing;
    }
    const data = entries.get(`${prefix}data/${key}`);
    if (!data) throw new Error(`storage ${key}: no ${prefix}data/${key} entry in the archive`);
    if (data.length !== size * bytesPerElement(dtype)) {
      throw new Error(`storage ${key}: ${data.length} bytes, but ${size} ${dtype} elements need ${size * bytesPerElement(dtype)}`);
    }
    const reference = { key, dtype, size, bytes: data };
    storages.set(key, reference);
    return reference;
  };
  const root = unpickle(entries.get(pickles[0] as string)!, { globals: TORCH_CHECKPOINT_GLOBALS, persistentLoad, source: `${source}: ${pickles[0]}` });
  return { root, source };
}

/** Copies a tensor's elements out of its storage into a contiguous row-major safetensors tensor. */
export function materializeTensor(tensor: TorchTensorReference): SafetensorsTensor {
  if (!LITTLE_ENDIAN_HOST) throw new CheckpointError('reading PyTorch checkpoints needs a little-endian host');
  const width = bytesPerElement(tensor.dtype);
  const count = tensor.shape.reduce((a, b) => a * b, 1);
  const out = new Uint8Array(count * width);
  const source = tensor.storage.bytes;
  // Contiguous: one copy.
  let contiguous = true;
  let expected = 1;
  for (let i = tensor.shape.length - 1; i >= 0; i--) {
    if ((tensor.shape[i] as number) !== 1 && tensor.stride[i] !== expected) contiguous = false;
    expected *= tensor.shape[i] as number;
  }
  if (contiguous) {
    out.set(source.subarray(tensor.storageOffset * width, (tensor.storageOffset + count) * width));
  } else {
    const index = new Array<number>(tensor.shape.length).fill(0);
    for (let n = 0; n < count; n++) {
      let element = tensor.storageOffset;
      for (let d = 0; d < index.length; d++) element += (index[d] as number) * (tensor.stride[d] as number);
      out.set(source.subarray(element * width, (element + 1) * width), n * width);
      for (let d = index.length - 1; d >= 0; d--) {
        index[d] = (index[d] as number) + 1;
        if ((index[d] as number) < (tensor.shape[d] as number)) break;
        index[d] = 0;
      }
    }
  }
  return { dtype: tensor.dtype, shape: [...tensor.shape], data: elementsOf(tensor.dtype, out.buffer) };
}

/** A pickled value as JSON (dict keys as strings; tensors as a short description). */
export function pickleValueToJson(value: PickleValue, depth = 0): unknown {
  // Pickles can nest without bound or refer to themselves through the memo: stop at a fixed depth.
  if (depth > 64) throw new CheckpointError('a pickled value nests more than 64 levels deep (or refers to itself)');
  const next = (item: PickleValue) => pickleValueToJson(item, depth + 1);
  if (value instanceof TorchTensorReference) return `<tensor ${value.dtype} [${value.shape.join(', ')}]>`;
  if (value instanceof Map) return Object.fromEntries([...value.entries()].map(([key, item]) => [String(key), next(item)]));
  if (value instanceof Set) return [...value].map(next);
  if (Array.isArray(value)) return value.map(next);
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return `<${value.length} bytes>`;
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return value;
}


