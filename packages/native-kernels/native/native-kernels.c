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
#include <pthread.h>
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
  char thread_timeout[16];
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

/*
 * OpenBLAS's worker threads busy-poll (sched_yield in a loop) for 2^OPENBLAS_THREAD_TIMEOUT cycles after
 * each call before they sleep: 2^28 cycles, ~0.1 s, by default. Between our products the JavaScript
 * thread runs element-wise kernels on our own pool, so a polling BLAS thread takes a core from them
 * (and from other processes). Unless the user set it, OpenBLAS loads with this value (2^4 cycles, the
 * smallest it accepts: its threads go to sleep at once and are woken by the next product); measured
 * against the default in apps/bench/README.md ("OpenBLAS's idle threads").
 */
#define MLM_OPENBLAS_THREAD_TIMEOUT "4"

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
  const char *timeout_by_user = getenv("OPENBLAS_THREAD_TIMEOUT");
  const int set_timeout = !(timeout_by_user && *timeout_by_user);
  if (set_timeout) setenv("OPENBLAS_THREAD_TIMEOUT", MLM_OPENBLAS_THREAD_TIMEOUT, 1);
  snprintf(blas.thread_timeout, sizeof blas.thread_timeout, "%s", set_timeout ? MLM_OPENBLAS_THREAD_TIMEOUT : timeout_by_user);
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
  if (set_timeout) unsetenv("OPENBLAS_THREAD_TIMEOUT");
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

/* ---------------------------------------------------------------- thread pool */

/*
 * A small persistent pool for the element-wise kernels below: `size` threads in all, the calling
 * (JavaScript) thread included. setThreads sets it to the backend's thread setting, the same count as
 * the BLAS's: products and element-wise kernels are called one at a time from the JavaScript thread,
 * so the BLAS's threads and these never run at once (N threads busy, never N + N). Between jobs the
 * workers sleep on a condition variable: a spinning worker would take a core from the BLAS or XNNPACK.
 */
#define MAX_POOL 64
/*
 * Below this many elements of work a kernel runs on the calling thread only: waking a sleeping worker
 * costs some 10-50 µs, about what one thread needs for 32k elements of an element-wise op.
 */
#define PARALLEL_MIN_ELEMENTS (1u << 15)

typedef void (*range_fn)(const void *job, uint64_t begin, uint64_t end);

/*
 * The element-wise loops are compiled twice on x86-64 (GCC, glibc's ifunc picks one when the addon
 * loads): for Haswell and later (AVX2 + FMA, 8 floats a step) and for the baseline (SSE2), so one
 * prebuilt binary runs everywhere and uses the wide registers where the CPU has them.
 */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__linux__)
#define MLM_VECTOR_CLONES __attribute__((target_clones("arch=haswell", "default")))
#else
#define MLM_VECTOR_CLONES
#endif

static struct {
  pthread_mutex_t busy; /* one job at a time (Node environments in worker threads share the addon) */
  pthread_mutex_t mutex;
  pthread_cond_t wake, done;
  pthread_t workers[MAX_POOL];
  uint64_t start_generation[MAX_POOL];
  int size;    /* threads in all, the caller included */
  int started; /* workers running: indices 1..started */
  int stop;
  uint64_t generation;
  int remaining;
  range_fn fn;
  const void *job;
  uint64_t total;
} pool = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, PTHREAD_COND_INITIALIZER, {0}, {0}, 1, 0, 0, 0, 0, NULL, NULL, 0};

static void chunk_of(uint64_t total, int parts, int index, uint64_t *begin, uint64_t *end) {
  *begin = total * (uint64_t)index / (uint64_t)parts;
  *end = total * (uint64_t)(index + 1) / (uint64_t)parts;
}

static void *pool_worker(void *argument) {
  const int index = (int)(intptr_t)argument;
  pthread_mutex_lock(&pool.mutex);
  uint64_t seen = pool.start_generation[index];
  for (;;) {
    while (!pool.stop && pool.generation == seen) pthread_cond_wait(&pool.wake, &pool.mutex);
    if (pool.stop) break;
    seen = pool.generation;
    range_fn fn = pool.fn;
    const void *job = pool.job;
    uint64_t total = pool.total, begin, end;
    int parts = pool.size;
    pthread_mutex_unlock(&pool.mutex);
    chunk_of(total, parts, index, &begin, &end);
    if (begin < end) fn(job, begin, end);
    pthread_mutex_lock(&pool.mutex);
    if (--pool.remaining == 0) pthread_cond_signal(&pool.done);
  }
  pthread_mutex_unlock(&pool.mutex);
  return NULL;
}

/* Callers hold pool.busy. */
static void pool_stop_workers(void) {
  if (pool.started == 0) return;
  pthread_mutex_lock(&pool.mutex);
  pool.stop = 1;
  pthread_cond_broadcast(&pool.wake);
  pthread_mutex_unlock(&pool.mutex);
  for (int i = 1; i <= pool.started; i++) pthread_join(pool.workers[i], NULL);
  pool.stop = 0;
  pool.started = 0;
}

static void pool_start_workers(void) {
  while (pool.started < pool.size - 1) {
    int index = pool.started + 1;
    pool.start_generation[index] = pool.generation;
    if (pthread_create(&pool.workers[index], NULL, pool_worker, (void *)(intptr_t)index) != 0) {
      pool.size = pool.started + 1; /* run with the workers we have */
      return;
    }
    pool.started = index;
  }
}

static void pool_resize(int size) {
  if (size < 1) size = 1;
  if (size > MAX_POOL) size = MAX_POOL;
  pthread_mutex_lock(&pool.busy);
  if (size != pool.size) {
    pool_stop_workers();
    pool.size = size;
  }
  pthread_mutex_unlock(&pool.busy);
}

/* Runs fn over [0, total) split into pool.size ranges, or on this thread alone when `work` is small. */
static void parallel_for(range_fn fn, const void *job, uint64_t total, uint64_t work) {
  if (pool.size <= 1 || total < 2 || work < PARALLEL_MIN_ELEMENTS || pthread_mutex_trylock(&pool.busy) != 0) {
    fn(job, 0, total);
    return;
  }
  pool_start_workers();
  if (pool.size <= 1) {
    pthread_mutex_unlock(&pool.busy);
    fn(job, 0, total);
    return;
  }
  pthread_mutex_lock(&pool.mutex);
  pool.fn = fn;
  pool.job = job;
  pool.total = total;
  pool.remaining = pool.size - 1;
  pool.generation++;
  pthread_cond_broadcast(&pool.wake);
  int parts = pool.size;
  pthread_mutex_unlock(&pool.mutex);
  uint64_t begin, end;
  chunk_of(total, parts, 0, &begin, &end);
  if (begin < end) fn(job, begin, end);
  pthread_mutex_lock(&pool.mutex);
  while (pool.remaining > 0) pthread_cond_wait(&pool.done, &pool.mutex);
  pthread_mutex_unlock(&pool.mutex);
  pthread_mutex_unlock(&pool.busy);
}

/* ---------------------------------------------------------------- sgemm */

/* The BLAS thread count setThreads last set (0: never set). */
static int blas_threads = 0;

