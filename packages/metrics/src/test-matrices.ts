import type { BoolMatrix, IntMatrix } from '@mlm/types';

/** Test helper: rows of numbers → IntMatrix. */
export function ints(rows: number[][]): IntMatrix {
  const columns = rows[0]?.length ?? 0;
  return { data: Int32Array.from(rows.flat()), shape: [rows.length, columns] };
}

/** Test helper: rows of booleans → BoolMatrix. */
export function bools(rows: boolean[][]): BoolMatrix {
  const columns = rows[0]?.length ?? 0;
  return { data: Uint8Array.from(rows.flat().map(Number)), shape: [rows.length, columns] };
}

export function rows(matrix: { data: ArrayLike<number>; shape: readonly [number, number] }): number[][] {
  const [b, l] = matrix.shape;
  return Array.from({ length: b }, (_, i) => Array.from({ length: l }, (_, j) => matrix.data[i * l + j] as number));
}
