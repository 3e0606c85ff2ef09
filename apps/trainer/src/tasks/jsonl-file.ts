import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { writeLinesDurably } from '@mlm/durable-write';

/**
 * Writes one JSON value per line, durably (`@mlm/durable-write`), so a reader never sees a
 * half-written file. Returns the number of records.
 */
export async function writeJsonLines(filePath: string, records: Iterable<unknown> | AsyncIterable<unknown>): Promise<number> {
  let count = 0;
  await writeLinesDurably(
    filePath,
    (async function* () {
      for await (const record of records) {
        yield `${JSON.stringify(record)}\n`;
        count += 1;
      }
    })(),
  );
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
