import { createReadStream } from 'node:fs';
import { access, constants, readdir, stat } from 'node:fs/promises';
import path from 'node:path';

/**
 * The files of a corpus: the file itself, or every `.txt` file under a folder (recursively), sorted by
 * relative path. Missing paths, folders without `.txt` files and unreadable files are errors naming
 * the path.
 */
export async function listCorpusFiles(corpusPath: string): Promise<string[]> {
  let info;
  try {
    info = await stat(corpusPath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`text corpus: path ${corpusPath} does not exist`);
    throw new Error(`text corpus: cannot read ${corpusPath} (${(error as Error).message})`);
  }
  let files: string[];
  if (info.isDirectory()) {
    const entries = await readdir(corpusPath, { recursive: true, withFileTypes: true });
    files = entries
      .filter((entry) => (entry.isFile() || entry.isSymbolicLink()) && entry.name.toLowerCase().endsWith('.txt'))
      .map((entry) => path.relative(corpusPath, path.join(entry.parentPath, entry.name)))
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
      .map((relative) => path.join(corpusPath, relative));
    if (files.length === 0) throw new Error(`text corpus: folder ${corpusPath} holds no .txt files`);
  } else if (info.isFile()) {
    files = [corpusPath];
  } else {
    throw new Error(`text corpus: ${corpusPath} is neither a file nor a folder`);
  }
  for (const file of files) {
    try {
      await access(file, constants.R_OK);
    } catch (error) {
      throw new Error(`text corpus: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
  }
  return files;
}

/** Longest piece `readCorpusPieces` yields when a line has no newline for that long. */
const MAX_PIECE_LENGTH = 1 << 20;

/**
 * Streams the text of `files` in order as pieces that end at a line break (a line longer than 1M
 * characters is cut at its last space, or anywhere). Files are read in 64 KiB chunks as UTF-8, so the
 * corpus is never held in memory; a `\n` is inserted between files when a file does not end with one.
 */
export async function* readCorpusPieces(files: readonly string[]): AsyncGenerator<string> {
  for (const file of files) {
    const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 16 });
    let pending = '';
    try {
      for await (const chunk of stream as AsyncIterable<string>) {
        pending += chunk;
        const lineEnd = pending.lastIndexOf('\n');
        if (lineEnd >= 0) {
          yield pending.slice(0, lineEnd + 1);
          pending = pending.slice(lineEnd + 1);
        } else if (pending.length > MAX_PIECE_LENGTH) {
          let cut = pending.lastIndexOf(' ');
          if (cut <= 0) cut = pending.length - 1;
          // Never split a surrogate pair.
          const code = pending.charCodeAt(cut);
          if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
          yield pending.slice(0, cut + 1);
          pending = pending.slice(cut + 1);
        }
      }
    } catch (error) {
      throw new Error(`text corpus: failed reading ${file} (${(error as Error).message})`);
    } finally {
      stream.destroy();
    }
    if (pending.length > 0) yield `${pending}\n`;
  }
}