/*
 * Products of at most this many multiply-adds (m·n·k) in a batch run one per pool thread, each on one
 * BLAS thread: 2^21 covers base's attention (128·128·64 = 2^20) and sudoku's (83·83·32); OpenBLAS
 * itself splits products from 2^18 multiply-adds on across its threads.
 */
#define BATCH_PARALLEL_MAX_PRODUCT (1ull << 21)

typedef struct {
  const float *a, *b;
  float *c;
  const float *bias;
  uint64_t m, k, n, stride_a, stride_b, stride_c;
  bool transpose_a, transpose_b;
  int activation;
  float alpha;
} sgemm_job;

static void sgemm_range(const void *pointer, uint64_t begin, uint64_t end) {
  const sgemm_job *job = (const sgemm_job *)pointer;
  const uint64_t m = job->m, k = job->k, n = job->n;
  for (uint64_t t = begin; t < end; t++) {
    const float *a_t = job->a + t * job->stride_a;
    const float *b_t = job->b + t * job->stride_b;
    float *c_t = job->c + t * job->stride_c;
    float beta = 0.0f;
    if (job->bias) {
      for (uint64_t row = 0; row < m; row++) memcpy(c_t + row * n, job->bias, n * sizeof(float));
      beta = 1.0f;
    }
    if (k == 0) {
      if (!job->bias) memset(c_t, 0, m * n * sizeof(float));
    } else {
      int lda = (int)(job->transpose_a ? m : k), ldb = (int)(job->transpose_b ? k : n);
      blas.sgemm(CBLAS_ROW_MAJOR, job->transpose_a ? CBLAS_TRANS : CBLAS_NO_TRANS, job->transpose_b ? CBLAS_TRANS : CBLAS_NO_TRANS, (int)m,
                 (int)n, (int)k, 1.0f, a_t, lda > 0 ? lda : 1, b_t, ldb > 0 ? ldb : 1, beta, c_t, (int)n);
    }
    if (job->activation != ACT_LINEAR) activate(c_t, m * n, job->activation, job->alpha);
  }
}

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

  sgemm_job job = {(const float *)(heap + a), (const float *)(heap + b), (float *)(heap + c), bias, m, k, n, stride_a, stride_b, stride_c,
                   transpose_a, transpose_b, activation, (float)alpha_value};
  /*
   * A batch of small products (attention's per-head scores and values): one product per pool thread,
   * each single-threaded in the BLAS, instead of every small product split across the BLAS's threads
   * (a wake-up and a join per product). Larger products keep the BLAS's own threading.
   */
  if (batch >= 2 && pool.size > 1 && blas.set_threads && blas_threads > 1 && m * n * k <= BATCH_PARALLEL_MAX_PRODUCT) {
    blas.set_threads(1);
    parallel_for(sgemm_range, &job, batch, batch * m * n * k);
    blas.set_threads(blas_threads);
  } else {
    sgemm_range(&job, 0, batch);
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

/* ---------------------------------------------------------------- element-wise kernels */

/* A float32 tensor of `count` elements at byte `offset`, inside the heap. */
static int get_tensor(napi_env env, napi_value value, const char *name, uint64_t count, uint64_t bytes, uint8_t *heap,
                      uint64_t heap_length, void **out) {
  uint64_t offset;
  if (!get_u32(env, value, name, &offset)) return 0;
  if (offset % bytes != 0) THROW(env, "%s: byte offset %llu is not a multiple of %llu", name, (unsigned long long)offset, (unsigned long long)bytes);
  if (offset + count * bytes > heap_length)
    THROW(env, "%s: bytes [%llu, %llu) lie outside the heap (%llu bytes)", name, (unsigned long long)offset,
          (unsigned long long)(offset + count * bytes), (unsigned long long)heap_length);
  *out = heap + offset;
  return 1;
}

/* A shape: an array of 0 to MAX_RANK dimensions (below 2^32), and its element count (below 2^32). */
static int get_shape(napi_env env, napi_value value, const char *name, uint64_t *shape, uint32_t *rank, uint64_t *size) {
  bool is_array = false;
  napi_is_array(env, value, &is_array);
  if (!is_array) THROW(env, "%s: expected an array of dimensions", name);
  napi_get_array_length(env, value, rank);
  if (*rank > MAX_RANK) THROW(env, "%s: expected at most %d dimensions, got %u", name, MAX_RANK, *rank);
  *size = 1;
  for (uint32_t i = 0; i < *rank; i++) {
    napi_value element;
    napi_get_element(env, value, i, &element);
    if (!get_u32(env, element, name, &shape[i])) return 0;
    *size *= shape[i];
    if (*size > 0xffffffffull) THROW(env, "%s: more than 2^32 elements", name);
  }
  return 1;
}

enum { BIN_ADD = 0, BIN_SUB = 1, BIN_MUL = 2, BIN_DIV = 3, BIN_SQUARED_DIFFERENCE = 4, BIN_MAXIMUM = 5, BIN_MINIMUM = 6, BIN_LAST = 6 };

typedef struct {
  int op, rank;
  uint64_t shape[MAX_RANK], stride_a[MAX_RANK], stride_b[MAX_RANK];
  const float *a, *b;
  float *out;
} binary_job;

#define BINARY_LOOPS(EXPR)                                              \
  do {                                                                  \
    if (step_a && step_b)                                               \
      for (uint64_t i = 0; i < n; i++) { float x = a[i], y = b[i]; o[i] = (EXPR); } \
    else if (step_a) {                                                  \
      const float y = b[0];                                             \
      for (uint64_t i = 0; i < n; i++) { float x = a[i]; o[i] = (EXPR); } \
    } else if (step_b) {                                                \
      const float x = a[0];                                             \
      for (uint64_t i = 0; i < n; i++) { float y = b[i]; o[i] = (EXPR); } \
    } else {                                                            \
      const float x = a[0], y = b[0], v = (EXPR);                       \
      for (uint64_t i = 0; i < n; i++) o[i] = v;                        \
    }                                                                   \
  } while (0)

/* o[i] = a[i·step_a] op b[i·step_b] for i < n; steps are 0 (broadcast) or 1. */
static void binary_run(int op, const float *a, uint64_t step_a, const float *b, uint64_t step_b, float *o, uint64_t n) {
  switch (op) {
  case BIN_ADD: BINARY_LOOPS(x + y); break;
  case BIN_SUB: BINARY_LOOPS(x - y); break;
  case BIN_MUL: BINARY_LOOPS(x * y); break;
  case BIN_DIV: BINARY_LOOPS(x / y); break;
  case BIN_SQUARED_DIFFERENCE: BINARY_LOOPS((x - y) * (x - y)); break;
  /* NaN in either operand gives NaN, as tfjs's Maximum and Minimum. */
  case BIN_MAXIMUM: BINARY_LOOPS(x != x || y != y ? NAN : (x > y ? x : y)); break;
  case BIN_MINIMUM: BINARY_LOOPS(x != x || y != y ? NAN : (x < y ? x : y)); break;
  default: break;
  }
}

MLM_VECTOR_CLONES static void binary_range(const void *pointer, uint64_t begin, uint64_t end) {
  const binary_job *job = (const binary_job *)pointer;
  const int rank = job->rank;
  const uint64_t inner = job->shape[rank - 1], inner_a = job->stride_a[rank - 1], inner_b = job->stride_b[rank - 1];
  uint64_t coordinate[MAX_RANK], remainder = begin, offset_a = 0, offset_b = 0;
  for (int axis = rank - 1; axis >= 0; axis--) {
    coordinate[axis] = remainder % job->shape[axis];
    remainder /= job->shape[axis];
    offset_a += coordinate[axis] * job->stride_a[axis];
    offset_b += coordinate[axis] * job->stride_b[axis];
  }
  uint64_t index = begin;
  while (index < end) {
    uint64_t n = inner - coordinate[rank - 1];
    if (n > end - index) n = end - index;
    binary_run(job->op, job->a + offset_a, inner_a, job->b + offset_b, inner_b, job->out + index, n);
    index += n;
    coordinate[rank - 1] += n;
    offset_a += n * inner_a;
    offset_b += n * inner_b;
    if (coordinate[rank - 1] < inner) continue;
    offset_a -= inner * inner_a;
    offset_b -= inner * inner_b;
    coordinate[rank - 1] = 0;
    for (int axis = rank - 2; axis >= 0; axis--) {
      coordinate[axis]++;
      offset_a += job->stride_a[axis];
      offset_b += job->stride_b[axis];
      if (coordinate[axis] < job->shape[axis]) break;
      offset_a -= coordinate[axis] * job->stride_a[axis];
      offset_b -= coordinate[axis] * job->stride_b[axis];
      coordinate[axis] = 0;
    }
  }
}

/*
 * binary(heap, op, a, aShape, b, bShape, out): out = a op b for float32 tensors, with numpy
 * broadcasting (out's shape is the broadcast of the two; its region must hold that many floats).
 * op: 0 add, 1 sub, 2 mul, 3 div, 4 squared difference, 5 maximum, 6 minimum. out may be a or b.
 */
static napi_value Binary(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value args[7];
  napi_get_cb_info(env, info, &argc, args, NULL, NULL);
  if (argc != 7) THROW(env, "binary: expected 7 arguments, got %zu", argc);
  uint8_t *heap;
  uint64_t heap_length, a_shape[MAX_RANK], b_shape[MAX_RANK], a_size, b_size;
  uint32_t a_rank, b_rank;
  int32_t op;
  if (!get_heap(env, args[0], &heap, &heap_length)) return NULL;
  if (napi_get_value_int32(env, args[1], &op) != napi_ok || op < 0 || op > BIN_LAST)
    THROW(env, "op: expected 0 (add), 1 (sub), 2 (mul), 3 (div), 4 (squared difference), 5 (maximum) or 6 (minimum)");
  if (!get_shape(env, args[3], "aShape", a_shape, &a_rank, &a_size) || !get_shape(env, args[5], "bShape", b_shape, &b_rank, &b_size)) return NULL;
  /* Broadcast, right-aligned; size-1 axes dropped, then axes that both operands walk alike merged. */
  const uint32_t rank = a_rank > b_rank ? a_rank : b_rank;
  binary_job job;
  job.op = op;
  job.rank = 0;
  uint64_t out_size = 1, stride_a = 1, stride_b = 1;
  uint64_t shape[MAX_RANK], sa[MAX_RANK], sb[MAX_RANK];
  for (int axis = (int)rank - 1; axis >= 0; axis--) {
    int ia = axis - (int)(rank - a_rank), ib = axis - (int)(rank - b_rank);
    uint64_t da = ia >= 0 ? a_shape[ia] : 1, db = ib >= 0 ? b_shape[ib] : 1;
    if (da != db && da != 1 && db != 1)
      THROW(env, "binary: shapes do not broadcast (axis %d: %llu vs %llu)", axis, (unsigned long long)da, (unsigned long long)db);
    uint64_t d = da > db ? da : db;
    shape[axis] = d;
    sa[axis] = da == 1 ? 0 : stride_a;
    sb[axis] = db == 1 ? 0 : stride_b;
    stride_a *= da;
    stride_b *= db;
    out_size *= d;
  }
  void *a, *b, *out;
  if (!get_tensor(env, args[2], "a", a_size, 4, heap, heap_length, &a) || !get_tensor(env, args[4], "b", b_size, 4, heap, heap_length, &b) ||
      !get_tensor(env, args[6], "out", out_size, 4, heap, heap_length, &out))
    return NULL;
  if (out_size == 0) return make_undefined(env);
  for (uint32_t axis = 0; axis < rank; axis++) {
    if (shape[axis] == 1) continue;
    int last = job.rank - 1;
    if (last >= 0 && job.stride_a[last] == sa[axis] * shape[axis] && job.stride_b[last] == sb[axis] * shape[axis]) {
      job.shape[last] *= shape[axis];
      job.stride_a[last] = sa[axis];
      job.stride_b[last] = sb[axis];
    } else {
      job.shape[job.rank] = shape[axis];
      job.stride_a[job.rank] = sa[axis];
      job.stride_b[job.rank] = sb[axis];
      job.rank++;
    }
  }
  if (job.rank == 0) {
    job.rank = 1;
    job.shape[0] = 1;
    job.stride_a[0] = job.stride_b[0] = 0;
  }
  job.a = (const float *)a;
  job.b = (const float *)b;
  job.out = (float *)out;
  parallel_for(binary_range, &job, out_size, out_size);
  return make_undefined(env);
}

/*
 * expf that the compiler can vectorise (glibc's expf is a call per element; the softmax and exp kernels
 * were 3x slower than XNNPACK's with it): Cody-Waite reduction x = n·ln2 + r, |r| <= ln2/2, then
 * Cephes's degree-6 polynomial for e^r, scaled by 2^n through the exponent bits. Within 2 ulp of
 * the correctly rounded result on [-87.3, 88.3]; below, 0 (where expf gives subnormals or 0); above,
 * +inf; NaN stays NaN.
 */
static inline float exp_approx(float x) {
  const float magic = 12582912.0f; /* 1.5·2^23: adding it rounds to an integer in the low mantissa bits */
  float clamped = x < -87.33654f ? -87.33654f : (x > 88.72283f ? 88.72283f : x);
  float shifted = clamped * 1.44269504088896341f + magic;
  float n = shifted - magic;
  int32_t shifted_bits, n_int;
  memcpy(&shifted_bits, &shifted, 4);
  int32_t magic_bits;
  memcpy(&magic_bits, &magic, 4);
  n_int = shifted_bits - magic_bits;
  float r = clamped - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  /* 2^n in two halves so that n = 128 (x near 88.7) does not overflow the exponent field. */
  int32_t half = n_int >> 1;
  int32_t scale_a_bits = (half + 127) << 23, scale_b_bits = (n_int - half + 127) << 23;
  float scale_a, scale_b;
  memcpy(&scale_a, &scale_a_bits, 4);
  memcpy(&scale_b, &scale_b_bits, 4);
  float result = p * scale_a * scale_b;
  result = x < -87.33654f ? 0.0f : result;
  result = x > 88.72283f ? INFINITY : result;
  return x != x ? x : result;
}

enum {
  UN_COPY = 0, UN_SQUARE = 1, UN_NEG = 2, UN_RELU = 3, UN_EXP = 4, UN_RSQRT = 5, UN_SQRT = 6, UN_STEP = 7, UN_SIGMOID = 8,
  UN_LOG = 9, UN_RECIPROCAL = 10, UN_ABS = 11, UN_LAST = 11
};
/* Source element types of `unary` (the result is always float32): a cast when not float32. */
enum { TYPE_FLOAT32 = 0, TYPE_INT32 = 1, TYPE_BOOL = 2 };

typedef struct {
  int op, type;
  float alpha;
  const void *x;
  float *out;
} unary_job;

#define UNARY_LOOP(EXPR)                                         \
  for (uint64_t i = begin; i < end; i++) {                       \
    const float x = source[i];                                   \
    o[i] = (EXPR);                                               \
  }

MLM_VECTOR_CLONES static void unary_range(const void *pointer, uint64_t begin, uint64_t end) {
  const unary_job *job = (const unary_job *)pointer;
  float *o = job->out;
  if (job->type == TYPE_INT32) {
    const int32_t *source = (const int32_t *)job->x;
    for (uint64_t i = begin; i < end; i++) o[i] = (float)source[i];
    return;
  }
  if (job->type == TYPE_BOOL) {
    const uint8_t *source = (const uint8_t *)job->x;
    for (uint64_t i = begin; i < end; i++) o[i] = source[i] ? 1.0f : 0.0f;
    return;
  }
  const float *source = (const float *)job->x;
  const float alpha = job->alpha;
  switch (job->op) {
  case UN_COPY: if (o != source) memmove(o + begin, source + begin, (end - begin) * sizeof(float)); break;
  case UN_SQUARE: UNARY_LOOP(x * x); break;
  case UN_NEG: UNARY_LOOP(-x); break;
  case UN_RELU: UNARY_LOOP(x < 0 ? 0.0f : x); break; /* NaN stays NaN */
  case UN_EXP: UNARY_LOOP(exp_approx(x)); break;
  case UN_RSQRT: UNARY_LOOP(1.0f / sqrtf(x)); break;
  case UN_SQRT: UNARY_LOOP(sqrtf(x)); break;
  case UN_STEP: UNARY_LOOP(x != x ? x : (x > 0 ? 1.0f : alpha)); break;
  case UN_SIGMOID: UNARY_LOOP(1.0f / (1.0f + exp_approx(-x))); break;
  case UN_LOG: UNARY_LOOP(logf(x)); break;
  case UN_RECIPROCAL: UNARY_LOOP(1.0f / x); break;
  case UN_ABS: UNARY_LOOP(fabsf(x)); break;
  default: break;
  }
}

/*
 * unary(heap, op, x, xType, out, count, alpha): out = op(x) elementwise, float32 out. xType 0: float32
 * x; 1 (int32) and 2 (bool, one byte each) cast to float32 and need op 0 (copy). op: 0 copy, 1 square,
 * 2 neg, 3 relu, 4 exp, 5 rsqrt, 6 sqrt, 7 step (x > 0 ? 1 : alpha), 8 sigmoid, 9 log, 10 reciprocal,
 * 11 abs. out may be x (float32).
 */
static napi_value Unary(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value args[7];
  napi_get_cb_info(env, info, &argc, args, NULL, NULL);
  if (argc != 7) THROW(env, "unary: expected 7 arguments, got %zu", argc);
  uint8_t *heap;
  uint64_t heap_length, count;
  int32_t op, type;
  double alpha;
  if (!get_heap(env, args[0], &heap, &heap_length)) return NULL;
  if (napi_get_value_int32(env, args[1], &op) != napi_ok || op < 0 || op > UN_LAST) THROW(env, "op: expected an integer in [0, %d]", UN_LAST);
  if (napi_get_value_int32(env, args[3], &type) != napi_ok || type < TYPE_FLOAT32 || type > TYPE_BOOL)
    THROW(env, "xType: expected 0 (float32), 1 (int32) or 2 (bool)");
  if (type != TYPE_FLOAT32 && op != UN_COPY) THROW(env, "op: int32 and bool inputs take op 0 (a cast to float32), got %d", op);
  if (!get_u32(env, args[5], "count", &count)) return NULL;
  if (napi_get_value_double(env, args[6], &alpha) != napi_ok) THROW(env, "alpha: expected a number");
  void *x, *out;
  if (!get_tensor(env, args[2], "x", count, type == TYPE_BOOL ? 1 : 4, heap, heap_length, &x) ||
      !get_tensor(env, args[4], "out", count, 4, heap, heap_length, &out))
    return NULL;
  unary_job job = {op, type, (float)alpha, x, (float *)out};
  parallel_for(unary_range, &job, count, count);
  return make_undefined(env);
}

/* ---------------------------------------------------------------- reductions and softmax */

enum { RED_SUM = 0, RED_MEAN = 1, RED_MAX = 2, RED_MIN = 3, RED_LAST = 3 };

typedef struct {
  int op;
  uint64_t rows, inner;
  const float *x;
  float *out;
} reduce_job;

/* Largest of n >= 1 floats, in 8 lanes (vectorisable); a NaN in the row may or may not win. */
static inline float row_max(const float *row, uint64_t n) {
  float lanes[8];
  for (int j = 0; j < 8; j++) lanes[j] = row[0];
  uint64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int j = 0; j < 8; j++) lanes[j] = row[i + j] > lanes[j] ? row[i + j] : lanes[j];
  float m = lanes[0];
  for (int j = 1; j < 8; j++) m = lanes[j] > m ? lanes[j] : m;
  for (; i < n; i++) m = row[i] > m ? row[i] : m;
  return m;
}

