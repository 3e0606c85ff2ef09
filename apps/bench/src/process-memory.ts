import * as tf from '@tensorflow/tfjs-core';
import fs from 'node:fs';
import v8 from 'node:v8';

/** One reading of this process's memory, in bytes (tensors: tf.memory().numTensors). */
export interface MemoryReading {
  tensors: number;
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  /** The wasm backend's linear memory (its size, not what is touched); null on other backends. */
  wasmHeap: number | null;
  /**
   * The part of RSS that is the wasm linear memory's touched pages, from /proc/self/smaps (Linux);
   * null where smaps is not readable or the backend is not wasm. RSS minus this is everything else
   * (V8's heap, native allocations, worker threads, code).
   */
  wasmResident: number | null;
  /**
   * What the rest of RSS holds, for the verdicts' breakdown (null without smaps): resident code compiled
   * at run time, resident pages of mapped files, and V8's heap pages (all spaces but code, live or not).
   */
  jitCodeResident: number | null;
  fileResident: number | null;
  v8HeapPhysical: number;
}

/** The size of the wasm backend's linear memory, or null when the backend is not wasm. */
export function wasmHeapBytes(): number | null {
  const wasm = (tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array; wasmMemory?: WebAssembly.Memory; asm?: { memory?: WebAssembly.Memory } } }).wasm;
  if (!wasm) return null;
  const memory = wasm.wasmMemory ?? wasm.asm?.memory;
  return memory?.buffer.byteLength ?? wasm.HEAPU8?.byteLength ?? null;
}

/** Resident bytes of the process's mappings by kind, from /proc/self/smaps (Linux). */
export interface MappingResidency {
  /**
   * The mapping that holds the wasm memory: V8 maps a wasm memory's accessible part as one read-write
   * mapping of exactly its size (the guard region beyond it is a separate mapping). Null when no
   * mapping of that size exists, or several do, or the backend is not wasm.
   */
  wasm: number | null;
  /** Anonymous executable mappings: code compiled at run time (V8's JavaScript and WebAssembly tiers). */
  jitCode: number;
  /** File-backed mappings: the node binary, the addon and the shared libraries, as their pages are read. */
  files: number;
}

/**
 * Sums the `Rss:` lines of /proc/self/smaps (or of `smapsText`) by kind of mapping; `wasmBytes` is the
 * wasm memory's size (null: not wasm). Returns null where smaps is not readable.
 */
export function residencyByMapping(wasmBytes: number | null, smapsText?: string): MappingResidency | null {
  let text = smapsText;
  if (text === undefined) {
    try {
      text = fs.readFileSync('/proc/self/smaps', 'utf8');
    } catch {
      return null;
    }
  }
  let kind: 'wasm' | 'jitCode' | 'files' | null = null;
  const wasmFound: number[] = [];
  let jitCode = 0;
  let files = 0;
  for (const line of text.split('\n')) {
    // start-end perms offset device inode [path]
    const header = /^([0-9a-f]+)-([0-9a-f]+) (\S{4}) \S+ \S+ (\d+)\s*(.*)$/.exec(line);
    if (header) {
      const size = parseInt(header[2]!, 16) - parseInt(header[1]!, 16);
      const permissions = header[3]!;
      const path = header[5]!.trim();
      if (wasmBytes !== null && size === wasmBytes && permissions.startsWith('rw')) kind = 'wasm';
      else if (header[4] !== '0') kind = 'files';
      // [vdso] and the like are the kernel's, not compiled code.
      else if (permissions[2] === 'x' && path === '') kind = 'jitCode';
      else kind = null;
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (!rss || kind === null) continue;
    const bytes = Number(rss[1]) * 1024;
    if (kind === 'wasm') wasmFound.push(bytes);
    else if (kind === 'jitCode') jitCode += bytes;
    else files += bytes;
  }
  return { wasm: wasmFound.length === 1 ? wasmFound[0]! : null, jitCode, files };
}

/** V8's heap pages in memory (physical size of every space but the code spaces, which the JIT code counts). */
function v8HeapPhysicalBytes(): number {
  return v8
    .getHeapSpaceStatistics()
    .filter((space) => !space.space_name.startsWith('code_'))
    .reduce((sum, space) => sum + space.physical_space_size, 0);
}

export function readMemory(): MemoryReading {
  const { rss, heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
  const wasmHeap = wasmHeapBytes();
  const residency = residencyByMapping(wasmHeap);
  return {
    tensors: tf.memory().numTensors,
    rss,
    heapUsed,
    heapTotal,
    external,
    arrayBuffers,
    wasmHeap,
    wasmResident: residency?.wasm ?? null,
    jitCodeResident: residency?.jitCode ?? null,
    fileResident: residency?.files ?? null,
    v8HeapPhysical: v8HeapPhysicalBytes(),
  };
}

export const mebibytes = (bytes: number): number => Math.round((bytes / 2 ** 20) * 10) / 10;
