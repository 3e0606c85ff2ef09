import fs from 'node:fs';
import { mkdir, mkdtemp, open, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  renameDurably,
  syncDirectory,
  syncDirectorySync,
  temporaryPathFor,
  writeFileDurably,
  writeFileDurablySync,
  writeFileFlushed,
  writeLinesDurably,
} from './durable-write.js';

const folders: string[] = [];
async function temporaryFolder(): Promise<string> {
  const folder = await mkdtemp(path.join(os.tmpdir(), 'mlm-durable-'));
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

function noSpace(file: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`ENOSPC: no space left on device, write '${file}'`), { code: 'ENOSPC' });
}

/** Makes the next fs.promises.writeFile write half its data, then fail as a full disk does. */
function tearNextAsyncWrite(): string[] {
  const targets: string[] = [];
  const original = fs.promises.writeFile;
  vi.spyOn(fs.promises, 'writeFile').mockImplementationOnce(async (file, data) => {
    targets.push(String(file));
    const bytes = typeof data === 'string' ? Buffer.from(data) : Buffer.from(data as Uint8Array);
    await original(file, bytes.subarray(0, bytes.length >> 1));
    throw noSpace(String(file));
  });
  return targets;
}

describe('temporaryPathFor', () => {
  it('is a hidden, unique file in the same folder', () => {
    const first = temporaryPathFor('/runs/a/model.safetensors');
    expect(path.dirname(first)).toBe('/runs/a');
    expect(path.basename(first)).toMatch(new RegExp(`^\\.model\\.safetensors\\.${process.pid}\\.[0-9a-f]{12}\\.tmp$`));
    expect(temporaryPathFor('/runs/a/model.safetensors')).not.toBe(first);
  });
});