/* max(-row): the smallest entry, negated. */
static inline float row_max_negated(const float *row, uint64_t n) {
  float lanes[8];
  for (int j = 0; j < 8; j++) lanes[j] = -row[0];
  uint64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int j = 0; j < 8; j++) lanes[j] = -row[i + j] > lanes[j] ? -row[i + j] : lanes[j];
  float m = lanes[0];
  for (int j = 1; j < 8; j++) m = lanes[j] > m ? lanes[j] : m;
  for (; i < n; i++) m = -row[i] > m ? -row[i] : m;
  return m;
}

/* Over the innermost axis: out[r] = reduce(x[r, :]); sums in float64. */
MLM_VECTOR_CLONES static void reduce_rows_range(const void *pointer, uint64_t begin, uint64_t end) {
  const reduce_job *job = (const reduce_job *)pointer;
  const uint64_t inner = job->inner;
  for (uint64_t r = begin; r < end; r++) {
    const float *row = job->x + r * inner;
    if (job->op == RED_SUM || job->op == RED_MEAN) {
      double lanes[8] = {0, 0, 0, 0, 0, 0, 0, 0}, s = 0;
      uint64_t i = 0;
      for (; i + 8 <= inner; i += 8)
        for (int j = 0; j < 8; j++) lanes[j] += row[i + j];
      for (; i < inner; i++) s += row[i];
      for (int j = 0; j < 8; j++) s += lanes[j];
      job->out[r] = (float)(job->op == RED_MEAN ? s / (double)inner : s);
    } else {
      /* NaN wins, as tfjs's Max and Min: checked after the vectorisable pass. */
      float m = job->op == RED_MAX ? row_max(row, inner) : -row_max_negated(row, inner);
      for (uint64_t i = 0; i < inner; i++)
        if (row[i] != row[i]) {
          m = row[i];
          break;
        }
      job->out[r] = m;
    }
  }
}

