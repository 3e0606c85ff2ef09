/*
 * @mlm/native-kernels: a Node-API addon that runs TensorFlow.js wasm-backend kernels on the wasm heap
 * in place (the caller passes a Uint8Array over the heap's whole buffer, plain or shared, and byte
 * offsets into it). Matrix products go through the system BLAS, opened with dlopen at run time, so the
 * addon loads (and says why products are unavailable) on a machine without one.
 *
 * Safety: every offset and length is checked against the heap's size before anything is read or
 * written; a bad argument throws a JavaScript error and touches nothing.
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(_WIN32)
#define MLM_NO_DLOPEN 1
#else
#include <dlfcn.h>
#endif

/* ---------------------------------------------------------------- BLAS, loaded at run time */

enum { CBLAS_ROW_MAJOR = 101, CBLAS_NO_TRANS = 111, CBLAS_TRANS = 112 };
typedef void (*sgemm_fn)(int order, int transA, int transB, int m, int n, int k, float alpha, const float *a, int lda,
                         const float *b, int ldb, float beta, float *c, int ldc);
typedef void (*set_threads_fn)(int);
typedef int (*get_threads_fn)(void);
typedef char *(*get_string_fn)(void);

static struct {
  int tried;
  void *handle;
  sgemm_fn sgemm;
  set_threads_fn set_threads;
  get_threads_fn get_threads;
  get_string_fn core_name;
  get_string_fn config;
  char library[512];
  char vendor[32];
  char reason[1024];
  char pinned_core[32];
} blas;

#if !defined(MLM_NO_DLOPEN)
/*
 * Debian's OpenBLAS 0.3.21 runs its generic kernels (5-7x slower) on virtualised CPUs whose model it
 * cannot name. Unless the user chose a core type, name one from the CPU's own feature flags, for the
 * moment the library loads (OpenBLAS reads OPENBLAS_CORETYPE once, in its constructor).
 */
static const char *core_type_from_flags(void) {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq"))
    return "SKYLAKEX";
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return "HASWELL";
#endif
  return NULL;
}

static int try_open(const char *path, int openblas_only) {
  void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!handle) return 0;
  sgemm_fn sgemm = (sgemm_fn)dlsym(handle, "cblas_sgemm");
  if (!sgemm) {
    dlclose(handle);
    return 0;
  }
  set_threads_fn openblas_threads = (set_threads_fn)dlsym(handle, "openblas_set_num_threads");
  if (openblas_only && !openblas_threads) {
    dlclose(handle); /* e.g. the reference BLAS behind libblas.so.3: slower than what we have */
    return 0;
  }
  blas.handle = handle;
  blas.sgemm = sgemm;
  snprintf(blas.library, sizeof blas.library, "%s", path);
  if (openblas_threads) {
    blas.set_threads = openblas_threads;
    blas.get_threads = (get_threads_fn)dlsym(handle, "openblas_get_num_threads");
    blas.core_name = (get_string_fn)dlsym(handle, "openblas_get_corename");
    blas.config = (get_string_fn)dlsym(handle, "openblas_get_config");
    snprintf(blas.vendor, sizeof blas.vendor, "OpenBLAS");
  } else if ((blas.set_threads = (set_threads_fn)dlsym(handle, "MKL_Set_Num_Threads")) != NULL) {
    blas.get_threads = (get_threads_fn)dlsym(handle, "MKL_Get_Max_Threads");
    snprintf(blas.vendor, sizeof blas.vendor, "MKL");
  } else if ((blas.set_threads = (set_threads_fn)dlsym(handle, "bli_thread_set_num_threads")) != NULL) {
    snprintf(blas.vendor, sizeof blas.vendor, "BLIS");
  } else {
#if defined(__APPLE__)
    snprintf(blas.vendor, sizeof blas.vendor, strstr(path, "Accelerate") ? "Accelerate" : "BLAS");
#else
    snprintf(blas.vendor, sizeof blas.vendor, "BLAS");
#endif
  }
  return 1;
}
#endif

