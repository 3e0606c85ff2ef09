import { accessSync, constants, mkdirSync, writeFileSync, rmSync } from 'node:fs';
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
