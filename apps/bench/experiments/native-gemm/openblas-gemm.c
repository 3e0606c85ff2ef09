/*
 * Experiment (not part of the product): a Node-API addon that runs OpenBLAS's sgemm directly on the
 * tfjs wasm backend's heap (an ArrayBuffer: the single-threaded build's memory), so a product can
 * leave wasm for native code without copying anything. Built by build.sh; measured by measure.ts.
 * It shows what a native matmul route would give (see ../../README.md, "What is left").
 */
#include <node_api.h>
#include <stdint.h>
void cblas_sgemm(int order, int transA, int transB, int M, int N, int K, float alpha, const float* A, int lda,
                 const float* B, int ldb, float beta, float* C, int ldc);
void openblas_set_num_threads(int);
static napi_value Sgemm(napi_env env, napi_callback_info info) {
  size_t argc = 9; napi_value args[9];
  napi_get_cb_info(env, info, &argc, args, NULL, NULL);
  void* data = NULL; size_t length = 0;
  if (napi_get_arraybuffer_info(env, args[0], &data, &length) != napi_ok) { napi_throw_error(env, NULL, "expected an ArrayBuffer"); return NULL; }
  int64_t v[8];
  for (int i = 0; i < 8; i++) napi_get_value_int64(env, args[i + 1], &v[i]);
  const float* A = (const float*)((char*)data + v[0]);
  const float* B = (const float*)((char*)data + v[1]);
  float* C = (float*)((char*)data + v[2]);
  int M = (int)v[3], K = (int)v[4], N = (int)v[5], tA = (int)v[6], tB = (int)v[7];
  cblas_sgemm(101, tA ? 112 : 111, tB ? 112 : 111, M, N, K, 1.0f, A, tA ? M : K, B, tB ? K : N, 0.0f, C, N);
  return NULL;
}
static napi_value Threads(napi_env env, napi_callback_info info) {
  size_t argc = 1; napi_value args[1]; napi_get_cb_info(env, info, &argc, args, NULL, NULL);
  int32_t n; napi_get_value_int32(env, args[0], &n); openblas_set_num_threads(n); return NULL;
}
NAPI_MODULE_INIT() {
  napi_value fn;
  napi_create_function(env, "sgemm", NAPI_AUTO_LENGTH, Sgemm, NULL, &fn); napi_set_named_property(env, exports, "sgemm", fn);
  napi_create_function(env, "setThreads", NAPI_AUTO_LENGTH, Threads, NULL, &fn); napi_set_named_property(env, exports, "setThreads", fn);
  return exports;
}
