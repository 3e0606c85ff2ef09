import { mkdtemp, open, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { syncDirectory, writeFileAtomic } from './safetensors-file.js';

const folders: string[] = [];
async function temporaryFolder(): Promise<string> {
  const folder = await mkdtemp(path.join(os.tmpdir(), 'mlm-atomic-'));
  folders.push(folder);
  return folder;
}
afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(folders.splice(0).map((folder) => rm(folder, { recursive: true, force: true })));
});

/** The prototype of Node's FileHandle (not exported by node:fs/promises). */
async function fileHandlePrototype(folder: string): Promise<{ sync: () => Promise<void> }> {
  const handle = await open(folder, 'r');
  const prototype = Object.getPrototypeOf(handle) as { sync: () => Promise<void> };
  await handle.close();
  return prototype;
}

describe('writeFileAtomic', () => {
  it('replaces the file, leaves no temporary file, and flushes the file and its folder before returning', async () => {
    const folder = await temporaryFolder();
    const file = path.join(folder, 'config.json');
    await writeFileAtomic(file, 'old');
    const sync = vi.spyOn(await fileHandlePrototype(folder), 'sync');
    await writeFileAtomic(file, new TextEncoder().encode('new'));
    expect(await readFile(file, 'utf8')).toBe('new');
    expect(await readdir(folder)).toEqual(['config.json']);
    // One fsync of the temporary file before the rename, one of the folder after it.
    expect(sync).toHaveBeenCalledTimes(2);
  });

  it('keeps the previous content and removes the temporary file when the flush fails', async () => {
    const folder = await temporaryFolder();
    const file = path.join(folder, 'model.safetensors');
    await writeFileAtomic(file, 'previous');
    vi.spyOn(await fileHandlePrototype(folder), 'sync').mockRejectedValueOnce(Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' }));
    await expect(writeFileAtomic(file, 'next')).rejects.toThrow(/EIO/);
    expect(await readFile(file, 'utf8')).toBe('previous');
    expect(await readdir(folder)).toEqual(['model.safetensors']);
  });
});

describe('syncDirectory', () => {
  it('flushes a folder and rethrows errors other than "folders cannot be flushed here"', async () => {
    const folder = await temporaryFolder();
    await expect(syncDirectory(folder)).resolves.toBeUndefined();
    await expect(syncDirectory(path.join(folder, 'missing'))).rejects.toThrow(/ENOENT/);
    vi.spyOn(await fileHandlePrototype(folder), 'sync').mockRejectedValueOnce(Object.assign(new Error('EINVAL: invalid argument, fsync'), { code: 'EINVAL' }));
    await expect(syncDirectory(folder)).resolves.toBeUndefined();
  });
});
