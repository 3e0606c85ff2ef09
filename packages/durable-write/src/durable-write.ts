/**
 * Durable writes: a reader sees the old content or the whole new content, never a part, and once a
 * function returns the new content survives a crash, a `kill -9` or a power cut.
 *
 * The protocol: write a temporary file in the target's own folder (a rename is atomic only within one
 * file system), flush it to disk (fsync), rename it over the target, then flush the folder so the
 * rename itself is on disk. On failure the temporary file is removed and the old content stays.
 *
 * Every call goes through the `node:fs` module objects at call time (`fs.promises.writeFile`,
 * `fs.writeFileSync`, …), so fault-injection seams that wrap or spy on those functions see each write.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { once } from 'node:events';
import path from 'node:path';
import { finished } from 'node:stream/promises';

/** What a file can be written from. */
export type FileData = string | Uint8Array;

export interface DurableWriteOptions {
  /** Create the target's folder (and its parents) first. Default true. */
  createFolder?: boolean;
}

/**
 * The temporary file a durable write of `filePath` uses: hidden, in the same folder, unique per call,
 * `.<name>.<pid>.<random>.tmp`.
 */
export function temporaryPathFor(filePath: string): string {
  return path.join(path.dirname(filePath), `.${path.basename(filePath)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

/** Folder errors that mean "folders cannot be flushed here" (Windows, some network file systems). */
const UNSYNCABLE_FOLDER = new Set(['EISDIR', 'EPERM', 'EINVAL', 'EBADF', 'EACCES']);

/** Flushes a file's data to disk (fsync). */
export async function syncFile(filePath: string): Promise<void> {
  const handle = await fs.promises.open(filePath, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Flushes a folder's entries (new names, renames) to disk. Where folders cannot be opened for that
 * this is a no-op: the files' data was already flushed. Other errors (a missing folder) are thrown.
 */
export async function syncDirectory(folder: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await fs.promises.open(folder, 'r');
    await handle.sync();
  } catch (error) {
    if (!UNSYNCABLE_FOLDER.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
  } finally {
    await handle?.close();
  }
}

/** `syncDirectory` for synchronous callers. */
export function syncDirectorySync(folder: string): void {
  let descriptor: number | undefined;
  try {
    descriptor = fs.openSync(folder, 'r');
    fs.fsyncSync(descriptor);
  } catch (error) {
    if (!UNSYNCABLE_FOLDER.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
  } finally {
    if (descriptor !== undefined) fs.closeSync(descriptor);
  }
}

/**
 * Writes `data` to `filePath` durably (temporary file in the same folder, write, fsync, rename, fsync
 * the folder). The write is one `fs.promises.writeFile` call on the temporary file.
 */
export async function writeFileDurably(filePath: string, data: FileData, options: DurableWriteOptions = {}): Promise<void> {
  const folder = path.dirname(filePath);
  if (options.createFolder !== false) await fs.promises.mkdir(folder, { recursive: true });
  const temporary = temporaryPathFor(filePath);
  try {
    // One observable write, then the flush through a second handle (see the module comment).
    await fs.promises.writeFile(temporary, data);
    await syncFile(temporary);
    await fs.promises.rename(temporary, filePath);
  } catch (error) {
    await fs.promises.rm(temporary, { force: true }).catch(() => undefined);
    throw error;
  }
  await syncDirectory(folder);
}

/** `writeFileDurably` for synchronous callers (same protocol, same temporary file name). */
export function writeFileDurablySync(filePath: string, data: FileData, options: DurableWriteOptions = {}): void {
  const folder = path.dirname(filePath);
  if (options.createFolder !== false) fs.mkdirSync(folder, { recursive: true });
  const temporary = temporaryPathFor(filePath);
  try {
    fs.writeFileSync(temporary, data);
    const descriptor = fs.openSync(temporary, 'r+');
    try {
      fs.fsyncSync(descriptor);
    } finally {
      fs.closeSync(descriptor);
    }
    fs.renameSync(temporary, filePath);
  } catch (error) {
    try {
      fs.rmSync(temporary, { force: true });
    } catch {
      // the original error matters, not the clean-up's
    }
    throw error;
  }
  syncDirectorySync(folder);
}

/**
 * Streams text lines (each already ending in `\n`) durably to `filePath`: same protocol as
 * `writeFileDurably`, but the content never has to fit in memory (back-pressure is honoured).
 */
export async function writeLinesDurably(
  filePath: string,
  lines: Iterable<string> | AsyncIterable<string>,
  options: DurableWriteOptions = {},
): Promise<void> {
  const folder = path.dirname(filePath);
  if (options.createFolder !== false) await fs.promises.mkdir(folder, { recursive: true });
  const temporary = temporaryPathFor(filePath);
  const stream = fs.createWriteStream(temporary, { encoding: 'utf8' });
  try {
    for await (const line of lines) {
      if (!stream.write(line)) await once(stream, 'drain');
    }
    stream.end();
    await finished(stream);
    await syncFile(temporary);
    await fs.promises.rename(temporary, filePath);
  } catch (error) {
    stream.destroy();
    await fs.promises.rm(temporary, { force: true }).catch(() => undefined);
    throw error;
  }
  await syncDirectory(folder);
}

/**
 * Writes and flushes a file that is not yet visible to readers: a file inside a temporary folder that
 * `renameDurably` later moves into place as a whole (a checkpoint folder). No temporary file of its own.
 */
export async function writeFileFlushed(filePath: string, data: FileData): Promise<void> {
  await fs.promises.writeFile(filePath, data);
  await syncFile(filePath);
}

/**
 * Moves a finished temporary file or folder into place: flushes it (a folder: its entries), renames it,
 * then flushes the destination's folder so the rename is on disk.
 */
export async function renameDurably(from: string, to: string): Promise<void> {
  if ((await fs.promises.stat(from)).isDirectory()) await syncDirectory(from);
  else await syncFile(from);
  await fs.promises.rename(from, to);
  await syncDirectory(path.dirname(to));
}