static void load_blas(void) {
  if (blas.tried) return;
  blas.tried = 1;
#if defined(MLM_NO_DLOPEN)
  snprintf(blas.reason, sizeof blas.reason, "no BLAS loader on this platform");
#else
  const char *override = getenv("MLM_BLAS_LIBRARY");
  const char *pinned_by_user = getenv("OPENBLAS_CORETYPE");
  const char *core = (pinned_by_user && *pinned_by_user) ? NULL : core_type_from_flags();
  if (core) {
    setenv("OPENBLAS_CORETYPE", core, 1);
    snprintf(blas.pinned_core, sizeof blas.pinned_core, "%s", core);
  }
  if (override && *override) {
    if (!try_open(override, 0)) {
      const char *error = dlerror();
      snprintf(blas.reason, sizeof blas.reason, "MLM_BLAS_LIBRARY=%s could not be loaded or has no cblas_sgemm%s%s", override,
               error ? ": " : "", error ? error : "");
    }
  } else {
    static const char *candidates[] = {
#if defined(__APPLE__)
        "/System/Library/Frameworks/Accelerate.framework/Accelerate",
        "/opt/homebrew/opt/openblas/lib/libopenblas.dylib",
        "/usr/local/opt/openblas/lib/libopenblas.dylib",
        "libopenblas.dylib",
#else
        "libopenblas.so.0",
        "libopenblas.so",
        "libopenblasp.so.0",
#if defined(__x86_64__)
        "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0",
        "/usr/lib/x86_64-linux-gnu/openblas-openmp/libopenblas.so.0",
        "/usr/lib/x86_64-linux-gnu/openblas-serial/libopenblas.so.0",
#elif defined(__aarch64__)
        "/usr/lib/aarch64-linux-gnu/openblas-pthread/libopenblas.so.0",
        "/usr/lib/aarch64-linux-gnu/openblas-openmp/libopenblas.so.0",
        "/usr/lib/aarch64-linux-gnu/openblas-serial/libopenblas.so.0",
#endif
        "/usr/lib64/libopenblas.so.0",
        "/usr/lib64/libopenblasp.so.0",
        "libblas.so.3", /* accepted only when it is OpenBLAS (Debian's alternatives) */
#endif
    };
    const size_t count = sizeof candidates / sizeof candidates[0];
    for (size_t i = 0; i < count && !blas.handle; i++) {
      int openblas_only = strstr(candidates[i], "libblas") != NULL;
      try_open(candidates[i], openblas_only);
    }
    if (!blas.handle) {
#if defined(__APPLE__)
      snprintf(blas.reason, sizeof blas.reason, "no BLAS found (Accelerate or OpenBLAS); set MLM_BLAS_LIBRARY to a library with cblas_sgemm");
#else
      snprintf(blas.reason, sizeof blas.reason,
               "OpenBLAS not found (install it: apt-get install libopenblas0-pthread; or set MLM_BLAS_LIBRARY to a library with cblas_sgemm)");
#endif
    }
  }
  if (core) unsetenv("OPENBLAS_CORETYPE");
  if (blas.handle && !(blas.vendor[0] == 'O' && blas.core_name)) blas.pinned_core[0] = 0;
#endif
}

/* ---------------------------------------------------------------- argument helpers */

#define THROW(env, ...)                                      \
  do {                                                       \
    char message_[1200];                                    \
    snprintf(message_, sizeof message_, __VA_ARGS__);       \
    napi_throw_range_error((env), "ERR_MLM_NATIVE", message_); \
    return 0;                                                \
  } while (0)

/* The heap: a Uint8Array over the whole wasm memory (ArrayBuffer or SharedArrayBuffer). */
static int get_heap(napi_env env, napi_value value, uint8_t **data, uint64_t *length) {
  bool is_typed = false;
  napi_is_typedarray(env, value, &is_typed);
  if (!is_typed) THROW(env, "heap: expected a Uint8Array over the wasm memory");
  napi_typedarray_type type;
  size_t count = 0;
  void *pointer = NULL;
  napi_value buffer;
  size_t offset = 0;
  if (napi_get_typedarray_info(env, value, &type, &count, &pointer, &buffer, &offset) != napi_ok || type != napi_uint8_array)
    THROW(env, "heap: expected a Uint8Array over the wasm memory");
  if (count > 0 && pointer == NULL) THROW(env, "heap: the buffer is detached");
  *data = (uint8_t *)pointer;
  *length = count;
  return 1;
}

