/**
 * The shapes and loops shared by the fused layer-norm kernels (`MlmLayerNorm`, `MlmLayerNormGrad`) on
 * every backend that runs them in JavaScript (cpu, and wasm without the native addon).
 *
 * x is [..., D], normalized over its last axis (rows = the product of the others); weight and bias are
 * [D]. Row statistics are float64: mean = Σx / D, variance = Σ(x − mean)² / D from the centred values
 * (two passes: no cancellation, unlike E[x²] − mean²), rstd = 1 / √(variance + ε). Every output is
 * computed in float64 and rounded once to float32 (by the store into a Float32Array). The sums add in
 * the order of the native addon's C (8 lanes, the tail first, then lanes 0..7; the weight and bias
 * gradients by row blocks), so the JavaScript and native kernels give the same bits.
 */

export interface LayerNormLayout {
  /** Product of every axis but the last. */
  rows: number;
  /** D: the last axis. */
  dim: number;
  /** ε. */
  epsilon: number;
  /** Elements of x. */
  size: number;
}

function shapeText(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/**
 * Checks the shapes and epsilon of a layer-norm kernel; errors name the kernel, the input, its value and
 * what was expected. `xName` is `x` (forward) or `dy` (gradient, checked against x's shape too).
 */
export function layerNormLayout(
  kernelName: string,
  xShape: readonly number[],
  weightShape: readonly number[],
  biasShape: readonly number[] | undefined,
  epsilon: unknown,
  dyShape?: readonly number[],
): LayerNormLayout {
  if (xShape.length < 1) throw new Error(`${kernelName}: x has shape ${shapeText(xShape)}; expected at least one axis`);
  const dim = xShape[xShape.length - 1]!;
  let rows = 1;
  for (let axis = 0; axis < xShape.length - 1; axis++) rows *= xShape[axis]!;
  if (weightShape.length !== 1 || weightShape[0] !== dim) {
    throw new Error(`${kernelName}: weight has shape ${shapeText(weightShape)}; expected [${dim}] (x's last axis)`);
  }
  if (biasShape && (biasShape.length !== 1 || biasShape[0] !== dim)) {
    throw new Error(`${kernelName}: bias has shape ${shapeText(biasShape)}; expected [${dim}] (x's last axis)`);
  }
  if (dyShape && shapeText(dyShape) !== shapeText(xShape)) {
    throw new Error(`${kernelName}: dy has shape ${shapeText(dyShape)}; expected x's shape ${shapeText(xShape)}`);
  }
  if (typeof epsilon !== 'number' || !Number.isFinite(epsilon) || epsilon < 0) {
    throw new Error(`${kernelName}: epsilon = ${String(epsilon)}; expected a finite number >= 0`);
  }
  return { rows, dim, epsilon, size: rows * dim };
}

/** Σ values[offset .. offset + n) in the addon's order: 8 lanes over whole groups of 8, the tail, then the lanes. */
function rowSum(values: Float32Array, offset: number, n: number, lanes: Float64Array): number {
  lanes.fill(0);
  let i = 0;
  for (; i + 8 <= n; i += 8) for (let j = 0; j < 8; j++) lanes[j]! += values[offset + i + j]!;
  let sum = 0;
  for (; i < n; i++) sum += values[offset + i]!;
  for (let j = 0; j < 8; j++) sum += lanes[j]!;
  return sum;
}

function rowSquares(values: Float32Array, offset: number, n: number, mean: number, lanes: Float64Array): number {
  lanes.fill(0);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    for (let j = 0; j < 8; j++) {
      const d = values[offset + i + j]! - mean;
      lanes[j]! += d * d;
    }
  }
  let sum = 0;
  for (; i < n; i++) {
    const d = values[offset + i]! - mean;
    sum += d * d;
  }
  for (let j = 0; j < 8; j++) sum += lanes[j]!;
  return sum;
}

