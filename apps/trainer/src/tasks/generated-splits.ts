import { access } from 'node:fs/promises';
import path from 'node:path';
import { createNamedRandom } from '@mlm/random';
import type { RandomSource } from '@mlm/types';
import type { SplitCounts } from './task-options.js';

export type SplitName = 'train' | 'validation' | 'test';
export const SPLIT_NAMES: readonly SplitName[] = ['train', 'validation', 'test'];

export interface GeneratedSplits<T> {
  train: T[];
  validation: T[];
  test: T[];
}

export interface GenerateSplitsOptions<T> {
  /** Task name; each split draws from its own stream `createNamedRandom(seed, "<name>/<split>")`. */
  name: string;
  seed: number;
  counts: SplitCounts;
  generate: (random: RandomSource) => T;
  /** Identity of a problem: validation and test items whose key occurs in an earlier split are redrawn. */
  key: (item: T) => string;
}

/**
 * Generates train, validation and test from different random streams of one seed. Validation is
 * deduplicated against train, test against train and validation (redrawing duplicates), so no
 * evaluation problem was seen in training. Train itself may repeat problems, as the reference's data.
 */
export function generateSplits<T>(options: GenerateSplitsOptions<T>): GeneratedSplits<T> {
  const { name, seed, counts, generate, key } = options;
  const seen = new Set<string>();
  const splits: Partial<GeneratedSplits<T>> = {};
  for (const split of SPLIT_NAMES) {
    const random = createNamedRandom(seed, `${name}/${split}`);
    const wanted = counts[split];
    const items: T[] = [];
    const keys: string[] = [];
    const maxAttempts = 20 * wanted + 1000;
    let attempts = 0;
    while (items.length < wanted) {
      if (attempts++ >= maxAttempts) {
        throw new Error(
          `${name}: could only draw ${items.length} of ${wanted} ${split} problems not already in an earlier split after ${maxAttempts} attempts; the problem space is too small for these split sizes`,
        );
      }
      const item = generate(random);
      const itemKey = key(item);
      if (split !== 'train' && seen.has(itemKey)) continue;
      items.push(item);
      keys.push(itemKey);
    }
    for (const itemKey of keys) seen.add(itemKey);
    splits[split] = items;
  }
  return splits as GeneratedSplits<T>;
}

/** The cache folder for one generated data set, keyed by task, seed, counts and generator settings. */
export function generatedDataDirectory(dataDir: string, taskName: string, seed: number, counts: SplitCounts, extra = ''): string {
  const key = `seed-${seed}-train-${counts.train}-validation-${counts.validation}-test-${counts.test}${extra}`;
  return path.join(dataDir, taskName, key);
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

export interface CachedSplitsOptions<T> {
  /** Cache folder (`generatedDataDirectory`), or undefined to generate without caching. */
  directory: string | undefined;
  /** File extension, for example `csv` or `jsonl`. */
  extension: string;
  /** Expected number of items per split (a cached file with another count is an error). */
  counts: SplitCounts;
  generate: () => GeneratedSplits<T>;
  read: (file: string) => Promise<T[]>;
  write: (file: string, items: T[]) => Promise<unknown>;
}

/**
 * Reads `<directory>/{train,validation,test}.<extension>` when all three exist; otherwise generates the
 * splits and writes them there. Without a directory it only generates.
 */
export async function loadOrGenerateSplits<T>(options: CachedSplitsOptions<T>): Promise<GeneratedSplits<T> & { fromCache: boolean }> {
  const { directory, extension } = options;
  if (directory === undefined) return { ...options.generate(), fromCache: false };
  const files = Object.fromEntries(SPLIT_NAMES.map((split) => [split, path.join(directory, `${split}.${extension}`)])) as Record<SplitName, string>;
  const present = await Promise.all(SPLIT_NAMES.map((split) => exists(files[split])));
  if (present.every(Boolean)) {
    const cached: Partial<GeneratedSplits<T>> = {};
    for (const split of SPLIT_NAMES) {
      const items = await options.read(files[split]);
      if (items.length !== options.counts[split]) {
        throw new Error(
          `cached data ${files[split]} holds ${items.length} examples, expected ${options.counts[split]}; delete the folder ${directory} to regenerate it`,
        );
      }
      cached[split] = items;
    }
    return { ...(cached as GeneratedSplits<T>), fromCache: true };
  }
  const splits = options.generate();
  for (const split of SPLIT_NAMES) await options.write(files[split], splits[split]);
  return { ...splits, fromCache: false };
}
