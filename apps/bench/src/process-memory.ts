import * as tf from '@tensorflow/tfjs-core';
import fs from 'node:fs';

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
}

/** The size of the wasm backend's linear memory, or null when the backend is not wasm. */
export function wasmHeapBytes(): number | null {
  const wasm = (tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array; wasmMemory?: WebAssembly.Memory; asm?: { memory?: WebAssembly.Memory } } }).wasm;
  if (!wasm) return null;
  const memory = wasm.wasmMemory ?? wasm.asm?.memory;
  return memory?.buffer.byteLength ?? wasm.HEAPU8?.byteLength ?? null;
}

/**
 * Resident bytes of the mapping that holds the wasm memory: V8 maps a wasm memory's accessible part
 * as one read-write mapping of exactly its size (the guard region beyond it is a separate mapping).
 * Returns null without smaps, or when no mapping of that size exists (or several do).
 */
export function wasmResidentBytes(wasmBytes: number, smapsText?: string): number | null {
  let text = smapsText;
  if (text === undefined) {
    try {
      text = fs.readFileSync('/proc/self/smaps', 'utf8');
    } catch {
      return null;
    }
  }
  let candidate = false;
  const found: number[] = [];
  for (const line of text.split('\n')) {
    const header = /^([0-9a-f]+)-([0-9a-f]+) (\S+) /.exec(line);
    if (header) {
      const size = parseInt(header[2]!, 16) - parseInt(header[1]!, 16);
      candidate = size === wasmBytes && header[3]!.startsWith('rw');
      continue;
    }
    if (candidate) {
      const rss = /^Rss:\s+(\d+) kB/.exec(line);
      if (rss) found.push(Number(rss[1]) * 1024);
    }
  }
  return found.length === 1 ? found[0]! : null;
}

export function readMemory(): MemoryReading {
  const { rss, heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
  const wasmHeap = wasmHeapBytes();
  return {
    tensors: tf.memory().numTensors,
    rss,
    heapUsed,
    heapTotal,
    external,
    arrayBuffers,
    wasmHeap,
    wasmResident: wasmHeap === null ? null : wasmResidentBytes(wasmHeap),
  };
}

export const mebibytes = (bytes: number): number => Math.round((bytes / 2 ** 20) * 10) / 10;