/** [mean, rstd] of one row. */
function statistics(x: Float32Array, offset: number, layout: LayerNormLayout, lanes: Float64Array): [number, number] {
  const mean = rowSum(x, offset, layout.dim, lanes) / layout.dim;
  const variance = rowSquares(x, offset, layout.dim, mean, lanes) / layout.dim;
  return [mean, 1 / Math.sqrt(variance + layout.epsilon)];
}

/** out = ((x − mean)·rstd)·weight + bias per row. */
export function layerNormForward(x: Float32Array, weight: Float32Array, bias: Float32Array, out: Float32Array, layout: LayerNormLayout): void {
  const { rows, dim } = layout;
  const lanes = new Float64Array(8);
  for (let row = 0, offset = 0; row < rows; row++, offset += dim) {
    const [mean, rstd] = statistics(x, offset, layout, lanes);
    for (let i = 0; i < dim; i++) out[offset + i] = (x[offset + i]! - mean) * rstd * weight[i]! + bias[i]!;
  }
}

/** Row blocks of the weight and bias gradients (the addon's LAYER_NORM_GRAD_BLOCKS). */
const GRADIENT_BLOCKS = 64;

/**
 * dx = rstd·((g − mean(g)) − x̂·mean(g·x̂)) per row, with g = dy·weight and x̂ = (x − mean)·rstd;
 * dweight = Σ_rows dy·x̂, dbias = Σ_rows dy, added per block of rows, then the blocks in order.
 */
export function layerNormBackward(
  dy: Float32Array,
  x: Float32Array,
  weight: Float32Array,
  dx: Float32Array,
  dweight: Float32Array,
  dbias: Float32Array,
  layout: LayerNormLayout,
): void {
  const { rows, dim } = layout;
  const lanes = new Float64Array(8);
  const lanesG = new Float64Array(8);
  const lanesGx = new Float64Array(8);
  const blocks = Math.min(rows, GRADIENT_BLOCKS);
  const totalWeight = new Float64Array(dim);
  const totalBias = new Float64Array(dim);
  const blockWeight = new Float64Array(dim);
  const blockBias = new Float64Array(dim);
  for (let block = 0; block < blocks; block++) {
    blockWeight.fill(0);
    blockBias.fill(0);
    const first = Math.floor((rows * block) / blocks);
    const last = Math.floor((rows * (block + 1)) / blocks);
    for (let row = first; row < last; row++) {
      const offset = row * dim;
      const [mean, rstd] = statistics(x, offset, layout, lanes);
      lanesG.fill(0);
      lanesGx.fill(0);
      let i = 0;
      for (; i + 8 <= dim; i += 8) {
        for (let j = 0; j < 8; j++) {
          const g = dy[offset + i + j]! * weight[i + j]!;
          lanesG[j]! += g;
          lanesGx[j]! += g * ((x[offset + i + j]! - mean) * rstd);
        }
      }
      let sumG = 0;
      let sumGx = 0;
      for (; i < dim; i++) {
        const g = dy[offset + i]! * weight[i]!;
        sumG += g;
        sumGx += g * ((x[offset + i]! - mean) * rstd);
      }
      for (let j = 0; j < 8; j++) {
        sumG += lanesG[j]!;
        sumGx += lanesGx[j]!;
      }
      const meanG = sumG / dim;
      const meanGx = sumGx / dim;
      for (i = 0; i < dim; i++) {
        const normalized = (x[offset + i]! - mean) * rstd;
        const gradient = dy[offset + i]!;
        dx[offset + i] = rstd * (gradient * weight[i]! - meanG - normalized * meanGx);
        blockWeight[i]! += gradient * normalized;
        blockBias[i]! += gradient;
      }
    }
    for (let i = 0; i < dim; i++) {
      totalWeight[i]! += blockWeight[i]!;
      totalBias[i]! += blockBias[i]!;
    }
  }
  dweight.set(totalWeight);
  dbias.set(totalBias);
}
