/**
 * Length reference files on disk (Node only, exported from `@mlm/collators/node`).
 */
import { MLMEmptyDatasetFromLengthRef, parseLengthReference, type MLMEmptyDatasetFromLengthRefOptions } from './mlm-empty-dataset.js';

/**
 * Reads a length reference file: `.txt` with one integer per non-empty line. Pickle files (`.pkl`,
 * the reference's other format) cannot be read here: convert them to `.txt` first.
 */
export async function loadLengthReference(file: string): Promise<number[]> {
  const owner = 'loadLengthReference';
  const lower = file.toLowerCase();
  if (lower.endsWith('.pkl') || lower.endsWith('.pickle')) {
    throw new Error(`${owner}: ${file}: pickle (.pkl) length files are not supported in JavaScript; write the lengths as a .txt file, one integer per line (in Python: open(f, "w").write("\\n".join(map(str, pickle.load(open(p, "rb"))))))`);
  }
  if (!lower.endsWith('.txt')) throw new Error(`${owner}: ${file}: unsupported length reference format; expected a .txt file with one integer per line`);
  const { readFile } = await import('node:fs/promises');
  try {
    return parseLengthReference(await readFile(file, 'utf8'), file);
  } catch (error) {
    throw new Error((error as Error).message.replace(/^parseLengthReference/, owner));
  }
}

/** Reads `lengthRefFile` (see `loadLengthReference`) and builds the dataset. */
export async function createMLMEmptyDatasetFromLengthRef(
  options: Omit<MLMEmptyDatasetFromLengthRefOptions, 'lengths'> & { lengthRefFile: string },
): Promise<MLMEmptyDatasetFromLengthRef> {
  const { lengthRefFile, ...rest } = options;
  return new MLMEmptyDatasetFromLengthRef({ ...rest, lengths: await loadLengthReference(lengthRefFile) });
}
