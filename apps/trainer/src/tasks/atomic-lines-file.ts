import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { once } from 'node:events';
import path from 'node:path';
import { finished } from 'node:stream/promises';

/**
 * Writes text lines (each already ending in `\n`) to a temporary file in the target's folder and renames
 * it into place, so a reader never sees a half-written file; on failure the temporary file is removed.
 * Honours back-pressure, so arbitrarily long (async) sources are streamed.
 */
export async function writeLinesAtomically(filePath: string, lines: Iterable<string> | AsyncIterable<string>): Promise<void> {
  await mkdir(path.dirname(filePath), { recursive: true });
  const temporary = `${filePath}.${process.pid}.tmp`;
  const stream = createWriteStream(temporary, { encoding: 'utf8' });
  try {
    for await (const line of lines) {
      if (!stream.write(line)) await once(stream, 'drain');
    }
    stream.end();
    await finished(stream);
    await rename(temporary, filePath);
  } catch (error) {
    stream.destroy();
    await rm(temporary, { force: true });
    throw error;
  }
}