/* Over leading axes: out[j] = reduce_i(x[i, j]) for columns j in [begin, end); float64 sums. */
MLM_VECTOR_CLONES static void reduce_leading_range(const void *pointer, uint64_t begin, uint64_t end) {
  const reduce_job *job = (const reduce_job *)pointer;
  enum { BLOCK = 512 };
  double sums[BLOCK];
  float extremes[BLOCK];
  for (uint64_t start = begin; start < end; start += BLOCK) {
    const uint64_t width = end - start < BLOCK ? end - start : BLOCK;
    const int sum = job->op == RED_SUM || job->op == RED_MEAN;
    if (sum) for (uint64_t j = 0; j < width; j++) sums[j] = 0;
    else for (uint64_t j = 0; j < width; j++) extremes[j] = job->x[start + j];
    for (uint64_t i = sum ? 0 : 1; i < job->rows; i++) {
      const float *row = job->x + i * job->inner + start;
      if (sum) for (uint64_t j = 0; j < width; j++) sums[j] += row[j];
      else if (job->op == RED_MAX)
        for (uint64_t j = 0; j < width; j++) extremes[j] = (row[j] > extremes[j] || row[j] != row[j]) && extremes[j] == extremes[j] ? row[j] : extremes[j];
      else
        for (uint64_t j = 0; j < width; j++) extremes[j] = (row[j] < extremes[j] || row[j] != row[j]) && extremes[j] == extremes[j] ? row[j] : extremes[j];
    }
    for (uint64_t j = 0; j < width; j++)
      job->out[start + j] = sum ? (float)(job->op == RED_MEAN ? sums[j] / (double)job->rows : sums[j]) : extremes[j];
  }
}

