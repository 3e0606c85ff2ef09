import type { BoolMatrix, IntMatrix } from '@mlm/types';

/** A [B, L] matrix of any element kind (ids or 0/1 flags). */
export type AnyMatrix = IntMatrix | BoolMatrix;

/** Throws a clear error unless `value` looks like a [B, L] matrix of plain typed data. */
export function assertMatrix(value: unknown, field: string): asserts value is AnyMatrix {
  const matrix = value as Partial<AnyMatrix> | null | undefined;
  if (
    matrix === null ||
    typeof matrix !== 'object' ||
    !Array.isArray(matrix.shape) ||
    matrix.shape.length !== 2 ||
    matrix.data === undefined ||
    typeof (matrix.data as ArrayLike<number>).length !== 'number'
  ) {
    throw new Error(`${field}: expected a [B, L] matrix {data, shape: [B, L]}, got ${describe(value)}`);
  }
  const [rows, columns] = matrix.shape as [number, number];
  if (matrix.data.length !== rows * columns) {
    throw new Error(`${field}: data has ${matrix.data.length} entries, expected ${rows}·${columns} = ${rows * columns} for shape [${rows}, ${columns}]`);
  }
}

/** Columns `[start, end)` of an id matrix, as a new matrix (like `ids[:, start:end]`). */
export function sliceColumns(matrix: IntMatrix, start: number, end: number = matrix.shape[1]): IntMatrix {
  const [rows, columns] = matrix.shape;
  const from = Math.max(0, Math.min(columns, start));
  const to = Math.max(from, Math.min(columns, end));
  const width = to - from;
  const data = new Int32Array(rows * width);
  for (let b = 0; b < rows; b++) data.set(matrix.data.subarray(b * columns + from, b * columns + to), b * width);
  return { data, shape: [rows, width] };
}

/** A [B, L] matrix of `true`. */
export function allTrue(rows: number, columns: number): BoolMatrix {
  return { data: new Uint8Array(rows * columns).fill(1), shape: [rows, columns] };
}

export function sameShape(a: AnyMatrix, b: AnyMatrix): boolean {
  return a.shape[0] === b.shape[0] && a.shape[1] === b.shape[1];
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'object') {
    const shape = (value as { shape?: unknown }).shape;
    return Array.isArray(shape) ? `an object of shape [${shape.join(', ')}]` : `an object with keys {${Object.keys(value).join(', ')}}`;
  }
  return `${typeof value} ${String(value)}`;
}
