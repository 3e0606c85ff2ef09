import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** What the addon says about the BLAS it opened (or why none). */
export interface BlasInfo {
  available: boolean;
  /** The file that was opened (`libopenblas.so.0`, a path, or `MLM_BLAS_LIBRARY`). */
  library: string | null;
  /** `OpenBLAS`, `Accelerate`, `MKL`, `BLIS` or `BLAS`. */
  vendor: string | null;
  /** OpenBLAS's kernel family (`Haswell`, `SkylakeX`, …). */
  coreName: string | null;
  config: string | null;
  /** The `OPENBLAS_CORETYPE` we chose from the CPU flags while OpenBLAS loaded (none when the user set one). */
  pinnedCoreType: string | null;
  /**
   * OpenBLAS only: the OPENBLAS_THREAD_TIMEOUT it loaded with (its idle threads poll 2^value cycles
   * before sleeping): the user's, or the addon's choice, `4` (sleep at once; OpenBLAS's default is 28).
   */
  threadTimeout?: string | null;
  /** Why no BLAS is available. */
  reason: string | null;
  threads: number | null;
}

/** Activation codes of `sgemm`. */
export const ACTIVATIONS = { linear: 0, relu: 1, relu6: 2, sigmoid: 3, elu: 4, leakyrelu: 5 } as const;
export type ActivationName = keyof typeof ACTIVATIONS;

/** Operation codes of `binary`. */
export const BINARY_OPS = { add: 0, sub: 1, mul: 2, div: 3, squaredDifference: 4, maximum: 5, minimum: 6 } as const;
export type BinaryOpName = keyof typeof BINARY_OPS;

/** Operation codes of `unary`. */
export const UNARY_OPS = {
  copy: 0, square: 1, neg: 2, relu: 3, exp: 4, rsqrt: 5, sqrt: 6, step: 7, sigmoid: 8, log: 9, reciprocal: 10, abs: 11,
} as const;
export type UnaryOpName = keyof typeof UNARY_OPS;

/** Source element types of `unary` (the output is float32). */
export const ELEMENT_TYPES = { float32: 0, int32: 1, bool: 2 } as const;

/** Operation codes of `reduce`. */
export const REDUCE_OPS = { sum: 0, mean: 1, max: 2, min: 3 } as const;
export type ReduceOpName = keyof typeof REDUCE_OPS;

/**
 * The addon's functions. Every `heap` is a Uint8Array over the whole wasm memory (its current
 * buffer: plain or shared); addresses are byte offsets into it; strides and sizes count float32
 * elements. Every region is bound-checked against the heap: a bad offset throws a RangeError
 * (code `ERR_MLM_NATIVE`) and nothing is touched.
 */