/*
 * reduce(heap, op, x, out, rows, inner, leading): x is [rows, inner] float32. leading false: out[rows]
 * reduces each row (the innermost axes); true: out[inner] reduces over the rows (the leading axes).
 * op: 0 sum, 1 mean, 2 max, 3 min (NaN wins, as tfjs).
 */
static napi_value Reduce(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value args[7];
  napi_get_cb_info(env, info, &argc, args, NULL, NULL);
  if (argc != 7) THROW(env, "reduce: expected 7 arguments, got %zu", argc);
  uint8_t *heap;
  uint64_t heap_length, rows, inner;
  int32_t op;
  bool leading;
  if (!get_heap(env, args[0], &heap, &heap_length)) return NULL;
  if (napi_get_value_int32(env, args[1], &op) != napi_ok || op < 0 || op > RED_LAST) THROW(env, "op: expected 0 (sum), 1 (mean), 2 (max) or 3 (min)");
  if (!get_u32(env, args[4], "rows", &rows) || !get_u32(env, args[5], "inner", &inner)) return NULL;
  if (napi_get_value_bool(env, args[6], &leading) != napi_ok) THROW(env, "leading: expected a boolean");
  if (rows * inner > 0xffffffffull) THROW(env, "reduce: more than 2^32 elements");
  void *x, *out;
  if (!get_tensor(env, args[2], "x", rows * inner, 4, heap, heap_length, &x) ||
      !get_tensor(env, args[3], "out", leading ? inner : rows, 4, heap, heap_length, &out))
    return NULL;
  if ((leading ? inner : rows) == 0) return make_undefined(env);
  if ((leading ? rows : inner) == 0) {
    if (op >= RED_MAX) THROW(env, "reduce: max and min of an empty axis are undefined");
    memset(out, 0, (leading ? inner : rows) * sizeof(float));
    return make_undefined(env);
  }
  uint64_t xs = (uint64_t)((uint8_t *)x - heap), os = (uint64_t)((uint8_t *)out - heap);
  if (xs < os + (leading ? inner : rows) * 4 && os < xs + rows * inner * 4) THROW(env, "reduce: x and out overlap");
  reduce_job job = {op, rows, inner, (const float *)x, (float *)out};
  if (leading) parallel_for(reduce_leading_range, &job, inner, rows * inner);
  else parallel_for(reduce_rows_range, &job, rows, rows * inner);
  return make_undefined(env);
}

/* ---------------------------------------------------------------- layer normalization */

/*
 * Layer normalization over the innermost axis of x [rows, dim], fused into one pass per row (the
 * row stays in L1 between its passes). Row statistics in float64: mean = Σx / dim, then the variance
 * from the centred values (two passes, no cancellation), rstd = 1 / √(variance + ε). Sums run in 8
 * float64 lanes (vectorisable), the tail first, then lanes 0..7: @mlm/backend's JavaScript version
 * adds in the same order, so both give the same bits. Every product and sum is its own statement (no
 * FMA contraction, which would change the bits).
 */
/*
 * The row helpers must be inlined into the cloned loops (AVX2 and baseline): called out of line, their
 * mean and rstd outputs live in memory and GCC vectorises neither them nor the loops around them.
 */
#if defined(__GNUC__) || defined(__clang__)
#define MLM_LAYER_NORM_INLINE inline __attribute__((always_inline))
#else
#define MLM_LAYER_NORM_INLINE inline
#endif

typedef struct {
  const float *x, *dy, *weight, *bias;
  float *out;
  double *partials; /* gradient: [blocks][2][dim] float64 partial sums of dy·x̂ and dy */
  uint64_t rows, dim, blocks;
  double epsilon;
} layer_norm_job;

/* Σ of a row of n floats in 8 float64 lanes: the tail, then lanes 0..7. */
static MLM_LAYER_NORM_INLINE double layer_norm_row_sum(const float *row, uint64_t n) {
  double lanes[8] = {0, 0, 0, 0, 0, 0, 0, 0}, s = 0;
  uint64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int j = 0; j < 8; j++) lanes[j] += (double)row[i + j];
  for (; i < n; i++) s += (double)row[i];
  for (int j = 0; j < 8; j++) s += lanes[j];
  return s;
}

/* Σ (row[i] − mean)², the same lanes and order. */
static MLM_LAYER_NORM_INLINE double layer_norm_row_squares(const float *row, uint64_t n, double mean) {
  double lanes[8] = {0, 0, 0, 0, 0, 0, 0, 0}, s = 0;
  uint64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int j = 0; j < 8; j++) {
      const double d = (double)row[i + j] - mean;
      const double d2 = d * d;
      lanes[j] += d2;
    }
  for (; i < n; i++) {
    const double d = (double)row[i] - mean;
    const double d2 = d * d;
    s += d2;
  }
  for (int j = 0; j < 8; j++) s += lanes[j];
  return s;
}

static MLM_LAYER_NORM_INLINE void layer_norm_statistics(const float *row, uint64_t dim, double epsilon, double *mean, double *rstd) {
  const double m = layer_norm_row_sum(row, dim) / (double)dim;
  const double variance = layer_norm_row_squares(row, dim, m) / (double)dim;
  *mean = m;
  *rstd = 1.0 / sqrt(variance + epsilon);
}

