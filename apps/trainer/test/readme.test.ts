import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseRunConfig } from '../src/config/load-config.js';
import { createRegistry } from '../src/registry/create-registry.js';
import { expandComponentOptions } from '../src/training/prepare-run.js';

const readme = readFileSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../README.md'), 'utf8');

describe('README', () => {
  it('documents exactly the configuration the schema defaults to', () => {
    const section = readme.slice(readme.indexOf('### Reference'));
    const block = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
    expect(block).toBeDefined();
    const documented = YAML.parse(block!) as unknown;
    expect(documented).toEqual(JSON.parse(JSON.stringify(expandComponentOptions(parseRunConfig({}), createRegistry()))));
  });
});