export interface NativeKernelsAddon {
  /**
   * For t in [0, batch): C_t = act(op(A_t) · op(B_t) + bias), row-major; A_t at a + 4·t·strideA (stride
   * 0 broadcasts); A stored [k, m] when transposeA, B stored [n, k] when transposeB; bias = byte offset
   * of n floats or -1; activation from `ACTIVATIONS`; alpha for leakyrelu.
   */
  sgemm(
    heap: Uint8Array,
    a: number, b: number, c: number,
    batch: number, m: number, k: number, n: number,
    transposeA: boolean, transposeB: boolean,
    strideA: number, strideB: number, strideC: number,
    bias: number, activation: number, alpha: number,
  ): void;
  /**
   * out = x transposed by `perm` (row-major; `shape` is x's, rank 1–8), elements of `elementBytes`
   * (4: float32/int32, 1: bool) bytes; x and out must not overlap. Needs no BLAS.
   */
  transpose(heap: Uint8Array, x: number, out: number, elementBytes: number, shape: number[], perm: number[]): void;
  /**
   * out = a op b (float32), numpy broadcasting of `aShape` and `bShape` (right-aligned); out holds the
   * broadcast shape's elements and may be a or b. op from `BINARY_OPS`. Threaded on the addon's pool.
   */
  binary(heap: Uint8Array, op: number, a: number, aShape: readonly number[], b: number, bShape: readonly number[], out: number): void;
  /**
   * out[i] = op(x[i]) for `count` elements, float32 out; x is float32 (`xType` 0), or int32 (1) / bool
   * (2, one byte each) with op 0 = a cast to float32. op from `UNARY_OPS`; alpha is step's value for
   * x <= 0. out may be x.
   */
  unary(heap: Uint8Array, op: number, x: number, xType: number, out: number, count: number, alpha: number): void;
  /**
   * x is float32 [rows, inner]: `leading` false reduces each row into out[rows], true reduces over the
   * rows into out[inner]. op from `REDUCE_OPS`; sums accumulate in float64. x and out must not overlap.
   */
  reduce(heap: Uint8Array, op: number, x: number, out: number, rows: number, inner: number, leading: boolean): void;
  /**
   * Layer normalization of each row of float32 x [rows, dim]: out = ((x − mean)·rstd)·weight + bias,
   * weight and bias [dim], mean and rstd = 1/√(variance + epsilon) (biased variance, from the centred
   * values) per row in float64, each output rounded once to float32. out must not overlap x, weight or
   * bias. Threaded on the addon's pool.
   */
  layerNorm(heap: Uint8Array, x: number, weight: number, bias: number, out: number, rows: number, dim: number, epsilon: number): void;
  /**
   * The gradients of `layerNorm` (row statistics recomputed from x): dx [rows, dim] =
   * rstd·((g − mean(g)) − x̂·mean(g·x̂)) with g = dy·weight, x̂ = (x − mean)·rstd; dweight [dim] = Σ_rows
   * dy·x̂; dbias [dim] = Σ_rows dy (float64 partial sums of min(rows, 64) row blocks, added in block
   * order: the same bits for every thread count). Outputs must not overlap each other or the inputs.
   */
  layerNormGrad(
    heap: Uint8Array,
    dy: number, x: number, weight: number, dx: number, dweight: number, dbias: number,
    rows: number, dim: number, epsilon: number,
  ): void;
  /** out = softmax over the innermost axis of float32 x [rows, inner]; out may be x. */
  softmax(heap: Uint8Array, x: number, out: number, rows: number, inner: number): void;
  /**
   * Rotary embedding on float32 x, out [groups, heads, rows, dim] with tables cos, sin [groups,
   * tableHeads, rows, dim] (tableHeads 1 broadcasts over heads, or equal to heads); rotaryDim even, ≤ dim.
   * Forward: out = x ⊙ cos + rotateHalf(x) ⊙ sin, rotateHalf(x)[j] = −x[j + r/2] (j < r/2), x[j − r/2]
   * (r/2 ≤ j < r), 0 beyond. Backward (x holds dy): out = dy ⊙ cos − rotateHalf(dy ⊙ sin). Two float32
   * products and a sum per element, never contracted to an FMA. out must not overlap x, cos or sin.
   * Threaded on the addon's pool.
   */
  rotary(
    heap: Uint8Array,
    x: number, cos: number, sin: number, out: number,
    groups: number, heads: number, tableHeads: number, rows: number, dim: number, rotaryDim: number,
    backward: boolean,
  ): void;
  blasInfo(): BlasInfo;
  /**
   * Sets the BLAS thread count and the element-wise kernels' pool to `threads` (they never run at
   * once); returns the BLAS's count in use.
   */
  setThreads(threads: number): number;
}

export type NativeKernelsLoad =
  | { ok: true; addon: NativeKernelsAddon; path: string; blas: BlasInfo }
  | { ok: false; reason: string; path: string };

/** Where the addon lives for this platform (prebuildify layout, the same from src/ and dist/). */
export function addonPath(platform: string = process.platform, arch: string = process.arch): string {
  return fileURLToPath(new URL(`../prebuilds/${platform}-${arch}/mlm-native-kernels.napi.node`, import.meta.url));
}

let cached: NativeKernelsLoad | undefined;

/**
 * Loads the addon for this platform (no install script: a prebuilt binary from the published tarball,
 * or the one `pnpm build` compiled). Never throws: a missing or broken addon is `{ ok: false, reason }`.
 * The addon loads even without a BLAS; `blas.available` and `blas.reason` say whether products work.
 */
export function loadNativeKernels(): NativeKernelsLoad {
  if (cached) return cached;
  const path = addonPath();
  if (!existsSync(path)) {
    cached = {
      ok: false,
      path,
      reason: `no addon for ${process.platform}-${process.arch} (not built: run \`pnpm build\` with a C compiler, or install a release with prebuilt binaries)`,
    };
    return cached;
  }
  try {
    const addon = createRequire(import.meta.url)(path) as NativeKernelsAddon;
    cached = { ok: true, addon, path, blas: addon.blasInfo() };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    cached = { ok: false, path, reason: `the addon failed to load: ${message.split('\n')[0]}` };
  }
  return cached;
}
