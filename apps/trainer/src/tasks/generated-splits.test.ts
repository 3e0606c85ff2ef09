import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateSplits, generatedDataDirectory, loadOrGenerateSplits } from './generated-splits.js';
import { readJsonLines, writeJsonLines } from './jsonl-file.js';
import { randomInteger } from './random-draws.js';

describe('generateSplits', () => {
  it('redraws validation/test items seen in earlier splits', () => {
    const splits = generateSplits({
      name: 'digits',
      seed: 1,
      counts: { train: 30, validation: 3, test: 3 },
      generate: (random) => randomInteger(random, 0, 40),
      key: String,
    });
    expect(splits.train).toHaveLength(30);
    const train = new Set(splits.train);
    for (const item of splits.validation) expect(train.has(item)).toBe(false);
    for (const item of splits.test) expect(train.has(item) || splits.validation.includes(item)).toBe(false);
  });

  it('explains when the problem space is too small for the split sizes', () => {
    expect(() =>
      generateSplits({ name: 'coin', seed: 1, counts: { train: 20, validation: 2, test: 0 }, generate: (random) => randomInteger(random, 0, 2), key: String }),
    ).toThrow(/coin: could only draw 0 of 2 validation problems/);
  });
});

describe('loadOrGenerateSplits and JSON lines', () => {
  it('writes on the first call and reads on the second', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'mlm-splits-'));
    try {
      const counts = { train: 3, validation: 1, test: 2 };
      const directory = generatedDataDirectory(dataDir, 'toy', 5, counts, '-x');
      expect(directory).toBe(path.join(dataDir, 'toy', 'seed-5-train-3-validation-1-test-2-x'));
      let generated = 0;
      const options = {
        directory,
        extension: 'jsonl',
        counts,
        generate: () => {
          generated += 1;
          return { train: [{ a: 1 }, { a: 2 }, { a: 3 }], validation: [{ a: 4 }], test: [{ a: 5 }, { a: 6 }] };
        },
        read: async (file: string) => {
          const items: unknown[] = [];
          for await (const item of readJsonLines(file)) items.push(item);
          return items;
        },
        write: writeJsonLines,
      };
      const first = await loadOrGenerateSplits(options);
      const second = await loadOrGenerateSplits(options);
      expect(generated).toBe(1);
      expect(first.fromCache).toBe(false);
      expect(second.fromCache).toBe(true);
      expect(second.test).toEqual([{ a: 5 }, { a: 6 }]);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('names the file and line of invalid JSON', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'mlm-splits-'));
    try {
      const file = path.join(dataDir, 'bad.jsonl');
      await writeJsonLines(file, [{ ok: true }]);
      const { appendFile } = await import('node:fs/promises');
      await appendFile(file, '{not json\n');
      const read = async () => {
        for await (const item of readJsonLines(file)) void item;
      };
      await expect(read()).rejects.toThrow(new RegExp(`${file.replaceAll('/', '\\/')}:2: invalid JSON`));
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
