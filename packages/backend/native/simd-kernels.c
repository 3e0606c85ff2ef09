/*
 * SIMD128 kernels that run on the tfjs wasm backend's own heap (this module imports its memory).
 * Built by build.sh with clang --target=wasm32 -msimd128; no libc, no static data and no stack use
 * (the module must never write outside the buffers it is given: build.sh checks that the code
 * touches no global, i.e. no shadow stack).
 *
 * bmm: C[t] = A[t] · B[t] for t < batch, row-major, A[t] at a + t·strideA (M × K), B[t] at
 * b + t·strideB (K × N), C[t] at c + t·strideC (M × N). A stride of 0 broadcasts that operand.
 * The sum over k runs in increasing k for every output element (one multiply and one add per step).
 */
#include <wasm_simd128.h>

typedef float f32;

static inline void block4x8(const f32* a, const f32* b, f32* c, int K, int N) {
  v128_t c00 = wasm_f32x4_splat(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  const f32* a0 = a;
  const f32* a1 = a + K;
  const f32* a2 = a + 2 * K;
  const f32* a3 = a + 3 * K;
  for (int k = 0; k < K; k++) {
    const v128_t b0 = wasm_v128_load(b + k * N);
    const v128_t b1 = wasm_v128_load(b + k * N + 4);
    v128_t x = wasm_f32x4_splat(a0[k]);
    c00 = wasm_f32x4_add(c00, wasm_f32x4_mul(x, b0));
    c01 = wasm_f32x4_add(c01, wasm_f32x4_mul(x, b1));
    x = wasm_f32x4_splat(a1[k]);
    c10 = wasm_f32x4_add(c10, wasm_f32x4_mul(x, b0));
    c11 = wasm_f32x4_add(c11, wasm_f32x4_mul(x, b1));
    x = wasm_f32x4_splat(a2[k]);
    c20 = wasm_f32x4_add(c20, wasm_f32x4_mul(x, b0));
    c21 = wasm_f32x4_add(c21, wasm_f32x4_mul(x, b1));
    x = wasm_f32x4_splat(a3[k]);
    c30 = wasm_f32x4_add(c30, wasm_f32x4_mul(x, b0));
    c31 = wasm_f32x4_add(c31, wasm_f32x4_mul(x, b1));
  }
  wasm_v128_store(c, c00);
  wasm_v128_store(c + 4, c01);
  wasm_v128_store(c + N, c10);
  wasm_v128_store(c + N + 4, c11);
  wasm_v128_store(c + 2 * N, c20);
  wasm_v128_store(c + 2 * N + 4, c21);
  wasm_v128_store(c + 3 * N, c30);
  wasm_v128_store(c + 3 * N + 4, c31);
}

static inline void block1x8(const f32* a, const f32* b, f32* c, int K, int N) {
  v128_t c0 = wasm_f32x4_splat(0), c1 = c0;
  for (int k = 0; k < K; k++) {
    const v128_t x = wasm_f32x4_splat(a[k]);
    c0 = wasm_f32x4_add(c0, wasm_f32x4_mul(x, wasm_v128_load(b + k * N)));
    c1 = wasm_f32x4_add(c1, wasm_f32x4_mul(x, wasm_v128_load(b + k * N + 4)));
  }
  wasm_v128_store(c, c0);
  wasm_v128_store(c + 4, c1);
}

static inline void block4x4(const f32* a, const f32* b, f32* c, int K, int N) {
  v128_t c0 = wasm_f32x4_splat(0), c1 = c0, c2 = c0, c3 = c0;
  for (int k = 0; k < K; k++) {
    const v128_t b0 = wasm_v128_load(b + k * N);
    c0 = wasm_f32x4_add(c0, wasm_f32x4_mul(wasm_f32x4_splat(a[k]), b0));
    c1 = wasm_f32x4_add(c1, wasm_f32x4_mul(wasm_f32x4_splat(a[K + k]), b0));
    c2 = wasm_f32x4_add(c2, wasm_f32x4_mul(wasm_f32x4_splat(a[2 * K + k]), b0));
    c3 = wasm_f32x4_add(c3, wasm_f32x4_mul(wasm_f32x4_splat(a[3 * K + k]), b0));
  }
  wasm_v128_store(c, c0);
  wasm_v128_store(c + N, c1);
  wasm_v128_store(c + 2 * N, c2);
  wasm_v128_store(c + 3 * N, c3);
}

static inline void block1x4(const f32* a, const f32* b, f32* c, int K, int N) {
  v128_t c0 = wasm_f32x4_splat(0);
  for (int k = 0; k < K; k++) c0 = wasm_f32x4_add(c0, wasm_f32x4_mul(wasm_f32x4_splat(a[k]), wasm_v128_load(b + k * N)));
  wasm_v128_store(c, c0);
}

/* The last 1–3 columns: loads and stores only the valid lanes (never past the end of a buffer). */
static inline v128_t load_partial(const f32* p, int count) {
  return wasm_f32x4_make(p[0], count > 1 ? p[1] : 0.0f, count > 2 ? p[2] : 0.0f, 0.0f);
}

static inline void store_partial(f32* p, v128_t v, int count) {
  p[0] = wasm_f32x4_extract_lane(v, 0);
  if (count > 1) p[1] = wasm_f32x4_extract_lane(v, 1);
  if (count > 2) p[2] = wasm_f32x4_extract_lane(v, 2);
}

static inline void block4xr(const f32* a, const f32* b, f32* c, int K, int N, int count) {
  v128_t c0 = wasm_f32x4_splat(0), c1 = c0, c2 = c0, c3 = c0;
  for (int k = 0; k < K; k++) {
    const v128_t b0 = load_partial(b + k * N, count);
    c0 = wasm_f32x4_add(c0, wasm_f32x4_mul(wasm_f32x4_splat(a[k]), b0));
    c1 = wasm_f32x4_add(c1, wasm_f32x4_mul(wasm_f32x4_splat(a[K + k]), b0));
    c2 = wasm_f32x4_add(c2, wasm_f32x4_mul(wasm_f32x4_splat(a[2 * K + k]), b0));
    c3 = wasm_f32x4_add(c3, wasm_f32x4_mul(wasm_f32x4_splat(a[3 * K + k]), b0));
  }
  store_partial(c, c0, count);
  store_partial(c + N, c1, count);
  store_partial(c + 2 * N, c2, count);
  store_partial(c + 3 * N, c3, count);
}

static inline void block1xr(const f32* a, const f32* b, f32* c, int K, int N, int count) {
  v128_t c0 = wasm_f32x4_splat(0);
  for (int k = 0; k < K; k++) c0 = wasm_f32x4_add(c0, wasm_f32x4_mul(wasm_f32x4_splat(a[k]), load_partial(b + k * N, count)));
  store_partial(c, c0, count);
}

__attribute__((export_name("bmm")))
void bmm(const f32* a, const f32* b, f32* c, int batch, int M, int K, int N, int strideA, int strideB, int strideC) {
  for (int t = 0; t < batch; t++) {
    const f32* A = a + t * strideA;
    const f32* B = b + t * strideB;
    f32* C = c + t * strideC;
    int j = 0;
    for (; j + 8 <= N; j += 8) {
      int i = 0;
      for (; i + 4 <= M; i += 4) block4x8(A + i * K, B + j, C + i * N + j, K, N);
      for (; i < M; i++) block1x8(A + i * K, B + j, C + i * N + j, K, N);
    }
    for (; j + 4 <= N; j += 4) {
      int i = 0;
      for (; i + 4 <= M; i += 4) block4x4(A + i * K, B + j, C + i * N + j, K, N);
      for (; i < M; i++) block1x4(A + i * K, B + j, C + i * N + j, K, N);
    }
    if (j < N) {
      const int count = N - j;
      int i = 0;
      for (; i + 4 <= M; i += 4) block4xr(A + i * K, B + j, C + i * N + j, K, N, count);
      for (; i < M; i++) block1xr(A + i * K, B + j, C + i * N + j, K, N, count);
    }
  }
}

/*
 * sum_leading: out[j] = Σ_i x[i·inner + j] for i < rows (a sum over leading axes, e.g. a bias
 * gradient), accumulated in float64 per column, rows in increasing order.
 */
static inline void accumulate4(v128_t v, v128_t* low, v128_t* high) {
  *low = wasm_f64x2_add(*low, wasm_f64x2_promote_low_f32x4(v));
  *high = wasm_f64x2_add(*high, wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(v, v, 2, 3, 0, 1)));
}

