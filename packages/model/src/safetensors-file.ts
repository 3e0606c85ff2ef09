/**
 * File forms of the safetensors reader and writer (Node only). `node:fs` is imported lazily so that
 * browser bundles of this package, which use `parseSafetensors` / `serializeSafetensors` on bytes,
 * never load it.
 */
import { SafetensorsError, parseSafetensors, serializeSafetensors, type SafetensorsFile, type SafetensorsInput } from './safetensors.js';

async function nodeModules() {
  const [fs, path] = await Promise.all([import('node:fs/promises'), import('node:path')]);
  return { fs, path };
}

/**
 * Writes `bytes` to `filePath` atomically: into a temporary file in the same folder, then renamed
 * over the target, so readers never see a half-written file.
 */
export async function writeFileAtomic(filePath: string, bytes: Uint8Array | string): Promise<void> {
  const { fs, path } = await nodeModules();
  const folder = path.dirname(filePath);
  const temporary = path.join(folder, `.${path.basename(filePath)}.${process.pid}.${Date.now().toString(36)}.${Math.random().toString(36).slice(2)}.tmp`);
  try {
    await fs.writeFile(temporary, bytes);
    await fs.rename(temporary, filePath);
  } catch (error) {
    await fs.rm(temporary, { force: true }).catch(() => undefined);
    throw error;
  }
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

/** Serialises tensors and writes them atomically to `filePath`. */
export async function writeSafetensorsFile(filePath: string, tensors: SafetensorsInput, metadata?: Record<string, string>): Promise<void> {
  await writeFileAtomic(filePath, serializeSafetensors(tensors, metadata));
}
