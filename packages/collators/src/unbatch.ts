/**
 * xlm-core `unbatch` / `iter_unbatch` (mlm/unbatch.py): split a dict of batched fields into one dict
 * per example. Batched values are arrays, typed arrays, `{ data, shape }` matrices (`IntMatrix`,
 * `BoolMatrix`, `BoolCube`) or tensors (anything with `shape` and `arraySync()`); a taken row is
 * converted to plain (nested) arrays, as `.tolist()` does. Strings are indexed by character (as in
 * Python). Values that cannot be indexed (null, numbers, index out of range) are copied whole to
 * every item when `broadcastNonSliceable` is true, otherwise a TypeError is raised.
 */

export interface UnbatchOptions {
  /** The axis to split along. Default 0. */
  dim?: number;
  /** Every value with a known batch length must have exactly `length` items. Default false. */
  strict?: boolean;
  /** Copy values that cannot be indexed to every item. Default false for `iterUnbatch`, true for `unbatch`. */
  broadcastNonSliceable?: boolean;
}

interface ShapedData {
  data: ArrayLike<number>;
  shape: readonly number[];
}

function isShapedData(value: unknown): value is ShapedData {
  return (
    typeof value === 'object' &&
    value !== null &&
    Array.isArray((value as ShapedData).shape) &&
    ArrayBuffer.isView((value as ShapedData).data)
  );
}

function isTensorLike(value: unknown): value is { shape: number[]; arraySync(): unknown } {
  return typeof value === 'object' && value !== null && Array.isArray((value as { shape?: unknown }).shape) && typeof (value as { arraySync?: unknown }).arraySync === 'function';
}

function isSequence(value: unknown): value is ArrayLike<unknown> {
  return Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView));
}

/** Nested arrays of a `{ data, shape }` value. */
function shapedToArrays(data: ArrayLike<number>, shape: readonly number[], offset = 0): unknown {
  if (shape.length === 0) return data[offset];
  const [size, ...rest] = shape as [number, ...number[]];
  const stride = rest.reduce((a, b) => a * b, 1);
  return Array.from({ length: size }, (_, i) => shapedToArrays(data, rest, offset + i * stride));
}

function normalise(value: unknown): unknown {
  if (isShapedData(value)) return shapedToArrays(value.data, value.shape);
  if (isTensorLike(value)) return value.arraySync();
  return value;
}

/** xlm-core `_infer_batch_len`: the size along `dim`, or undefined (strings and scalars have none). */
export function inferBatchLength(value: unknown, dim = 0): number | undefined {
  if (isShapedData(value) || isTensorLike(value)) return value.shape[dim];
  if (typeof value === 'string' || !isSequence(value)) return undefined;
  let current: unknown = value;
  for (let d = 0; d < dim; d++) {
    if (!isSequence(current) || current.length === 0) return undefined;
    current = current[0];
  }
  return isSequence(current) ? current.length : undefined;
}

const NOT_INDEXABLE = Symbol('not indexable');

function toPlain(value: unknown): unknown {
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return Array.from(value as unknown as ArrayLike<number>);
  if (Array.isArray(value)) return value.map(toPlain);
  return value;
}

/** xlm-core `_take`: item `i` along `dim`, or NOT_INDEXABLE. */
function take(value: unknown, i: number, dim: number): unknown {
  if (typeof value === 'string') return dim === 0 && i < value.length ? value[i] : NOT_INDEXABLE;
  if (!isSequence(value)) return NOT_INDEXABLE;
  if (dim === 0) return i < value.length ? toPlain(value[i]) : NOT_INDEXABLE;
  const items: unknown[] = [];
  for (let k = 0; k < value.length; k++) {
    const taken = take(value[k], i, dim - 1);
    if (taken === NOT_INDEXABLE) return NOT_INDEXABLE;
    items.push(taken);
  }
  return items;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'Array';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object';
  return typeof value;
}

/** xlm-core `iter_unbatch`: yields one record per example (defaults: dim 0, not strict, no broadcast). */
export function* iterUnbatch<T extends Record<string, unknown>>(batch: T, length: number, options: UnbatchOptions = {}): Generator<Record<keyof T, unknown>> {
  const dim = options.dim ?? 0;
  const broadcast = options.broadcastNonSliceable ?? false;
  if (!Number.isInteger(length) || length < 0) throw new Error(`iterUnbatch: length = ${length}, expected a non-negative integer`);
  if (options.strict) {
    for (const [key, value] of Object.entries(batch)) {
      const batchLength = inferBatchLength(value, dim);
      if (batchLength !== undefined && typeof value !== 'string' && batchLength !== length) {
        throw new Error(`Field '${key}' has batch length ${batchLength} along dim=${dim}, expected ${length}.`);
      }
    }
  }
  const normalised = Object.entries(batch).map(([key, value]) => [key, value, normalise(value)] as const);
  for (let i = 0; i < length; i++) {
    const item: Record<string, unknown> = {};
    for (const [key, original, value] of normalised) {
      const taken = take(value, i, dim);
      if (taken !== NOT_INDEXABLE) item[key] = taken;
      else if (broadcast) item[key] = original;
      else {
        throw new TypeError(`Field '${key}' of type ${typeName(original)} could not be indexed at i=${i}. Consider setting broadcastNonSliceable=true.`);
      }
    }
    yield item as Record<keyof T, unknown>;
  }
}

/** xlm-core `unbatch`: the list of `iterUnbatch` items (default `broadcastNonSliceable: true`). */
export function unbatch<T extends Record<string, unknown>>(batch: T, length: number, options: UnbatchOptions = {}): Record<keyof T, unknown>[] {
  return [...iterUnbatch(batch, length, { broadcastNonSliceable: true, ...options })];
}