static inline v128_t demote4(v128_t low, v128_t high) {
  const v128_t a = wasm_f32x4_demote_f64x2_zero(low);
  const v128_t b = wasm_f32x4_demote_f64x2_zero(high);
  return wasm_i32x4_shuffle(a, b, 0, 1, 4, 5);
}

__attribute__((export_name("sum_leading")))
void sum_leading(const f32* x, f32* out, int rows, int inner) {
  int j = 0;
  for (; j + 8 <= inner; j += 8) {
    v128_t l0 = wasm_f64x2_splat(0), h0 = l0, l1 = l0, h1 = l0;
    const f32* p = x + j;
    for (int i = 0; i < rows; i++, p += inner) {
      accumulate4(wasm_v128_load(p), &l0, &h0);
      accumulate4(wasm_v128_load(p + 4), &l1, &h1);
    }
    wasm_v128_store(out + j, demote4(l0, h0));
    wasm_v128_store(out + j + 4, demote4(l1, h1));
  }
  for (; j + 4 <= inner; j += 4) {
    v128_t l0 = wasm_f64x2_splat(0), h0 = l0;
    const f32* p = x + j;
    for (int i = 0; i < rows; i++, p += inner) accumulate4(wasm_v128_load(p), &l0, &h0);
    wasm_v128_store(out + j, demote4(l0, h0));
  }
  for (; j < inner; j++) {
    double sum = 0;
    const f32* p = x + j;
    for (int i = 0; i < rows; i++, p += inner) sum += *p;
    out[j] = (f32)sum;
  }
}

