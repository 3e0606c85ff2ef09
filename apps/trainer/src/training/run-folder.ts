import { accessSync, constants, mkdirSync, statfsSync, writeFileSync, rmSync } from 'node:fs';
import path from 'node:path';

/** Paths inside a run folder. */
export interface RunFolder {
  root: string;
  configFile: string;
  metricsJsonl: string;
  metricsCsv: string;
  checkpoints: string;
  predictions: string;
  /** The exported model at the end of training (EMA weights when EMA is on). */
  finalModel: string;
}

export function runFolderPaths(root: string): RunFolder {
  const absolute = path.resolve(root);
  return {
    root: absolute,
    configFile: path.join(absolute, 'config.yaml'),
    metricsJsonl: path.join(absolute, 'metrics.jsonl'),
    metricsCsv: path.join(absolute, 'metrics.csv'),
    checkpoints: path.join(absolute, 'checkpoints'),
    predictions: path.join(absolute, 'predictions'),
    finalModel: path.join(absolute, 'model'),
  };
}

/**
 * Creates the run folder and proves it is writable (by writing and removing a probe file), so an
 * unwritable location fails with a clear message before any training.
 */
export function prepareRunFolder(root: string): RunFolder {
  const folder = runFolderPaths(root);
  try {
    mkdirSync(folder.checkpoints, { recursive: true });
    mkdirSync(folder.predictions, { recursive: true });
    accessSync(folder.root, constants.W_OK);
    const probe = path.join(folder.root, `.write-probe-${process.pid}`);
    writeFileSync(probe, '');
    rmSync(probe);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(
      `the run folder ${folder.root} is not writable (${code ?? (error as Error).message}); choose another with --run-dir or fix its permissions`,
    );
  }
  return folder;
}

/** Bytes this process may still write on the file system of `directory`; undefined when unknown. */
export function freeBytes(directory: string): number | undefined {
  try {
    const stats = statfsSync(directory);
    return stats.bavail * stats.bsize;
  } catch {
    return undefined;
  }
}

function megabytes(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

/**
 * Refuses to train when the run folder's file system cannot hold even one checkpoint and the final
 * model (a full disk found before training, rather than at the first checkpoint). Checkpoints are
 * written atomically, so a disk that fills up later still never damages the previous one.
 */
export function assertFreeSpace(folder: RunFolder, needs: { checkpointBytes: number; finalModelBytes: number }): void {
  const available = freeBytes(folder.root);
  const needed = needs.checkpointBytes + needs.finalModelBytes;
  if (available !== undefined && available < needed) {
    throw new Error(
      `the run folder ${folder.root} has ${megabytes(available)} free, but a checkpoint of this model (weights, optimizer state, EMA) ` +
        `and the final model take about ${megabytes(needed)}; free some space or choose another --run-dir`,
    );
  }
}
