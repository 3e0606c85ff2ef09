import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CharacterTokenizer } from '@mlm/collators';
import { saveTokenizerFile } from '@mlm/collators/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectExamples } from './example-source.js';
import { readCorpusPieces } from './text-corpus.js';
import { chunkHash, createChunkSplitter, createTextTask } from './text-task.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'mlm-text-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function folderWith(name: string, files: Record<string, string>): Promise<string> {
  const folder = path.join(root, name);
  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(folder, file)), { recursive: true });
    await writeFile(path.join(folder, file), text);
  }
  return folder;
}

function numberedLines(count: number): string {
  return Array.from({ length: count }, (_, i) => `line ${String(i).padStart(5, '0')} of the corpus\n`).join('');
}

describe('createTextTask', () => {
  it('streams the sorted .txt files of a folder into consecutive blockSize chunks with a character tokenizer', async () => {
    const folder = await folderWith('small', { 'b.txt': 'hello world\n', 'a.txt': 'abc', 'sub/c.txt': 'xyz\n', 'notes.md': 'ignored' });
    const task = await createTextTask({ seed: 0, path: folder, blockSize: 4, validationPercent: 0, testPercent: 0 });
    const corpus = 'abc\nhello world\nxyz\n';
    expect(task.files).toEqual([path.join(folder, 'a.txt'), path.join(folder, 'b.txt'), path.join(folder, 'sub', 'c.txt')]);
    expect(task.name).toBe('text-char');
    expect(task.kind).toBe('unconditional');
    expect(task.numTokens).toBe(corpus.length);
    expect(task.numChunks).toEqual({ train: 5, validation: 0, test: 0 });
    expect(task.tokenizer).toBeInstanceOf(CharacterTokenizer);
    expect((task.tokenizer as CharacterTokenizer).vocabulary).toEqual([...new Set(corpus)].sort());
    expect(task.splits.train.size).toBeUndefined();
    const chunks = await collectExamples(task.splits.train);
    for (const chunk of chunks) expect(chunk.inputIds).toHaveLength(4);
    expect(chunks.map((chunk) => task.tokenizer.decode(chunk.inputIds!)).join('')).toBe(corpus);
    expect(task.collatorDefaults.train).toMatchObject({ name: 'mlm/default-collator', blockSize: 4, addBos: false, addEos: false, lossOnPadding: true });
  });

  it('holds out a deterministic, hash-chosen ~1% of chunks for validation and test', async () => {
    // Lines of 8 characters: every 16-character chunk holds two distinct numbers, so chunks are unique.
    const unique = Array.from({ length: 3000 }, (_, i) => `${String(i).padStart(7, '0')}\n`).join('');
    const folder = await folderWith('large', { 'corpus.txt': unique });
    const task = await createTextTask({ seed: 0, path: folder, blockSize: 16 });
    const total = Math.floor(task.numTokens / 16);
    expect(task.numChunks.train + task.numChunks.validation + task.numChunks.test).toBe(total);
    expect(task.numChunks.validation).toBeGreaterThan(0);
    expect(task.numChunks.test).toBeGreaterThan(0);
    expect(task.numChunks.validation).toBeLessThan(total * 0.03);
    const read = async (t: typeof task) => ({
      train: await collectExamples(t.splits.train),
      validation: await collectExamples(t.splits.validation),
      test: await collectExamples(t.splits.test),
    });
    const splits = await read(task);
    expect(splits.validation).toHaveLength(task.numChunks.validation);
    expect(splits.test).toHaveLength(task.numChunks.test);
    expect(splits.train).toHaveLength(task.numChunks.train);
    const trainTexts = new Set(splits.train.map((chunk) => task.tokenizer.decode(chunk.inputIds!)));
    expect(trainTexts.size).toBe(splits.train.length);
    for (const chunk of [...splits.validation, ...splits.test]) expect(trainTexts.has(task.tokenizer.decode(chunk.inputIds!))).toBe(false);
    // Same corpus, same split; the seed does not move chunks between splits.
    expect(await read(await createTextTask({ seed: 5, path: folder, blockSize: 16 }))).toEqual(splits);
  });

  it('uses a tokenizer.json when given (round trip through saveTokenizerFile)', async () => {
    const folder = await folderWith('with-tokenizer', { 'corpus.txt': numberedLines(50) });
    const built = await createTextTask({ seed: 0, path: folder, blockSize: 8 });
    const tokenizerFolder = path.join(root, 'tokenizer');
    await saveTokenizerFile(built.tokenizer, tokenizerFolder);
    const loaded = await createTextTask({ seed: 0, path: folder, blockSize: 8, tokenizerPath: path.join(tokenizerFolder, 'tokenizer.json') });
    expect(loaded.tokenizer.toJSON()).toEqual(built.tokenizer.toJSON());
    expect(await collectExamples(loaded.splits.train)).toEqual(await collectExamples(built.splits.train));
    const text = 'line 00001 of the corpus\n';
    expect(loaded.tokenizer.decode(loaded.tokenizer.encode(text))).toBe(text);
    // A tokenizer that lacks a corpus character is an error naming the character.
    await saveTokenizerFile(CharacterTokenizer.fromCorpus('line'), path.join(root, 'narrow'));
    await expect(createTextTask({ seed: 0, path: folder, tokenizerPath: path.join(root, 'narrow') })).rejects.toThrow(/character " " is not in the tokenizer/);
  });

  it('keeps literal special-token text as characters', async () => {
    const folder = await folderWith('special', { 'a.txt': '[MASK] and [PAD] are plain text here\n'.repeat(4) });
    const task = await createTextTask({ seed: 0, path: folder, blockSize: 8 });
    const ids = (await collectExamples(task.splits.train)).flatMap((chunk) => chunk.inputIds!);
    expect(ids).not.toContain(task.tokenizer.maskTokenId);
    expect(ids).not.toContain(task.tokenizer.padTokenId);
  });

  it('explains missing paths, empty corpora, unreadable files and corpora too small', async () => {
    await expect(createTextTask({ seed: 0, path: path.join(root, 'nowhere') })).rejects.toThrow(/path .*nowhere does not exist/);
    await expect(createTextTask({ seed: 0 })).rejects.toThrow(/options.path is required/);
    const noText = await folderWith('no-text', { 'readme.md': 'x' });
    await expect(createTextTask({ seed: 0, path: noText })).rejects.toThrow(/folder .*no-text holds no \.txt or \.jsonl files/);
    const empty = await folderWith('empty', { 'a.txt': '', 'b.txt': '' });
    await expect(createTextTask({ seed: 0, path: empty })).rejects.toThrow(/corpus at .*empty is empty \(2 file\(s\)/);
    const tiny = await folderWith('tiny', { 'a.txt': 'only a few characters' });
    await expect(createTextTask({ seed: 0, path: tiny, blockSize: 8 })).rejects.toThrow(/2 chunk\(s\) of blockSize 8; need at least 3/);
    const dangling = await folderWith('dangling', { 'a.txt': 'text\n' });
    await symlink(path.join(root, 'does-not-exist.txt'), path.join(dangling, 'b.txt'));
    await expect(createTextTask({ seed: 0, path: dangling })).rejects.toThrow(/cannot read .*dangling\/b\.txt/);
    if (process.getuid?.() !== 0) {
      const locked = await folderWith('locked', { 'a.txt': 'secret\n' });
      await chmod(path.join(locked, 'a.txt'), 0o000);
      await expect(createTextTask({ seed: 0, path: locked })).rejects.toThrow(/cannot read .*locked\/a\.txt/);
    }
    await expect(createTextTask({ seed: 0, path: tiny, validationPercent: 60, testPercent: 40 })).rejects.toThrow(/validationPercent \+ testPercent = 100/);
    await expect(createTextTask({ seed: 0, path: tiny, blockSize: 0 })).rejects.toThrow(/blockSize = 0/);
  });
});

describe('readCorpusPieces', () => {
  it('reads in pieces that end at line breaks and cuts over-long lines', async () => {
    const lines = numberedLines(8000); // ~250 KB: several 64 KiB reads
    const longLine = 'word '.repeat(300_000); // 1.5 M characters without a newline
    const folder = await folderWith('pieces', { 'a.txt': lines, 'b.txt': longLine });
    const pieces: string[] = [];
    for await (const piece of readCorpusPieces([path.join(folder, 'a.txt'), path.join(folder, 'b.txt')])) pieces.push(piece);
    expect(pieces.length).toBeGreaterThan(4);
    expect(pieces.join('')).toBe(`${lines}${longLine}\n`);
    for (const piece of pieces) expect(piece.length).toBeLessThanOrEqual((1 << 20) + (1 << 16));
    const linePieces = pieces.filter((piece) => !piece.startsWith('word'));
    for (const piece of linePieces) expect(piece.endsWith('\n')).toBe(true);
  });
});

describe('createChunkSplitter', () => {
  it('gives ~1% per held-out split and never leaves one empty', () => {
    const large = createChunkSplitter(20_000);
    expect(large.counts.validation).toBeGreaterThan(120);
    expect(large.counts.validation).toBeLessThan(280);
    expect(large.counts.test).toBeGreaterThan(120);
    expect(large.counts.test).toBeLessThan(280);
    for (const numChunks of [3, 4, 10, 50]) {
      const { splitOf, counts } = createChunkSplitter(numChunks);
      expect(counts.validation).toBeGreaterThan(0);
      expect(counts.test).toBeGreaterThan(0);
      const recount = { train: 0, validation: 0, test: 0 };
      for (let index = 0; index < numChunks; index++) recount[splitOf(index)] += 1;
      expect(recount).toEqual(counts);
    }
    expect(chunkHash(12)).toBe(chunkHash(12));
    expect(chunkHash(12)).not.toBe(chunkHash(13));
  });
});
