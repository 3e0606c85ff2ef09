import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BLOCK_PATTERN, syncReadme } from '../scripts/sync-readme.mjs';
import { CONSUMERS_DIRECTORY } from './consumer-project.js';
import { REPOSITORY_ROOT } from './workspace-packages.js';

const readme = readFileSync(path.join(REPOSITORY_ROOT, 'README.md'), 'utf8');

describe('README "Use a single package"', () => {
  it('shows consumer programs that the consumer test runs', () => {
    const files = [...readme.matchAll(BLOCK_PATTERN)].map((match) => match[1]);
    expect(files).toContain('use-packages.mjs');
    for (const file of files) expect(() => readFileSync(path.join(CONSUMERS_DIRECTORY, file!), 'utf8'), file).not.toThrow();
  });

  it('shows them exactly as they are (run `pnpm --filter @mlm/consumer-test sync-readme` after editing one)', () => {
    expect(syncReadme(readme)).toBe(readme);
  });
});
