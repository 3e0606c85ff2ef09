// Rewrites the code blocks of the root README that are copies of consumer programs (between
// `<!-- consumer: FILE -->` and `<!-- /consumer -->`) from tooling/consumer-test/consumers/FILE.
// src/readme.test.ts fails when they differ, so the README shows exactly the code the consumer test runs.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const readmePath = path.resolve(here, '../../../README.md');
const consumers = path.resolve(here, '../consumers');

export const BLOCK_PATTERN = /<!-- consumer: ([\w./-]+) -->\n[\s\S]*?<!-- \/consumer -->/g;

export function renderBlock(file, source) {
  const language = file.endsWith('.ts') ? 'ts' : file.endsWith('.yaml') ? 'yaml' : 'js';
  return `<!-- consumer: ${file} -->\n\`\`\`${language}\n${source.trimEnd()}\n\`\`\`\n<!-- /consumer -->`;
}

export function syncReadme(readme, readSource = (file) => readFileSync(path.join(consumers, file), 'utf8')) {
  return readme.replace(BLOCK_PATTERN, (_, file) => renderBlock(file, readSource(file)));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const before = readFileSync(readmePath, 'utf8');
  const after = syncReadme(before);
  if (after !== before) writeFileSync(readmePath, after);
  console.log(after === before ? 'README.md is up to date' : 'README.md updated');
}
