import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { access, constants, readdir, stat } from 'node:fs/promises';
import path from 'node:path';

/**
 * The files of a corpus: the file itself, or every `.txt` / `.jsonl` file under a folder (recursively), sorted by
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
      .filter((entry) => (entry.isFile() || entry.isSymbolicLink()) && /\.(txt|jsonl)$/i.test(entry.name))
      .map((entry) => path.relative(corpusPath, path.join(entry.parentPath, entry.name)))
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
      .map((relative) => path.join(corpusPath, relative));
    if (files.length === 0) throw new Error(`text corpus: folder ${corpusPath} holds no .txt or .jsonl files`);
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
    if (/\.jsonl$/i.test(file)) {
      yield* readJsonlTexts(file);
      continue;
    }
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

/**
 * A `.jsonl` corpus file (the layout of Hugging Face text datasets such as lm1b/owt exports): one
 * `{"text": "..."}` record per line, each yielded as a line of text. A bad record is an error naming
 * the file, the line and the field.
 */
async function* readJsonlTexts(file: string): AsyncGenerator<string> {
  const input = createReadStream(file, { encoding: 'utf8' });
  const lines = createInterface({ input, crlfDelay: Infinity });
  let lineNumber = 0;
  try {
    for await (const line of lines) {
      lineNumber += 1;
      if (line.trim().length === 0) continue;
      let record: unknown;
      try {
        record = JSON.parse(line);
      } catch (error) {
        throw new Error(`${file}:${lineNumber}: invalid JSON (${(error as Error).message})`);
      }
      const text = typeof record === 'object' && record !== null ? (record as Record<string, unknown>).text : undefined;
      if (typeof text !== 'string') {
        throw new Error(`${file}:${lineNumber}: field "text": expected a string, got ${text === undefined ? 'nothing' : JSON.stringify(text).slice(0, 80)}`);
      }
      yield `${text}\n`;
    }
  } finally {
    lines.close();
    input.destroy();
  }
}