describe('writeFileDurably', () => {
  it('replaces the file, leaves no temporary file, and flushes the file and its folder before returning', async () => {
    const folder = await temporaryFolder();
    const file = path.join(folder, 'config.json');
    await writeFileDurably(file, 'old');
    const sync = vi.spyOn(await fileHandlePrototype(folder), 'sync');
    const rename = vi.spyOn(fs.promises, 'rename');
    await writeFileDurably(file, new TextEncoder().encode('new'));
    expect(await readFile(file, 'utf8')).toBe('new');
    expect(await readdir(folder)).toEqual(['config.json']);
    // One fsync of the temporary file before the rename, one of the folder after it.
    expect(sync).toHaveBeenCalledTimes(2);
    expect(rename).toHaveBeenCalledTimes(1);
    expect(path.basename(String(rename.mock.calls[0]![0]))).toMatch(/^\.config\.json\..*\.tmp$/);
  });

  it('creates the folder unless told not to', async () => {
    const folder = await temporaryFolder();
    await writeFileDurably(path.join(folder, 'a', 'b', 'c.json'), '{}');
    expect(await readFile(path.join(folder, 'a', 'b', 'c.json'), 'utf8')).toBe('{}');
    await expect(writeFileDurably(path.join(folder, 'missing', 'c.json'), '{}', { createFolder: false })).rejects.toThrow(/ENOENT/);
  });

  it('a torn write (disk full half-way) keeps the previous content and removes the temporary file', async () => {
    const folder = await temporaryFolder();
    const file = path.join(folder, 'model.safetensors');
    await writeFileDurably(file, 'previous content');
    const torn = tearNextAsyncWrite();
    await expect(writeFileDurably(file, 'next content, longer')).rejects.toThrow(/ENOSPC/);
    expect(torn).toHaveLength(1);
    expect(path.dirname(torn[0]!)).toBe(folder);
    expect(torn[0]).not.toBe(file); // the torn write hit the temporary file, never the target
    expect(await readFile(file, 'utf8')).toBe('previous content');
    expect(await readdir(folder)).toEqual(['model.safetensors']);
  });

  it('keeps the previous content and removes the temporary file when the flush fails', async () => {
    const folder = await temporaryFolder();
    const file = path.join(folder, 'tokenizer.json');
    await writeFileDurably(file, 'previous');
    vi.spyOn(await fileHandlePrototype(folder), 'sync').mockRejectedValueOnce(Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' }));
    await expect(writeFileDurably(file, 'next')).rejects.toThrow(/EIO/);
    expect(await readFile(file, 'utf8')).toBe('previous');
    expect(await readdir(folder)).toEqual(['tokenizer.json']);
  });

  it('concurrent writes of one file each use their own temporary file; the file ends whole', async () => {
    const folder = await temporaryFolder();
    const file = path.join(folder, 'last');
    const contents = Array.from({ length: 8 }, (_, index) => `step-${index}\n`.repeat(1000));
    await Promise.all(contents.map((content) => writeFileDurably(file, content)));
    expect(contents).toContain(await readFile(file, 'utf8'));
    expect(await readdir(folder)).toEqual(['last']);
  });
});

describe('writeFileDurablySync', () => {
  it('replaces the file through a temporary file and leaves nothing else', async () => {
    const folder = await temporaryFolder();
    const file = path.join(folder, 'config.yaml');
    writeFileDurablySync(file, 'a: 1\n');
    const writes = vi.spyOn(fs, 'writeFileSync');
    const fsyncs = vi.spyOn(fs, 'fsyncSync');
    writeFileDurablySync(file, 'a: 2\n');
    expect(await readFile(file, 'utf8')).toBe('a: 2\n');
    expect(await readdir(folder)).toEqual(['config.yaml']);
    expect(path.basename(String(writes.mock.calls[0]![0]))).toMatch(/^\.config\.yaml\..*\.tmp$/);
    expect(fsyncs).toHaveBeenCalledTimes(2); // the file, then the folder
  });

  it('a failed write keeps the previous content and removes the temporary file', async () => {
    const folder = await temporaryFolder();
    const file = path.join(folder, 'config.yaml');
    writeFileDurablySync(file, 'previous');
    const original = fs.writeFileSync;
    vi.spyOn(fs, 'writeFileSync').mockImplementationOnce((target, data) => {
      original(target, String(data).slice(0, 3));
      throw noSpace(String(target));
    });
    expect(() => writeFileDurablySync(file, 'next content')).toThrow(/ENOSPC/);
    expect(await readFile(file, 'utf8')).toBe('previous');
    expect(await readdir(folder)).toEqual(['config.yaml']);
  });
});

describe('writeLinesDurably', () => {
  it('streams an async source into place, flushed', async () => {
    const folder = await temporaryFolder();
    const file = path.join(folder, 'data', 'train.jsonl');
    async function* lines() {
      for (let index = 0; index < 20_000; index++) yield `{"index":${index}}\n`;
    }
    const sync = vi.spyOn(await fileHandlePrototype(folder), 'sync');
    await writeLinesDurably(file, lines());
    const text = await readFile(file, 'utf8');
    expect(text.split('\n')).toHaveLength(20_001);
    expect(await readdir(path.dirname(file))).toEqual(['train.jsonl']);
    expect(sync).toHaveBeenCalledTimes(2);
  });

  it('a source that fails half-way leaves the previous file and no temporary file', async () => {
    const folder = await temporaryFolder();
    const file = path.join(folder, 'train.csv');
    await writeLinesDurably(file, ['old\n']);
    async function* failing() {
      yield 'new 1\n';
      throw new Error('generator broke');
    }
    await expect(writeLinesDurably(file, failing())).rejects.toThrow('generator broke');
    expect(await readFile(file, 'utf8')).toBe('old\n');
    expect(await readdir(folder)).toEqual(['train.csv']);
  });
});

describe('writeFileFlushed and renameDurably (a folder moved into place as a whole)', () => {
  it('flushes each file, the folder, and the parent after the rename', async () => {
    const folder = await temporaryFolder();
    const partial = path.join(folder, '.step-4.partial-1');
    await mkdir(partial);
    const sync = vi.spyOn(await fileHandlePrototype(folder), 'sync');
    await writeFileFlushed(path.join(partial, 'trainer-state.json'), '{"step":4}\n');
    await writeFileFlushed(path.join(partial, 'task.json'), '{}\n');
    await renameDurably(partial, path.join(folder, 'step-4'));
    expect(await readdir(folder)).toEqual(['step-4']);
    expect((await readdir(path.join(folder, 'step-4'))).sort()).toEqual(['task.json', 'trainer-state.json']);
    expect(sync).toHaveBeenCalledTimes(4); // two files, the folder before its rename, the parent after it
  });

  it('renames a file and flushes it first', async () => {
    const folder = await temporaryFolder();
    await writeFile(path.join(folder, 'a.tmp'), 'x');
    await renameDurably(path.join(folder, 'a.tmp'), path.join(folder, 'a'));
    expect(await readdir(folder)).toEqual(['a']);
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

  it('has a synchronous form with the same rules', async () => {
    const folder = await temporaryFolder();
    expect(() => syncDirectorySync(folder)).not.toThrow();
    expect(() => syncDirectorySync(path.join(folder, 'missing'))).toThrow(/ENOENT/);
  });
});
