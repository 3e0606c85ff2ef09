/**
 * The shapes and loops shared by the fused rotary kernels (`MlmRotaryApply`, `MlmRotaryApplyGrad`) on
 * every backend that runs them in JavaScript (cpu, and wasm without the native addon).
 *
 * x (or dy) is [G, H, …, D]; the tables cos and sin are [G, 1 or H, …, D]. Each output element is two
 * float32 products and one float32 sum, in the order of the composed ops (x ⊙ cos + rotateHalf(x) ⊙ sin),
 * so the results equal them bit for bit: a product of two float32 values is exact in float64 and
 * `Math.fround` rounds it once; the float64 sum of two float32 values rounded to float32 (by the store
 * into a Float32Array) is the float32 sum (float64 has more than 2·24 + 2 bits, so the double rounding
 * is harmless).
 */

export interface RotaryLayout {
  /** G: leading axis (the stacked q, k, v). */
  groups: number;
  /** H: axis 1 of x. */
  heads: number;
  /** 1 (tables broadcast over heads) or H. */
  tableHeads: number;
  /** Product of the axes between axis 1 and the last. */
  rows: number;
  /** D: the last axis. */
  dim: number;
  /** r: rotated features (even, ≤ D). */
  rotaryDim: number;
  /** Elements of x. */
  size: number;
}

function shapeText(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** Checks the inputs of a rotary kernel; errors name the kernel, the input, its value and what was expected. */
export function rotaryLayout(
  kernelName: string,
  xName: string,
  xShape: readonly number[],
  cosShape: readonly number[],
  sinShape: readonly number[],
  rotaryDim: unknown,
): RotaryLayout {
  if (xShape.length < 3) throw new Error(`${kernelName}: ${xName} shape ${shapeText(xShape)}: expected rank >= 3 ([G, H, …, D])`);
  const rank = xShape.length;
  for (const [name, shape] of [['cos', cosShape], ['sin', sinShape]] as const) {
    const matches = shape.length === rank && shape.every((dim, axis) => dim === xShape[axis] || (axis === 1 && dim === 1));
    if (!matches) {
      throw new Error(`${kernelName}: ${name} shape ${shapeText(shape)}: expected ${xName}'s shape ${shapeText(xShape)} with axis 1 equal to 1 or ${xShape[1]}`);
    }
  }
  if (cosShape[1] !== sinShape[1]) throw new Error(`${kernelName}: cos shape ${shapeText(cosShape)} and sin shape ${shapeText(sinShape)}: expected the same shape`);
  const dim = xShape[rank - 1]!;
  if (typeof rotaryDim !== 'number' || !Number.isInteger(rotaryDim) || rotaryDim < 0 || rotaryDim % 2 !== 0 || rotaryDim > dim) {
    throw new Error(`${kernelName}: rotaryDim = ${String(rotaryDim)}: expected an even integer in [0, ${dim}] (the last axis of ${xName})`);
  }
  let rows = 1;
  for (let axis = 2; axis < rank - 1; axis++) rows *= xShape[axis]!;
  const [groups, heads] = [xShape[0]!, xShape[1]!];
  return { groups, heads, tableHeads: cosShape[1]!, rows, dim, rotaryDim, size: groups * heads * rows * dim };
}

/** out = x ⊙ cos + rotateHalf(x) ⊙ sin. */
export function rotaryForward(x: Float32Array, cos: Float32Array, sin: Float32Array, out: Float32Array, layout: RotaryLayout): void {
  const { groups, heads, tableHeads, rows, dim, rotaryDim } = layout;
  const half = rotaryDim / 2;
  const f = Math.fround;
  for (let group = 0; group < groups; group++) {
    for (let head = 0; head < heads; head++) {
      const tableHead = tableHeads === 1 ? 0 : head;
      for (let row = 0; row < rows; row++) {
        const base = ((group * heads + head) * rows + row) * dim;
        const table = ((group * tableHeads + tableHead) * rows + row) * dim;
        for (let j = 0; j < half; j++) out[base + j] = f(x[base + j]! * cos[table + j]!) + f(-x[base + j + half]! * sin[table + j]!);
        for (let j = half; j < rotaryDim; j++) out[base + j] = f(x[base + j]! * cos[table + j]!) + f(x[base + j - half]! * sin[table + j]!);
        for (let j = rotaryDim; j < dim; j++) out[base + j] = f(x[base + j]! * cos[table + j]!) + f(0 * sin[table + j]!);
      }
    }
  }
}

/** dx = dy ⊙ cos − rotateHalf(dy ⊙ sin) (rotateHalf's matrix is skew-symmetric on the first r features). */
export function rotaryBackward(dy: Float32Array, cos: Float32Array, sin: Float32Array, out: Float32Array, layout: RotaryLayout): void {
  const { groups, heads, tableHeads, rows, dim, rotaryDim } = layout;
  const half = rotaryDim / 2;
  const f = Math.fround;
  for (let group = 0; group < groups; group++) {
    for (let head = 0; head < heads; head++) {
      const tableHead = tableHeads === 1 ? 0 : head;
      for (let row = 0; row < rows; row++) {
        const base = ((group * heads + head) * rows + row) * dim;
        const table = ((group * tableHeads + tableHead) * rows + row) * dim;
        for (let j = 0; j < half; j++) out[base + j] = f(dy[base + j]! * cos[table + j]!) + f(dy[base + j + half]! * sin[table + j + half]!);
        for (let j = half; j < rotaryDim; j++) out[base + j] = f(dy[base + j]! * cos[table + j]!) - f(dy[base + j - half]! * sin[table + j - half]!);
        for (let j = rotaryDim; j < dim; j++) out[base + j] = dy[base + j]! * cos[table + j]!;
      }
    }
  }
}