/* A non-negative integer below 2^32 (wasm32 addresses, dimensions, strides). */
static int get_u32(napi_env env, napi_value value, const char *name, uint64_t *out) {
  double number;
  if (napi_get_value_double(env, value, &number) != napi_ok) THROW(env, "%s: expected a number", name);
  if (!(number >= 0) || number > 4294967295.0 || floor(number) != number)
    THROW(env, "%s: expected an integer in [0, 2^32), got %g", name, number);
  *out = (uint64_t)number;
  return 1;
}

static int get_dim(napi_env env, napi_value value, const char *name, uint64_t *out) {
  if (!get_u32(env, value, name, out)) return 0;
  if (*out > 0x7fffffff) THROW(env, "%s: %llu is larger than a BLAS dimension can be", name, (unsigned long long)*out);
  return 1;
}

/*
 * A float32 region: `count` entries of `entry` elements, `stride` elements apart, starting at byte
 * `offset`. It must lie inside the heap and be 4-byte aligned.
 */
static int check_region(napi_env env, const char *name, uint64_t offset, uint64_t count, uint64_t stride, uint64_t entry,
                        uint64_t heap_length) {
  if (offset % 4 != 0) THROW(env, "%s: byte offset %llu is not a multiple of 4", name, (unsigned long long)offset);
  if (count == 0 || entry == 0) return 1;
  /* Each factor is < 2^32 (or a product of two such), so no sum below overflows 64 bits. */
  if (entry > (1ull << 40) || stride > (1ull << 32)) THROW(env, "%s: region too large", name);
  uint64_t span = (count - 1) * stride + entry;
  uint64_t end = offset + span * 4;
  if (end > heap_length)
    THROW(env, "%s: bytes [%llu, %llu) lie outside the heap (%llu bytes)", name, (unsigned long long)offset,
          (unsigned long long)end, (unsigned long long)heap_length);
  return 1;
}

static napi_value make_undefined(napi_env env) {
  napi_value result;
  napi_get_undefined(env, &result);
  return result;
}

/* ---------------------------------------------------------------- activations */

enum { ACT_LINEAR = 0, ACT_RELU = 1, ACT_RELU6 = 2, ACT_SIGMOID = 3, ACT_ELU = 4, ACT_LEAKYRELU = 5 };

static void activate(float *x, uint64_t count, int activation, float alpha) {
  switch (activation) {
  case ACT_RELU:
    for (uint64_t i = 0; i < count; i++) x[i] = x[i] > 0 ? x[i] : 0; /* NaN stays NaN, like tfjs */
    break;
  case ACT_RELU6:
    for (uint64_t i = 0; i < count; i++) x[i] = x[i] > 0 ? (x[i] < 6 ? x[i] : 6) : (x[i] != x[i] ? x[i] : 0);
    break;
  case ACT_SIGMOID:
    for (uint64_t i = 0; i < count; i++) x[i] = 1.0f / (1.0f + expf(-x[i]));
    break;
  case ACT_ELU:
    for (uint64_t i = 0; i < count; i++) x[i] = x[i] >= 0 ? x[i] : expm1f(x[i]);
    break;
  case ACT_LEAKYRELU:
    for (uint64_t i = 0; i < count; i++) x[i] = x[i] < 0 ? alpha * x[i] : x[i];
    break;
  default:
    break;
  }
}

/* ---------------------------------------------------------------- sgemm */

/*
 * sgemm(heap, a, b, c, batch, m, k, n, transposeA, transposeB, strideA, strideB, strideC, bias, activation, alpha)
 * For t in [0, batch): C_t[m, n] = act(op(A_t) · op(B_t) + bias), row-major, where A_t starts at byte
 * a + 4·t·strideA (strideA 0 broadcasts one matrix), op(X) = Xᵀ when X is stored transposed
 * (A as [k, m], B as [n, k]). bias: byte offset of n floats, or -1 for none.
 */