/* Σ dy·weight over a row, the same lanes and order. */
static MLM_LAYER_NORM_INLINE double layer_norm_row_sum_g(const float *dy, const float *w, uint64_t n) {
  double lanes[8] = {0, 0, 0, 0, 0, 0, 0, 0}, s = 0;
  uint64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int j = 0; j < 8; j++) {
      const double g = (double)dy[i + j] * (double)w[i + j];
      lanes[j] += g;
    }
  for (; i < n; i++) {
    const double g = (double)dy[i] * (double)w[i];
    s += g;
  }
  for (int j = 0; j < 8; j++) s += lanes[j];
  return s;
}

/* Σ (dy·weight)·((x − mean)·rstd) over a row, the same lanes and order. */
static MLM_LAYER_NORM_INLINE double layer_norm_row_sum_gx(const float *dy, const float *w, const float *x, uint64_t n, double mean, double rstd) {
  double lanes[8] = {0, 0, 0, 0, 0, 0, 0, 0}, s = 0;
  uint64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int j = 0; j < 8; j++) {
      const double centred = (double)x[i + j] - mean;
      const double normalized = centred * rstd;
      const double g = (double)dy[i + j] * (double)w[i + j];
      const double gx = g * normalized;
      lanes[j] += gx;
    }
  for (; i < n; i++) {
    const double centred = (double)x[i] - mean;
    const double normalized = centred * rstd;
    const double g = (double)dy[i] * (double)w[i];
    const double gx = g * normalized;
    s += gx;
  }
  for (int j = 0; j < 8; j++) s += lanes[j];
  return s;
}

/* y = ((x − mean)·rstd)·weight + bias in float64, rounded once; rows [begin, end). */
MLM_VECTOR_CLONES static void layer_norm_range(const void *pointer, uint64_t begin, uint64_t end) {
  const layer_norm_job *job = (const layer_norm_job *)pointer;
  const uint64_t dim = job->dim;
  const float *w = job->weight, *b = job->bias;
  for (uint64_t r = begin; r < end; r++) {
    const float *x = job->x + r * dim;
    float *y = job->out + r * dim;
    double mean, rstd;
    layer_norm_statistics(x, dim, job->epsilon, &mean, &rstd);
    for (uint64_t i = 0; i < dim; i++) {
      const double centred = (double)x[i] - mean;
      const double normalized = centred * rstd;
      const double scaled = normalized * (double)w[i];
      y[i] = (float)(scaled + (double)b[i]);
    }
  }
}

/* Rows of gradient block k: [k·rows/blocks, (k+1)·rows/blocks). */
static inline void layer_norm_block_rows(const layer_norm_job *job, uint64_t block, uint64_t *begin, uint64_t *end) {
  *begin = job->rows * block / job->blocks;
  *end = job->rows * (block + 1) / job->blocks;
}

/*
 * Gradient blocks [begin, end): per row, with g = dy·weight, x̂ = (x − mean)·rstd,
 * dx = rstd·((g − mean(g)) − x̂·mean(g·x̂)); the block's partial Σ dy·x̂ and Σ dy per column in float64.
 */
MLM_VECTOR_CLONES static void layer_norm_grad_range(const void *pointer, uint64_t begin, uint64_t end) {
  const layer_norm_job *job = (const layer_norm_job *)pointer;
  const uint64_t dim = job->dim;
  const float *w = job->weight;
  for (uint64_t block = begin; block < end; block++) {
    double *dweight = job->partials + block * 2 * dim, *dbias = dweight + dim;
    for (uint64_t i = 0; i < dim; i++) dweight[i] = dbias[i] = 0;
    uint64_t first, last;
    layer_norm_block_rows(job, block, &first, &last);
    for (uint64_t r = first; r < last; r++) {
      const float *x = job->x + r * dim, *dy = job->dy + r * dim;
      float *dx = job->out + r * dim;
      double mean, rstd;
      layer_norm_statistics(x, dim, job->epsilon, &mean, &rstd);
      const double sum_g = layer_norm_row_sum_g(dy, w, dim), sum_gx = layer_norm_row_sum_gx(dy, w, x, dim, mean, rstd);
      const double mean_g = sum_g / (double)dim, mean_gx = sum_gx / (double)dim;
      for (uint64_t i = 0; i < dim; i++) {
        const double centred = (double)x[i] - mean;
        const double normalized = centred * rstd;
        const double g = (double)dy[i] * (double)w[i];
        const double shifted = g - mean_g;
        const double along = normalized * mean_gx;
        const double difference = shifted - along;
        dx[i] = (float)(rstd * difference);
        const double product = (double)dy[i] * normalized;
        dweight[i] += product;
        dbias[i] += (double)dy[i];
      }
    }
  }
}

/* Whether byte regions [a, a + a_bytes) and [b, b + b_bytes) share a byte. */
static int layer_norm_overlap(const void *a, uint64_t a_bytes, const void *b, uint64_t b_bytes) {
  const uint8_t *pa = (const uint8_t *)a, *pb = (const uint8_t *)b;
  return a_bytes > 0 && b_bytes > 0 && pa < pb + b_bytes && pb < pa + a_bytes;
}

static int get_layer_norm_shape(napi_env env, napi_value rows_value, napi_value dim_value, napi_value epsilon_value, uint64_t *rows, uint64_t *dim,
                                double *epsilon) {
  if (!get_u32(env, rows_value, "rows", rows) || !get_u32(env, dim_value, "dim", dim)) return 0;
  if (*rows * *dim > 0xffffffffull) THROW(env, "layerNorm: more than 2^32 elements");
  if (napi_get_value_double(env, epsilon_value, epsilon) != napi_ok || !(*epsilon >= 0) || !isfinite(*epsilon))
    THROW(env, "epsilon: expected a finite number >= 0");
  return 1;
}

/* The number of gradient blocks: fixed by rows alone, so the sums do not depend on the thread count. */
#define LAYER_NORM_GRAD_BLOCKS 64

/*
 * layerNorm(heap, x, weight, bias, out, rows, dim, epsilon): out = layer norm of each row of x
 * [rows, dim] with weight, bias [dim]. out must not overlap x, weight or bias.
 */
static napi_value LayerNorm(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value args[8];
  napi_get_cb_info(env, info, &argc, args, NULL, NULL);
  if (argc != 8) THROW(env, "layerNorm: expected 8 arguments, got %zu", argc);
  uint8_t *heap;
  uint64_t heap_length, rows, dim;
  double epsilon;
  if (!get_heap(env, args[0], &heap, &heap_length) || !get_layer_norm_shape(env, args[5], args[6], args[7], &rows, &dim, &epsilon)) return NULL;
  const uint64_t count = rows * dim;
  void *x, *weight, *bias, *out;
  if (!get_tensor(env, args[1], "x", count, 4, heap, heap_length, &x) || !get_tensor(env, args[2], "weight", dim, 4, heap, heap_length, &weight) ||
      !get_tensor(env, args[3], "bias", dim, 4, heap, heap_length, &bias) || !get_tensor(env, args[4], "out", count, 4, heap, heap_length, &out))
    return NULL;
  if (layer_norm_overlap(out, count * 4, x, count * 4) || layer_norm_overlap(out, count * 4, weight, dim * 4) ||
      layer_norm_overlap(out, count * 4, bias, dim * 4))
    THROW(env, "out: its region overlaps x, weight or bias");
  if (count == 0) return make_undefined(env);
  layer_norm_job job = {(const float *)x, NULL, (const float *)weight, (const float *)bias, (float *)out, NULL, rows, dim, 0, epsilon};
  parallel_for(layer_norm_range, &job, rows, count * 2);
  return make_undefined(env);
}

