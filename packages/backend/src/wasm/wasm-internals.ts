import type { DataId, DataType, KernelBackend, TensorInfo } from '@tensorflow/tfjs-core';

/**
 * The parts of @tensorflow/tfjs-backend-wasm 4.22.0's internals that the kernels in this folder use.
 * They are not public API; that is why every @tensorflow/* package is pinned to an exact version.
 */
export interface WasmModule {
  _malloc(numBytes: number): number;
  _free(pointer: number): void;
  HEAPU8: Uint8Array;
  /** Exported by the threaded build only (its memory is shared and may grow from any thread). */
  wasmMemory?: WebAssembly.Memory;
  /** The instance's exports (the single-threaded build exports its memory there). */
  asm?: { memory?: WebAssembly.Memory };
  cwrap(name: string, returnType: string | null, argumentTypes: string[]): (...args: unknown[]) => unknown;
  tfjs: {
    init(): void;
    initWithThreadsCount(threads: number): void;
    getThreadsCount(): number;
    registerTensor(id: number, size: number, memoryOffset: number): void;
    disposeData(id: number): void;
    dispose(): void;
  };
  /** Emscripten's pthread bookkeeping (threaded build only). */
  PThread?: {
    runningWorkers: Array<{ unref(): void; ref(): void }>;
    unusedWorkers: Array<{ unref(): void; terminate(): void }>;
    terminateAllThreads(): void;
  };
}

export interface WasmTensorData {
  id: number;
  memoryOffset: number;
  shape: number[];
  dtype: DataType;
  refCount: number;
  stringBytes?: Uint8Array[];
}

export interface WasmBackendInternals extends KernelBackend {
  wasm: WasmModule;
  dataIdMap: { get(dataId: DataId): WasmTensorData; has(dataId: DataId): boolean };
  dataIdNextNumber: number;
  makeOutput(shape: number[], dtype: DataType, memoryOffset?: number, values?: unknown): TensorInfo;
  disposeData(dataId: DataId, force?: boolean): boolean;
  incRef(dataId: DataId): void;
}

export type HeapArray = Float32Array | Int32Array | Uint8Array;

/** The wasm heap's current buffer (the threaded build's memory can grow from a worker thread). */
export function heapBuffer(backend: WasmBackendInternals): ArrayBufferLike {
  const memory = backend.wasm.wasmMemory;
  if (memory) return memory.buffer;
  return backend.wasm.HEAPU8.buffer;
}

const BYTES_PER_ELEMENT: Record<string, number> = { float32: 4, int32: 4, bool: 1 };

export function bytesPerElement(dtype: DataType): number {
  const bytes = BYTES_PER_ELEMENT[dtype];
  if (bytes === undefined) throw new Error(`wasm kernels: unsupported dtype ${dtype}; expected float32, int32 or bool`);
  return bytes;
}

/**
 * A typed-array view of a tensor's memory in the wasm heap (no copy). Take it after every allocation
 * of the kernel (an allocation can grow and so replace the heap's buffer).
 */
export function heapView(backend: WasmBackendInternals, info: TensorInfo, elementOffset = 0, length?: number): HeapArray {
  const { memoryOffset } = backend.dataIdMap.get(info.dataId);
  let size = 1;
  for (const dim of info.shape) size *= dim;
  const count = length ?? size - elementOffset;
  const buffer = heapBuffer(backend);
  switch (info.dtype) {
    case 'float32':
      return new Float32Array(buffer, memoryOffset + elementOffset * 4, count);
    case 'int32':
      return new Int32Array(buffer, memoryOffset + elementOffset * 4, count);
    case 'bool':
      return new Uint8Array(buffer, memoryOffset + elementOffset, count);
    default:
      throw new Error(`wasm kernels: unsupported dtype ${info.dtype}; expected float32, int32 or bool`);
  }
}

/** The C++ side's id for a tensor. */
export function tensorId(backend: WasmBackendInternals, info: TensorInfo): number {
  return backend.dataIdMap.get(info.dataId).id;
}

/** The heap address of a tensor's first element. */
export function tensorAddress(backend: WasmBackendInternals, info: TensorInfo): number {
  return backend.dataIdMap.get(info.dataId).memoryOffset;
}

/**
 * Registers a window of the heap under a fresh C++ tensor id (an aliased view: nothing is copied or
 * allocated). Release it with `releaseAlias`, which also drops any XNNPACK operator cached on it.
 */
export function registerAlias(backend: WasmBackendInternals, address: number, size: number): number {
  const id = backend.dataIdNextNumber++;
  backend.wasm.tfjs.registerTensor(id, size, address);
  return id;
}

export function releaseAlias(backend: WasmBackendInternals, id: number): void {
  backend.wasm.tfjs.disposeData(id);
}

export function sizeOf(shape: readonly number[]): number {
  let size = 1;
  for (const dim of shape) size *= dim;
  return size;
}

/**
 * Binds the C entry points tfjs-backend-wasm expects on `module.tfjs` (what its own loader does), for a
 * module we instantiated ourselves (single-threaded or threaded build).
 */
export function attachTfjsBindings(module: WasmModule): void {
  module.tfjs = {
    init: module.cwrap('init', null, []) as () => void,
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']) as (threads: number) => void,
    getThreadsCount: module.cwrap('get_threads_count', 'number', []) as () => number,
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']) as (
      id: number,
      size: number,
      offset: number,
    ) => void,
    disposeData: module.cwrap('dispose_data', null, ['number']) as (id: number) => void,
    dispose: module.cwrap('dispose', null, []) as () => void,
  };
}

const wrappedFunctions = new WeakMap<WasmModule, Map<string, unknown>>();

/** `module.cwrap(name, null, argumentTypes)`, wrapped once per module and function name. */
export function cachedCwrap<T>(module: WasmModule, name: string, argumentTypes: string[]): T {
  let functions = wrappedFunctions.get(module);
  if (!functions) {
    functions = new Map();
    wrappedFunctions.set(module, functions);
  }
  let fn = functions.get(name);
  if (!fn) {
    fn = module.cwrap(name, null, argumentTypes);
    functions.set(name, fn);
  }
  return fn as T;
}