static napi_value Sgemm(napi_env env, napi_callback_info info) {
  size_t argc = 16;
  napi_value args[16];
  napi_get_cb_info(env, info, &argc, args, NULL, NULL);
  if (argc != 16) THROW(env, "sgemm: expected 16 arguments, got %zu", argc);
  load_blas();
  if (!blas.sgemm) THROW(env, "sgemm: no BLAS: %s", blas.reason);
  uint8_t *heap;
  uint64_t heap_length;
  if (!get_heap(env, args[0], &heap, &heap_length)) return NULL;
  uint64_t a, b, c, batch, m, k, n, stride_a, stride_b, stride_c;
  bool transpose_a, transpose_b;
  double bias_value, alpha_value;
  int32_t activation;
  if (!get_u32(env, args[1], "a", &a) || !get_u32(env, args[2], "b", &b) || !get_u32(env, args[3], "c", &c) ||
      !get_u32(env, args[4], "batch", &batch) || !get_dim(env, args[5], "m", &m) || !get_dim(env, args[6], "k", &k) ||
      !get_dim(env, args[7], "n", &n) || !get_u32(env, args[10], "strideA", &stride_a) ||
      !get_u32(env, args[11], "strideB", &stride_b) || !get_u32(env, args[12], "strideC", &stride_c))
    return NULL;
  if (napi_get_value_bool(env, args[8], &transpose_a) != napi_ok || napi_get_value_bool(env, args[9], &transpose_b) != napi_ok)
    THROW(env, "sgemm: transposeA and transposeB must be booleans");
  if (napi_get_value_double(env, args[13], &bias_value) != napi_ok) THROW(env, "bias: expected a byte offset or -1");
  if (napi_get_value_int32(env, args[14], &activation) != napi_ok || activation < 0 || activation > ACT_LEAKYRELU)
    THROW(env, "activation: expected 0 (linear), 1 (relu), 2 (relu6), 3 (sigmoid), 4 (elu) or 5 (leakyrelu)");
  if (napi_get_value_double(env, args[15], &alpha_value) != napi_ok) THROW(env, "alpha: expected a number");
  if (m * n > 0x7fffffffull || m * k > 0x7fffffffull || k * n > 0x7fffffffull) THROW(env, "sgemm: matrix too large");
  if (batch > 1 && stride_c < m * n) THROW(env, "strideC: %llu is smaller than one output (%llu)", (unsigned long long)stride_c, (unsigned long long)(m * n));
  if (!check_region(env, "a", a, batch, stride_a, m * k, heap_length) || !check_region(env, "b", b, batch, stride_b, k * n, heap_length) ||
      !check_region(env, "c", c, batch, stride_c, m * n, heap_length))
    return NULL;
  const float *bias = NULL;
  if (bias_value != -1) {
    if (!(bias_value >= 0) || bias_value > 4294967295.0 || floor(bias_value) != bias_value) THROW(env, "bias: expected a byte offset or -1, got %g", bias_value);
    if (!check_region(env, "bias", (uint64_t)bias_value, 1, 0, n, heap_length)) return NULL;
    bias = (const float *)(heap + (uint64_t)bias_value);
  }
  if (batch == 0 || m == 0 || n == 0) return make_undefined(env);

  for (uint64_t t = 0; t < batch; t++) {
    const float *a_t = (const float *)(heap + a) + t * stride_a;
    const float *b_t = (const float *)(heap + b) + t * stride_b;
    float *c_t = (float *)(heap + c) + t * stride_c;
    float beta = 0.0f;
    if (bias) {
      for (uint64_t row = 0; row < m; row++) memcpy(c_t + row * n, bias, n * sizeof(float));
      beta = 1.0f;
    }
    if (k == 0) {
      if (!bias) memset(c_t, 0, m * n * sizeof(float));
    } else {
      int lda = (int)(transpose_a ? m : k), ldb = (int)(transpose_b ? k : n);
      blas.sgemm(CBLAS_ROW_MAJOR, transpose_a ? CBLAS_TRANS : CBLAS_NO_TRANS, transpose_b ? CBLAS_TRANS : CBLAS_NO_TRANS, (int)m, (int)n,
                 (int)k, 1.0f, a_t, lda > 0 ? lda : 1, b_t, ldb > 0 ? ldb : 1, beta, c_t, (int)n);
    }
    if (activation != ACT_LINEAR) activate(c_t, m * n, activation, (float)alpha_value);
  }
  return make_undefined(env);
}

