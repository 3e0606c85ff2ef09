// The file forms write through @mlm/durable-write (its own tests cover the protocol); these check that
// the model's writers use it: a temporary file that is flushed and renamed, and a torn write that
// leaves the previous file whole.
import fs from 'node:fs';
import { mkdtemp, open, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readSafetensorsFile, writeSafetensorsFile } from './safetensors-file.js';
import { writePretrainedFolder } from './pretrained-files.js';

const folders: string[] = [];
async function temporaryFolder(): Promise<string> {
  const folder = await mkdtemp(path.join(os.tmpdir(), 'mlm-safetensors-file-'));
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

const tensors = (value: number) => new Map([['w', { dtype: 'F32' as const, shape: [2], data: new Float32Array([value, value + 1]) }]]);

describe('writeSafetensorsFile', () => {
  it('writes a temporary file, flushes it, renames it into place and flushes the folder', async () => {
    const folder = await temporaryFolder();
    const file = path.join(folder, 'model.safetensors');
    const writes = vi.spyOn(fs.promises, 'writeFile');
    const sync = vi.spyOn(await fileHandlePrototype(folder), 'sync');
    await writeSafetensorsFile(file, tensors(1));
    expect(writes).toHaveBeenCalledTimes(1);
    expect(path.basename(String(writes.mock.calls[0]![0]))).toMatch(/^\.model\.safetensors\..*\.tmp$/);
    expect(sync).toHaveBeenCalledTimes(2);
    expect(await readdir(folder)).toEqual(['model.safetensors']);
    expect(Array.from((await readSafetensorsFile(file)).get('w')!.data as Float32Array)).toEqual([1, 2]);
  });

  it('a write torn by a full disk leaves the previous file whole and no temporary file', async () => {
    const folder = await temporaryFolder();
    const file = path.join(folder, 'model.safetensors');
    await writeSafetensorsFile(file, tensors(1));
    const original = fs.promises.writeFile;
    vi.spyOn(fs.promises, 'writeFile').mockImplementationOnce(async (target, data) => {
      await original(target, (data as Uint8Array).subarray(0, 10));
      throw Object.assign(new Error(`ENOSPC: no space left on device, write '${String(target)}'`), { code: 'ENOSPC' });
    });
    await expect(writeSafetensorsFile(file, tensors(5))).rejects.toThrow(/ENOSPC/);
    expect(await readdir(folder)).toEqual(['model.safetensors']);
    expect(Array.from((await readSafetensorsFile(file)).get('w')!.data as Float32Array)).toEqual([1, 2]);
  });
});

describe('writePretrainedFolder', () => {
  it('writes config.json and model.safetensors durably, each through its own temporary file', async () => {
    const folder = path.join(await temporaryFolder(), 'out');
    const renames = vi.spyOn(fs.promises, 'rename');
    await writePretrainedFolder(folder, { d_model: 2 }, new Uint8Array([1, 2, 3]));
    expect((await readdir(folder)).sort()).toEqual(['config.json', 'model.safetensors']);
    expect(renames.mock.calls.map(([from, to]) => [path.basename(String(from)).replace(/\.\d+\.[0-9a-f]+\.tmp$/, '.tmp'), path.basename(String(to))])).toEqual([
      ['.model.safetensors.tmp', 'model.safetensors'],
      ['.config.json.tmp', 'config.json'],
    ]);
    expect(JSON.parse(await readFile(path.join(folder, 'config.json'), 'utf8'))).toEqual({ d_model: 2 });
  });
});