/*
 * layerNormGrad(heap, dy, x, weight, dx, dweight, dbias, rows, dim, epsilon): the gradients of
 * layerNorm with respect to x [rows, dim], weight and bias [dim]. The column sums dweight, dbias add
 * min(rows, 64) float64 block partials in block order (the same result for every thread count).
 * The outputs must not overlap each other or the inputs.
 */
static napi_value LayerNormGrad(napi_env env, napi_callback_info info) {
  size_t argc = 10;
  napi_value args[10];
  napi_get_cb_info(env, info, &argc, args, NULL, NULL);
  if (argc != 10) THROW(env, "layerNormGrad: expected 10 arguments, got %zu", argc);
  uint8_t *heap;
  uint64_t heap_length, rows, dim;
  double epsilon;
  if (!get_heap(env, args[0], &heap, &heap_length) || !get_layer_norm_shape(env, args[7], args[8], args[9], &rows, &dim, &epsilon)) return NULL;
  const uint64_t count = rows * dim;
  void *dy, *x, *weight, *dx, *dweight, *dbias;
  if (!get_tensor(env, args[1], "dy", count, 4, heap, heap_length, &dy) || !get_tensor(env, args[2], "x", count, 4, heap, heap_length, &x) ||
      !get_tensor(env, args[3], "weight", dim, 4, heap, heap_length, &weight) || !get_tensor(env, args[4], "dx", count, 4, heap, heap_length, &dx) ||
      !get_tensor(env, args[5], "dweight", dim, 4, heap, heap_length, &dweight) ||
      !get_tensor(env, args[6], "dbias", dim, 4, heap, heap_length, &dbias))
    return NULL;
  const void *outputs[3] = {dx, dweight, dbias};
  const uint64_t output_bytes[3] = {count * 4, dim * 4, dim * 4};
  const void *inputs[3] = {dy, x, weight};
  const uint64_t input_bytes[3] = {count * 4, count * 4, dim * 4};
  for (int o = 0; o < 3; o++) {
    for (int i = 0; i < 3; i++)
      if (layer_norm_overlap(outputs[o], output_bytes[o], inputs[i], input_bytes[i])) THROW(env, "layerNormGrad: an output overlaps an input");
    for (int p = o + 1; p < 3; p++)
      if (layer_norm_overlap(outputs[o], output_bytes[o], outputs[p], output_bytes[p])) THROW(env, "layerNormGrad: two outputs overlap");
  }
  if (dim == 0) return make_undefined(env);
  float *dw = (float *)dweight, *db = (float *)dbias;
  if (rows == 0) {
    memset(dw, 0, dim * sizeof(float));
    memset(db, 0, dim * sizeof(float));
    return make_undefined(env);
  }
  const uint64_t blocks = rows < LAYER_NORM_GRAD_BLOCKS ? rows : LAYER_NORM_GRAD_BLOCKS;
  double *partials = (double *)malloc(blocks * 2 * dim * sizeof(double));
  if (!partials) THROW(env, "layerNormGrad: out of memory for %llu partial sums", (unsigned long long)(blocks * 2 * dim));
  layer_norm_job job = {(const float *)x, (const float *)dy, (const float *)weight, NULL, (float *)dx, partials, rows, dim, blocks, epsilon};
  parallel_for(layer_norm_grad_range, &job, blocks, count * 3);
  for (uint64_t i = 0; i < dim; i++) {
    double sum_w = 0, sum_b = 0;
    for (uint64_t block = 0; block < blocks; block++) {
      sum_w += partials[block * 2 * dim + i];
      sum_b += partials[block * 2 * dim + dim + i];
    }
    dw[i] = (float)sum_w;
    db[i] = (float)sum_b;
  }
  free(partials);
  return make_undefined(env);
}

/*
 * Softmax of each row: e = exp(x - max), then e / Σe. The sum runs in 8 float64 lanes while the
 * exponentials are written (vectorisable), then the lanes are added.
 */
