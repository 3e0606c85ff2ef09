/** xlm-core `unbatch.py`: split a dict of batched fields into one record per example. */

export interface UnbatchOptions {
  /** The batch axis of matrix fields. Default 0. */
  dim?: number;
  /** Every field with a batch length must have exactly `length` items. Default false. */
  strict?: boolean;
  /** Copy values that cannot be indexed (null, numbers, …) to every record instead of failing. */
  broadcastNonSliceable?: boolean;
}

interface MatrixLike {
  data: ArrayLike<number>;
  shape: readonly number[];
}

function isMatrix(value: unknown): value is MatrixLike {
  return (
    value !== null &&
    typeof value === 'object' &&
    Array.isArray((value as MatrixLike).shape) &&
    typeof (value as MatrixLike).data === 'object' &&
    typeof (value as MatrixLike).data?.length === 'number'
  );
}

/** The batch length of a value along `dim`: a matrix's shape, a (non-string) sequence's length, else undefined. */
export function inferBatchLength(value: unknown, dim = 0): number | undefined {
  if (isMatrix(value)) return value.shape[dim];
  if (Array.isArray(value) || ArrayBuffer.isView(value)) return (value as ArrayLike<unknown>).length;
  return undefined;
}

const NOT_TAKEN = Symbol('not taken');

function take(value: unknown, index: number, dim: number): unknown {
  if (isMatrix(value)) {
    const shape = value.shape;
    if (dim >= shape.length || index < 0 || index >= (shape[dim] as number)) return NOT_TAKEN;
    if (shape.length === 1) return value.data[index];
    if (shape.length !== 2) return NOT_TAKEN;
    const [rows, columns] = shape as [number, number];
    return dim === 0
      ? Array.from({ length: columns }, (_, j) => value.data[index * columns + j])
      : Array.from({ length: rows }, (_, r) => value.data[r * columns + index]);
  }
  if (typeof value === 'string' || Array.isArray(value) || ArrayBuffer.isView(value)) {
    if (dim !== 0) return NOT_TAKEN;
    const sequence = value as ArrayLike<unknown>;
    return index >= 0 && index < sequence.length ? sequence[index] : NOT_TAKEN;
  }
  return NOT_TAKEN;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'Array';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object';
  return typeof value;
}

/**
 * Yields one record per example: matrices give their row (or column for `dim = 1`) as a plain array,
 * arrays their element, strings their character (as xlm-core: a string field is indexed, not copied),
 * and values that cannot be indexed are copied when `broadcastNonSliceable` (default false here, true
 * in `unbatch`), else a TypeError names the field.
 */
export function* iterUnbatch(
  batch: Record<string, unknown>,
  length: number,
  { dim = 0, strict = false, broadcastNonSliceable = false }: UnbatchOptions = {},
): Generator<Record<string, unknown>> {
  if (strict) {
    for (const [key, value] of Object.entries(batch)) {
      const n = inferBatchLength(value, dim);
      if (n !== undefined && n !== length) {
        throw new Error(`Field '${key}' has batch length ${n} along dim=${dim}, expected ${length}.`);
      }
    }
  }
  for (let i = 0; i < length; i++) {
    const record: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(batch)) {
      const item = take(value, i, dim);
      if (item !== NOT_TAKEN) {
        record[key] = item;
      } else if (broadcastNonSliceable) {
        record[key] = value;
      } else {
        throw new TypeError(`Field '${key}' of type ${typeName(value)} could not be indexed at i=${i}. Consider setting broadcastNonSliceable=true.`);
      }
    }
    yield record;
  }
}

/** `[...iterUnbatch(batch, length, options)]` with `broadcastNonSliceable` defaulting to true. */
export function unbatch(batch: Record<string, unknown>, length: number, options: UnbatchOptions = {}): Record<string, unknown>[] {
  return [...iterUnbatch(batch, length, { broadcastNonSliceable: true, ...options })];
}