/* ---------------------------------------------------------------- transpose */

#define MAX_RANK 8

static int get_int_array(napi_env env, napi_value value, const char *name, uint64_t *out, uint32_t *length) {
  bool is_array = false;
  napi_is_array(env, value, &is_array);
  if (!is_array) THROW(env, "%s: expected an array of integers", name);
  napi_get_array_length(env, value, length);
  if (*length < 1 || *length > MAX_RANK) THROW(env, "%s: expected 1 to %d entries, got %u", name, MAX_RANK, *length);
  for (uint32_t i = 0; i < *length; i++) {
    napi_value element;
    napi_get_element(env, value, i, &element);
    if (!get_u32(env, element, name, &out[i])) return 0;
  }
  return 1;
}

/*
 * transpose(heap, x, out, elementBytes, shape, perm): out = x transposed by perm (row-major), for
 * 4-byte (float32, int32) or 1-byte (bool) elements; x and out must not overlap.
 */
static napi_value Transpose(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value args[6];
  napi_get_cb_info(env, info, &argc, args, NULL, NULL);
  if (argc != 6) THROW(env, "transpose: expected 6 arguments, got %zu", argc);
  uint8_t *heap;
  uint64_t heap_length, x, out, bytes, shape[MAX_RANK], perm[MAX_RANK];
  uint32_t rank, perm_rank;
  if (!get_heap(env, args[0], &heap, &heap_length) || !get_u32(env, args[1], "x", &x) || !get_u32(env, args[2], "out", &out) ||
      !get_u32(env, args[3], "elementBytes", &bytes) || !get_int_array(env, args[4], "shape", shape, &rank) ||
      !get_int_array(env, args[5], "perm", perm, &perm_rank))
    return NULL;
  if (bytes != 4 && bytes != 1) THROW(env, "elementBytes: expected 4 or 1, got %llu", (unsigned long long)bytes);
  if (perm_rank != rank) THROW(env, "perm: expected %u entries (the rank of shape), got %u", rank, perm_rank);
  int seen[MAX_RANK] = {0};
  for (uint32_t i = 0; i < rank; i++) {
    if (perm[i] >= rank || seen[perm[i]]) THROW(env, "perm: expected a permutation of 0..%u", rank - 1);
    seen[perm[i]] = 1;
  }
  uint64_t size = 1;
  for (uint32_t i = 0; i < rank; i++) {
    size *= shape[i];
    if (size > (1ull << 32)) THROW(env, "shape: more than 2^32 elements");
  }
  if (size == 0) return make_undefined(env);
  if (x % bytes != 0 || out % bytes != 0) THROW(env, "x, out: byte offsets must be multiples of %llu", (unsigned long long)bytes);
  if (x + size * bytes > heap_length) THROW(env, "x: bytes [%llu, %llu) lie outside the heap (%llu bytes)", (unsigned long long)x, (unsigned long long)(x + size * bytes), (unsigned long long)heap_length);
  if (out + size * bytes > heap_length) THROW(env, "out: bytes [%llu, %llu) lie outside the heap (%llu bytes)", (unsigned long long)out, (unsigned long long)(out + size * bytes), (unsigned long long)heap_length);
  if (x < out + size * bytes && out < x + size * bytes) THROW(env, "transpose: x and out overlap");

  uint64_t in_strides[MAX_RANK], out_shape[MAX_RANK], step[MAX_RANK], counter[MAX_RANK] = {0};
  uint64_t stride = 1;
  for (int axis = (int)rank - 1; axis >= 0; axis--) {
    in_strides[axis] = stride;
    stride *= shape[axis];
  }
  for (uint32_t i = 0; i < rank; i++) {
    out_shape[i] = shape[perm[i]];
    step[i] = in_strides[perm[i]];
  }
  const uint64_t inner = out_shape[rank - 1], inner_step = step[rank - 1];
  uint64_t in_offset = 0, out_offset = 0;
  while (out_offset < size) {
    if (bytes == 4) {
      const uint32_t *source = (const uint32_t *)(heap + x);
      uint32_t *target = (uint32_t *)(heap + out) + out_offset;
      if (inner_step == 1) memcpy(target, source + in_offset, inner * 4);
      else for (uint64_t i = 0; i < inner; i++) target[i] = source[in_offset + i * inner_step];
    } else {
      const uint8_t *source = heap + x;
      uint8_t *target = heap + out + out_offset;
      for (uint64_t i = 0; i < inner; i++) target[i] = source[in_offset + i * inner_step];
    }
    out_offset += inner;
    int axis = (int)rank - 2;
    while (axis >= 0) {
      counter[axis]++;
      in_offset += step[axis];
      if (counter[axis] < out_shape[axis]) break;
      in_offset -= counter[axis] * step[axis];
      counter[axis] = 0;
      axis--;
    }
    if (axis < 0) break;
  }
  return make_undefined(env);
}

