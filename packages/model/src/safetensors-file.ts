/**
 * File forms of the safetensors reader and writer (Node only). `node:fs` is imported lazily so that
 * browser bundles of this package, which use `parseSafetensors` / `serializeSafetensors` on bytes,
 * never load it.
 */
import { SafetensorsError, parseSafetensors, serializeSafetensors, type SafetensorsFile, type SafetensorsInput } from './safetensors.js';

async function nodeModules() {
  const fs = await import('node:fs/promises');
  return { fs };
}

/** Reads and parses a `.safetensors` file (see `parseSafetensors`). */
export async function readSafetensorsFile(filePath: string): Promise<SafetensorsFile> {
  const { fs } = await nodeModules();
  const bytes = await fs.readFile(filePath);
  try {
    return parseSafetensors(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (error) {
    if (error instanceof SafetensorsError) throw new SafetensorsError(`${filePath}: ${error.message}`);
    throw error;
  }
}

/** Serialises tensors and writes them durably to `filePath` (`@mlm/durable-write`: temporary file, fsync, rename, fsync the folder). */
export async function writeSafetensorsFile(filePath: string, tensors: SafetensorsInput, metadata?: Record<string, string>): Promise<void> {
  const { writeFileDurably } = await import('@mlm/durable-write');
  await writeFileDurably(filePath, serializeSafetensors(tensors, metadata));
}