/*
 * rotary: the fused rotary embedding (the MlmRotaryApply kernels), x and out [groups, heads, rows, dim],
 * tables c, s [groups, tableHeads (1: shared by the heads, or heads), rows, dim], r = rotary (even).
 * Forward: out = x·c + rotateHalf(x)·s, rotateHalf(x) = [−x[r/2..r), x[0..r/2), 0…]. Backward (x holds
 * dy): out = dy·c − rotateHalf(dy·s). Each element is two float32 products and one sum (wasm has no
 * fused multiply-add; contraction is off besides), so the results equal the composed ops' bit for bit.
 * out must not overlap x, c or s.
 */
#pragma clang fp contract(off)

/* o[j] = x[j]·c[j] + y[j]·s[j] (add) or x[j]·c[j] − y[j]·s[j] (subtract), j < n. */
static inline void rotary_segment(f32* o, const f32* x, const f32* c, const f32* y, const f32* s, int n, int subtract) {
  int j = 0;
  if (subtract) {
    for (; j + 4 <= n; j += 4)
      wasm_v128_store(o + j, wasm_f32x4_sub(wasm_f32x4_mul(wasm_v128_load(x + j), wasm_v128_load(c + j)), wasm_f32x4_mul(wasm_v128_load(y + j), wasm_v128_load(s + j))));
    for (; j < n; j++) o[j] = x[j] * c[j] - y[j] * s[j];
  } else {
    for (; j + 4 <= n; j += 4)
      wasm_v128_store(o + j, wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(x + j), wasm_v128_load(c + j)), wasm_f32x4_mul(wasm_v128_load(y + j), wasm_v128_load(s + j))));
    for (; j < n; j++) o[j] = x[j] * c[j] + y[j] * s[j];
  }
}

__attribute__((export_name("rotary")))
void rotary(const f32* x, const f32* c, const f32* s, f32* out, int groups, int heads, int table_heads, int rows, int dim, int rotary, int backward) {
  const int half = rotary / 2;
  for (int g = 0; g < groups; g++) {
    for (int h = 0; h < heads; h++) {
      const int table_head = table_heads == 1 ? 0 : h;
      for (int row = 0; row < rows; row++) {
        const f32* xr = x + ((g * heads + h) * rows + row) * dim;
        const int table = ((g * table_heads + table_head) * rows + row) * dim;
        const f32* cr = c + table;
        const f32* sr = s + table;
        f32* o = out + ((g * heads + h) * rows + row) * dim;
        if (!backward) {
          rotary_segment(o, xr, cr, xr + half, sr, half, 1); /* x1·c − x2·s (= x1·c + (−x2)·s) */
          rotary_segment(o + half, xr + half, cr + half, xr, sr + half, half, 0); /* x2·c + x1·s */
          for (int j = rotary; j < dim; j++) o[j] = xr[j] * cr[j] + 0.0f * sr[j];
        } else {
          rotary_segment(o, xr, cr, xr + half, sr + half, half, 0);
          rotary_segment(o + half, xr + half, cr + half, xr, sr, half, 1);
          for (int j = rotary; j < dim; j++) o[j] = xr[j] * cr[j];
        }
      }
    }
  }
}
