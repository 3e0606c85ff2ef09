import { readFile } from 'node:fs/promises';

/**
 * Reads a JSON-lines data file whole and checks every record with `parse` before anything else runs.
 * `parse` returns the example or throws `DataRecordError(field, message)`; every problem becomes an
 * error naming the file, the line and the field (`data/train.jsonl:12: field "path": expected ...`).
 */
export class DataRecordError extends Error {
  constructor(
    readonly field: string | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'DataRecordError';
  }
}

export async function readJsonlRecords<T>(file: string, parse: (record: Record<string, unknown>, line: number) => T): Promise<T[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new Error(`${file} cannot be read (${(error as Error).message})`);
  }
  const out: T[] = [];
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const content = lines[index] as string;
    const line = index + 1;
    if (content.trim().length === 0) continue;
    let record: unknown;
    try {
      record = JSON.parse(content);
    } catch (error) {
      throw new Error(`${file}:${line}: invalid JSON (${(error as Error).message})`);
    }
    if (typeof record !== 'object' || record === null || Array.isArray(record)) {
      throw new Error(`${file}:${line}: expected a JSON object, got ${content.slice(0, 80)}`);
    }
    try {
      out.push(parse(record as Record<string, unknown>, line));
    } catch (error) {
      if (error instanceof DataRecordError) throw new Error(`${file}:${line}: ${error.field ? `field "${error.field}": ` : ''}${error.message}`);
      throw error;
    }
  }
  if (out.length === 0) throw new Error(`${file} holds no records`);
  return out;
}

/** A short JSON rendering of a bad value for messages. */
export function describeDataValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
