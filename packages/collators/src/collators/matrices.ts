import type { BoolCube, BoolMatrix, IntMatrix } from '@mlm/types';

export function intMatrix(rows: number, columns: number, fill = 0): IntMatrix {
  const data = new Int32Array(rows * columns);
  if (fill !== 0) data.fill(fill);
  return { data, shape: [rows, columns] };
}

export function boolMatrix(rows: number, columns: number, fill = false): BoolMatrix {
  const data = new Uint8Array(rows * columns);
  if (fill) data.fill(1);
  return { data, shape: [rows, columns] };
}

export function boolCube(batch: number, queries: number, keys: number): BoolCube {
  return { data: new Uint8Array(batch * queries * keys), shape: [batch, queries, keys] };
}

/** Row `b` of a matrix as a plain array (for printing and tests). */
export function matrixRow(matrix: IntMatrix | BoolMatrix, b: number): number[] {
  const [, columns] = matrix.shape;
  return Array.from(matrix.data.subarray(b * columns, (b + 1) * columns));
}

/** A matrix as nested arrays (for printing and tests). */
export function matrixToArrays(matrix: IntMatrix | BoolMatrix): number[][] {
  return Array.from({ length: matrix.shape[0] }, (_, b) => matrixRow(matrix, b));
}

/** Concatenates two matrices with the same number of rows along the columns. */
export function concatColumns<T extends IntMatrix | BoolMatrix>(left: T, right: T): T {
  const [rows, leftColumns] = left.shape;
  const [rightRows, rightColumns] = right.shape;
  if (rows !== rightRows) throw new Error(`concatColumns: ${rows} rows vs ${rightRows} rows`);
  const columns = leftColumns + rightColumns;
  const data = new (left.data.constructor as Int32ArrayConstructor | Uint8ArrayConstructor)(rows * columns);
  for (let b = 0; b < rows; b++) {
    data.set(left.data.subarray(b * leftColumns, (b + 1) * leftColumns), b * columns);
    data.set(right.data.subarray(b * rightColumns, (b + 1) * rightColumns), b * columns + leftColumns);
  }
  return { data, shape: [rows, columns] } as unknown as T;
}