MLM_VECTOR_CLONES static void softmax_range(const void *pointer, uint64_t begin, uint64_t end) {
  const reduce_job *job = (const reduce_job *)pointer;
  const uint64_t inner = job->inner;
  for (uint64_t r = begin; r < end; r++) {
    const float *row = job->x + r * inner;
    float *o = job->out + r * inner;
    const float m = row_max(row, inner);
    double lanes[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    uint64_t i = 0;
    for (; i + 8 <= inner; i += 8)
      for (int j = 0; j < 8; j++) {
        const float e = exp_approx(row[i + j] - m);
        o[i + j] = e;
        lanes[j] += e;
      }
    double s = 0;
    for (; i < inner; i++) {
      const float e = exp_approx(row[i] - m);
      o[i] = e;
      s += e;
    }
    for (int j = 0; j < 8; j++) s += lanes[j];
    const float total = (float)s;
    for (uint64_t j = 0; j < inner; j++) o[j] = o[j] / total;
  }
}

/* softmax(heap, x, out, rows, inner): softmax over the innermost axis of x [rows, inner]; out may be x. */
static napi_value Softmax(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value args[5];
  napi_get_cb_info(env, info, &argc, args, NULL, NULL);
  if (argc != 5) THROW(env, "softmax: expected 5 arguments, got %zu", argc);
  uint8_t *heap;
  uint64_t heap_length, rows, inner;
  if (!get_heap(env, args[0], &heap, &heap_length) || !get_u32(env, args[3], "rows", &rows) || !get_u32(env, args[4], "inner", &inner)) return NULL;
  if (rows * inner > 0xffffffffull) THROW(env, "softmax: more than 2^32 elements");
  void *x, *out;
  if (!get_tensor(env, args[1], "x", rows * inner, 4, heap, heap_length, &x) || !get_tensor(env, args[2], "out", rows * inner, 4, heap, heap_length, &out))
    return NULL;
  if (rows == 0 || inner == 0) return make_undefined(env);
  reduce_job job = {RED_SUM, rows, inner, (const float *)x, (float *)out};
  parallel_for(softmax_range, &job, rows, rows * inner * 4);
  return make_undefined(env);
}

/* ---------------------------------------------------------------- rotary embedding */

/*
 * Every output element is two float32 products and one sum, as tfjs's composed Multiply, Multiply and
 * Add compute it, so the results are equal bit for bit (up to the sign of a zero). The products and
 * the sum are separate statements and contraction is off, so no compiler fuses them into an FMA:
 * clang contracts within a statement by default (the pragma below turns that off); GCC in ISO C mode
 * (-std=c11, as scripts/build-addon.mjs compiles) never contracts, and in GNU mode the attribute does.
 */
#if defined(__clang__)
#define MLM_NO_FP_CONTRACT _Pragma("clang fp contract(off)")
#define MLM_NO_FP_CONTRACT_ATTRIBUTE
#elif defined(__GNUC__) && !defined(__STRICT_ANSI__)
#define MLM_NO_FP_CONTRACT
#define MLM_NO_FP_CONTRACT_ATTRIBUTE __attribute__((optimize("fp-contract=off")))
#else
#define MLM_NO_FP_CONTRACT
#define MLM_NO_FP_CONTRACT_ATTRIBUTE
#endif

typedef struct {
  const float *x, *c, *s; /* x (or dy) [groups, heads, rows, dim]; tables [groups, table_heads, rows, dim] */
  float *out;
  uint64_t heads, table_heads, rows, dim, rotary;
  int backward;
} rotary_job;

/* Rows [begin, end) of [groups·heads·rows] vectors of `dim` floats. */
MLM_VECTOR_CLONES MLM_NO_FP_CONTRACT_ATTRIBUTE static void rotary_range(const void *pointer, uint64_t begin, uint64_t end) {
  MLM_NO_FP_CONTRACT
  const rotary_job *job = (const rotary_job *)pointer;
  const uint64_t dim = job->dim, rotary = job->rotary, half = rotary / 2, rows = job->rows, heads = job->heads;
  for (uint64_t unit = begin; unit < end; unit++) {
    const uint64_t row = unit % rows, group_head = unit / rows, head = group_head % heads, group = group_head / heads;
    const uint64_t table = ((group * job->table_heads + (job->table_heads == 1 ? 0 : head)) * rows + row) * dim;
    const float *x = job->x + unit * dim, *c = job->c + table, *s = job->s + table;
    float *o = job->out + unit * dim;
    if (!job->backward) {
      /* out = x·c + rotateHalf(x)·s; rotateHalf(x) = [−x2, x1, 0…] */
      for (uint64_t j = 0; j < half; j++) {
        const float p = x[j] * c[j];
        const float q = -x[j + half] * s[j];
        o[j] = p + q;
      }
      for (uint64_t j = half; j < rotary; j++) {
        const float p = x[j] * c[j];
        const float q = x[j - half] * s[j];
        o[j] = p + q;
      }
      for (uint64_t j = rotary; j < dim; j++) {
        const float p = x[j] * c[j];
        const float q = 0.0f * s[j];
        o[j] = p + q;
      }
    } else {
      /* dx = dy·c − rotateHalf(dy·s): rotateHalf's matrix is skew-symmetric on the first r features. */
      for (uint64_t j = 0; j < half; j++) {
        const float p = x[j] * c[j];
        const float q = x[j + half] * s[j + half];
        o[j] = p + q;
      }
      for (uint64_t j = half; j < rotary; j++) {
        const float p = x[j] * c[j];
        const float q = x[j - half] * s[j - half];
        o[j] = p - q;
      }
      for (uint64_t j = rotary; j < dim; j++) o[j] = x[j] * c[j];
    }
  }
}

static int regions_overlap(uint64_t a, uint64_t a_bytes, uint64_t b, uint64_t b_bytes) {
  return a_bytes > 0 && b_bytes > 0 && a < b + b_bytes && b < a + a_bytes;
}

/*
 * rotary(heap, x, cos, sin, out, groups, heads, tableHeads, rows, dim, rotaryDim, backward):
 * x and out [groups, heads, rows, dim], cos and sin [groups, tableHeads (1 or heads), rows, dim].
 * Forward: out = x·cos + rotateHalf(x)·sin. Backward (x is dy): out = dy·cos − rotateHalf(dy·sin).
 * out must not overlap x, cos or sin.
 */
static napi_value Rotary(napi_env env, napi_callback_info info) {
  size_t argc = 12;
  napi_value args[12];
  napi_get_cb_info(env, info, &argc, args, NULL, NULL);
  if (argc != 12) THROW(env, "rotary: expected 12 arguments, got %zu", argc);
  uint8_t *heap;
  uint64_t heap_length, groups, heads, table_heads, rows, dim, rotary;
  if (!get_heap(env, args[0], &heap, &heap_length) || !get_u32(env, args[5], "groups", &groups) || !get_u32(env, args[6], "heads", &heads) ||
      !get_u32(env, args[7], "tableHeads", &table_heads) || !get_u32(env, args[8], "rows", &rows) || !get_u32(env, args[9], "dim", &dim) ||
      !get_u32(env, args[10], "rotaryDim", &rotary))
    return NULL;
  bool backward = false;
  if (napi_get_value_bool(env, args[11], &backward) != napi_ok) THROW(env, "backward: expected a boolean");
  if (table_heads != 1 && table_heads != heads)
    THROW(env, "tableHeads: expected 1 or heads (%llu), got %llu", (unsigned long long)heads, (unsigned long long)table_heads);
  if (rotary % 2 != 0 || rotary > dim)
    THROW(env, "rotaryDim: expected an even number <= dim (%llu), got %llu", (unsigned long long)dim, (unsigned long long)rotary);
  /* Each factor is < 2^32; stop as soon as a partial product passes 2^32 elements. */
  uint64_t count = groups;
  const uint64_t factors[3] = {heads, rows, dim};
  for (int i = 0; i < 3; i++) {
    count *= factors[i];
    if (count > 0xffffffffull) THROW(env, "rotary: more than 2^32 elements");
  }
  const uint64_t table_count = heads == 0 ? 0 : count / heads * table_heads;
  void *x, *c, *s, *out;
  if (!get_tensor(env, args[1], "x", count, 4, heap, heap_length, &x) || !get_tensor(env, args[2], "cos", table_count, 4, heap, heap_length, &c) ||
      !get_tensor(env, args[3], "sin", table_count, 4, heap, heap_length, &s) || !get_tensor(env, args[4], "out", count, 4, heap, heap_length, &out))
    return NULL;
  const uint64_t out_at = (uint64_t)((uint8_t *)out - heap);
  if (regions_overlap(out_at, count * 4, (uint64_t)((uint8_t *)x - heap), count * 4) ||
      regions_overlap(out_at, count * 4, (uint64_t)((uint8_t *)c - heap), table_count * 4) ||
      regions_overlap(out_at, count * 4, (uint64_t)((uint8_t *)s - heap), table_count * 4))
    THROW(env, "out: its region overlaps x, cos or sin");
  if (count == 0) return make_undefined(env);
  rotary_job job = {(const float *)x, (const float *)c, (const float *)s, (float *)out, heads, table_heads, rows, dim, rotary, backward ? 1 : 0};
  parallel_for(rotary_range, &job, groups * heads * rows, count);
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
  set_string(env, result, "threadTimeout", blas.handle && blas.vendor[0] == 'O' ? blas.thread_timeout : NULL);
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
  blas_threads = threads;
  pool_resize(threads);
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
      {"binary", NULL, Binary, NULL, NULL, NULL, napi_default, NULL},
      {"unary", NULL, Unary, NULL, NULL, NULL, napi_default, NULL},
      {"reduce", NULL, Reduce, NULL, NULL, NULL, napi_default, NULL},
      {"layerNorm", NULL, LayerNorm, NULL, NULL, NULL, napi_default, NULL},
      {"layerNormGrad", NULL, LayerNormGrad, NULL, NULL, NULL, napi_default, NULL},
      {"softmax", NULL, Softmax, NULL, NULL, NULL, napi_default, NULL},
      {"rotary", NULL, Rotary, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof properties / sizeof properties[0], properties);
  return exports;
}
