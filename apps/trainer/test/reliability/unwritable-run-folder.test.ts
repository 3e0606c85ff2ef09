// An unwritable run folder is a clear error before training starts; a disk that fills up during a
// checkpoint (ENOSPC, injected by the fault seam) is a clear error that leaves the previous checkpoint
// intact and resumable. Tests run as root, where chmod does not stop writes, so the folders are made
// unwritable by putting a file where a folder must be.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initializeBackend } from '@mlm/backend';
import { runCli, temporaryFolder, writeTinyConfig } from './support/cli-process.js';
import { differencesBetweenRuns, loadEveryCompleteCheckpoint } from './support/run-artifacts.js';

let folder: string;
let config: string;

beforeAll(async () => {
  await initializeBackend({ backend: 'wasm', log: () => {} });
  folder = temporaryFolder('unwritable');
  config = writeTinyConfig(folder);
});

describe('unwritable run folder', () => {
  it('a run folder below a file: an error naming the folder before any training', async () => {
    const file = path.join(folder, 'a-file');
    writeFileSync(file, 'not a folder');
    const result = await runCli(['train', '-c', config, '--run-dir', path.join(file, 'run')]);
    expect(result.code).not.toBe(0);
    expect(result.signal).toBeNull();
    expect(result.stderr).toMatch(new RegExp(`${path.join(file, 'run').replaceAll('/', '\\/')} is not writable \\(ENOTDIR\\)`));
    expect(result.stderr).not.toMatch(/^step \d+/m);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('a file where the checkpoints folder belongs: an error before any training', async () => {
    const run = path.join(folder, 'checkpoints-is-a-file');
    mkdirSync(run, { recursive: true });
    writeFileSync(path.join(run, 'checkpoints'), 'not a folder');
    const result = await runCli(['train', '-c', config, '--run-dir', run]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/is not writable \((EEXIST|ENOTDIR)\)/);
    expect(result.stderr).not.toMatch(/^step \d+/m);
  });
});

describe('disk full while writing', () => {
  it('ENOSPC in the middle of the second checkpoint: a clear error; the first checkpoint is intact and resumes to identical results', async () => {
    const reference = path.join(folder, 'uninterrupted');
    const uninterrupted = await runCli(['train', '-c', config, '--run-dir', reference]);
    expect(uninterrupted.code, uninterrupted.stderr).toBe(0);

    const run = path.join(folder, 'disk-full');
    const result = await runCli(['train', '-c', config, '--run-dir', run], {
      watch: run,
      noSpaceAt: { match: String.raw`^writeFile .*/\.step-4\.partial-[^/]*/.*optimizer\.safetensors`, occurrence: 1 },
    });
    expect(result.code, result.stderr).toBe(1);
    expect(result.signal).toBeNull();
    expect(result.stderr).toMatch(/ENOSPC: no space left on device/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    // Nothing half-written is left to be mistaken for a checkpoint; the previous one is what resumes.
    expect(readdirSync(path.join(run, 'checkpoints')).filter((name) => name.includes('partial'))).toEqual([]);
    const { resumeStep, steps } = await loadEveryCompleteCheckpoint(run);
    expect(resumeStep).toBe(2);
    expect(steps).toEqual([2]);

    const resumed = await runCli(['train', '-c', config, '--run-dir', run, '--resume', 'auto']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(differencesBetweenRuns(reference, run)).toEqual([]);
  });

  it('ENOSPC while replacing the `last` pointer: the pointer still names a complete checkpoint', async () => {
    const run = path.join(folder, 'disk-full-pointer');
    const result = await runCli(['train', '-c', config, '--run-dir', run], {
      watch: run,
      noSpaceAt: { match: String.raw`^writeFile .*/checkpoints/\.last\.`, occurrence: 2 },
    });
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/ENOSPC/);
    const { resumeStep, steps } = await loadEveryCompleteCheckpoint(run);
    expect(steps).toContain(resumeStep);
    expect(existsSync(path.join(run, 'checkpoints', 'step-2'))).toBe(true);
  });

  it('ENOSPC while writing the final model: the last checkpoint is intact and a resume finishes the export', async () => {
    const run = path.join(folder, 'disk-full-export');
    const result = await runCli(['train', '-c', config, '--run-dir', run], {
      watch: run,
      noSpaceAt: { match: String.raw`^writeFile .*/(model|\.model\.partial-\d+)/\.model\.safetensors\.`, occurrence: 1 },
    });
    expect(result.code, result.stderr).toBe(1);
    expect((await loadEveryCompleteCheckpoint(run)).resumeStep).toBe(8);
    // The half-written export is not offered as the run's model.
    expect(existsSync(path.join(run, 'model'))).toBe(false);
    const resumed = await runCli(['train', '-c', config, '--run-dir', run, '--resume', 'auto']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(readdirSync(path.join(run, 'model')).sort()).toEqual(['config.json', 'model.safetensors', 'task.json', 'tokenizer.json']);
    expect(readdirSync(run).filter((name) => name.startsWith('.'))).toEqual([]);
  });

  it('too little free space for a checkpoint is refused before training (free space reported as 0)', async () => {
    const run = path.join(folder, 'no-free-space');
    const result = await runCli(['train', '-c', config, '--run-dir', run], { freeBytes: 0 });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/has 0\.0 MiB free, but a checkpoint of this model .* take about \d+\.\d MiB; free some space or choose another --run-dir/);
    expect(result.stderr).not.toMatch(/^step \d+/m);
    expect(existsSync(path.join(run, 'checkpoints', 'last'))).toBe(false);
  });
});
