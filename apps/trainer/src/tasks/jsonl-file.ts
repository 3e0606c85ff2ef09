import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { once } from 'node:events';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { finished } from 'node:stream/promises';

/**
 * Writes one JSON value per line. Written to a temporary file and renamed, so a reader never sees a
 * half-written file. Returns the number of records.
 */
export async function writeJsonLines(filePath: string, records: Iterable<unknown> | AsyncIterable<unknown>): Promise<number> {
  await mkdir(path.dirname(filePath), { recursive: true });
  const temporary = `${filePath}.${process.pid}.tmp`;
  const stream = createWriteStream(temporary, { encoding: 'utf8' });
  let count = 0;
  try {
    for await (const record of records) {
      if (!stream.write(`${JSON.stringify(record)}\n`)) await once(stream, 'drain');
      count += 1;
    }
    stream.end();
    await finished(stream);
    await rename(temporary, filePath);
  } catch (error) {
    stream.destroy();
    await rm(temporary, { force: true });
    throw error;
  }
  return count;
}

/** Reads a JSON-lines file record by record (streamed; blank lines skipped). */
export async function* readJsonLines(filePath: string): AsyncGenerator<unknown> {
  const input = createReadStream(filePath, { encoding: 'utf8' });
  const lines = createInterface({ input, crlfDelay: Infinity });
  let lineNumber = 0;
  try {
    for await (const line of lines) {
      lineNumber += 1;
      if (line.trim().length === 0) continue;
      try {
        yield JSON.parse(line) as unknown;
      } catch (error) {
        throw new Error(`${filePath}:${lineNumber}: invalid JSON (${(error as Error).message})`);
      }
    }
  } finally {
    lines.close();
    input.destroy();
  }
}
