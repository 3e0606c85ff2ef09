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
 * Writes `bytes` to `filePath` atomically and durably: into a temporary file in the same folder, which
 * is flushed to disk (fsync) and renamed over the target, then the folder itself is flushed so the
 * rename survives a power cut. Readers never see a half-written file.
 */
export async function writeFileAtomic(filePath: string, bytes: Uint8Array | string): Promise<void> {
  const { fs, path } = await nodeModules();
  const folder = path.dirname(filePath);
  const temporary = path.join(folder, `.${path.basename(filePath)}.${process.pid}.${Date.now().toString(36)}.${Math.random().toString(36).slice(2)}.tmp`);
  try {
    // Written with fs.writeFile, then flushed through a second handle: the write stays one observable
    // fs.promises.writeFile call (the trainer's fault-injection tests tear and fail exactly that call).
    await fs.writeFile(temporary, bytes);
    await syncFile(temporary);
    await fs.rename(temporary, filePath);
  } catch (error) {
    await fs.rm(temporary, { force: true }).catch(() => undefined);
    throw error;
  }
  await syncDirectory(folder);
}

/** Flushes a file's data to disk (fsync). */
export async function syncFile(filePath: string): Promise<void> {
  const { fs } = await nodeModules();
  const handle = await fs.open(filePath, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Flushes a folder's entries (new names, renames) to disk. Where folders cannot be opened for that
 * (Windows, some network filesystems) this is a no-op: the data itself was already flushed.
 */
export async function syncDirectory(folder: string): Promise<void> {
  const { fs } = await nodeModules();
  let handle: Awaited<ReturnType<typeof fs.open>> | undefined;
  try {
    handle = await fs.open(folder, 'r');
    await handle.sync();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'EBADF' && code !== 'EACCES') throw error;
  } finally {
    await handle?.close();
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