/* ---------------------------------------------------------------- BLAS information and threads */

static void set_string(napi_env env, napi_value object, const char *key, const char *value) {
  napi_value v;
  if (value) napi_create_string_utf8(env, value, NAPI_AUTO_LENGTH, &v);
  else napi_get_null(env, &v);
  napi_set_named_property(env, object, key, v);
}

static napi_value BlasInfo(napi_env env, napi_callback_info info) {
  (void)info;
  load_blas();
  napi_value result, v;
  napi_create_object(env, &result);
  napi_get_boolean(env, blas.sgemm != NULL, &v);
  napi_set_named_property(env, result, "available", v);
  set_string(env, result, "library", blas.handle ? blas.library : NULL);
  set_string(env, result, "vendor", blas.handle ? blas.vendor : NULL);
  set_string(env, result, "coreName", blas.core_name ? blas.core_name() : NULL);
  set_string(env, result, "config", blas.config ? blas.config() : NULL);
  set_string(env, result, "pinnedCoreType", blas.pinned_core[0] ? blas.pinned_core : NULL);
  set_string(env, result, "reason", blas.handle ? NULL : blas.reason);
  if (blas.get_threads) napi_create_int32(env, blas.get_threads(), &v);
  else napi_get_null(env, &v);
  napi_set_named_property(env, result, "threads", v);
  return result;
}

static napi_value SetThreads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value args[1];
  napi_get_cb_info(env, info, &argc, args, NULL, NULL);
  int32_t threads = 0;
  if (argc < 1 || napi_get_value_int32(env, args[0], &threads) != napi_ok || threads < 1 || threads > 256)
    THROW(env, "setThreads: expected an integer number of threads in [1, 256]");
  load_blas();
  if (blas.set_threads) blas.set_threads(threads);
  napi_value result;
  if (blas.get_threads) napi_create_int32(env, blas.get_threads(), &result);
  else napi_create_int32(env, blas.set_threads ? threads : 1, &result);
  return result;
}

/* ---------------------------------------------------------------- module */

NAPI_MODULE_INIT() {
  napi_property_descriptor properties[] = {
      {"sgemm", NULL, Sgemm, NULL, NULL, NULL, napi_default, NULL},
      {"blasInfo", NULL, BlasInfo, NULL, NULL, NULL, napi_default, NULL},
      {"setThreads", NULL, SetThreads, NULL, NULL, NULL, napi_default, NULL},
      {"transpose", NULL, Transpose, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof properties / sizeof properties[0], properties);
  return exports;
}
