import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleForBrowser, type BrowserBundle } from './browser-bundle.js';
import { buildPackages } from './pack-packages.js';
import { REPOSITORY_ROOT, publishablePackages } from './workspace-packages.js';

// Each library's BUILT main entry, bundled as a web page would bundle it, must reach no Node
// built-in anywhere in its import graph (file-system helpers live in the `./node` subpaths).
// @mlm/backend has its own browser export condition and its own browser tests; the trainer is Node-only.
const BROWSER_PACKAGES = ['types', 'random', 'model', 'loss', 'collators', 'predictor', 'metrics', 'history'];
const PEER = ['@tensorflow/tfjs-core'];

const entry = (name: string, file = 'index.js') => path.join(REPOSITORY_ROOT, 'packages', name, 'dist', file);
const bundles = new Map<string, BrowserBundle>();
const scratch = mkdtempSync(path.join(os.tmpdir(), 'mlm-browser-bundle-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

beforeAll(async () => {
  // Builds what is not built yet (a turbo cache hit after `pnpm build`).
  await buildPackages(publishablePackages().filter((workspacePackage) => BROWSER_PACKAGES.some((name) => workspacePackage.name === `@mlm/${name}`)));
  for (const name of BROWSER_PACKAGES) bundles.set(name, await bundleForBrowser(entry(name), { root: REPOSITORY_ROOT, external: PEER }));
  const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`.padStart(10);
  console.info(
    `[browser-bundle] esbuild platform=browser, minified, without the peer @tensorflow/tfjs-core:\n${[...bundles]
      .map(([name, bundle]) => `  @mlm/${name.padEnd(10)} ${kib(bundle.bytes)} (${kib(bundle.gzipBytes)} gzip), ${bundle.inputs.length} files`)
      .join('\n')}`,
  );
}, 900_000);

describe('library main entries bundle for the browser', () => {
  it.each(BROWSER_PACKAGES)('@mlm/%s: no Node built-in anywhere in its import graph', (name) => {
    const bundle = bundles.get(name)!;
    expect(bundle.errors).toEqual([]);
    expect(bundle.builtins).toEqual([]);
    expect(bundle.inputs.some((file) => file.includes(`packages/${name}/dist/`))).toBe(true);
    // Built code only: the workspace's @mlm/source condition (TypeScript sources) must not be used.
    expect(bundle.inputs.filter((file) => file.endsWith('.ts'))).toEqual([]);
  });

  it('the check catches a Node built-in, naming it and its importer (the ./node entries are Node-only)', async () => {
    const nodeEntry = await bundleForBrowser(entry('model', 'node.js'), { root: REPOSITORY_ROOT, external: PEER });
    expect(nodeEntry.builtins.map((found) => found.specifier)).toEqual(expect.arrayContaining(['fs/promises', 'path']));
    expect(nodeEntry.builtins[0]!.importer).toMatch(/^packages\/model\/dist\//);
    const file = path.join(scratch, 'uses-crypto.js');
    writeFileSync(file, "import { randomUUID } from 'node:crypto';\nexport const id = randomUUID();\n");
    expect((await bundleForBrowser(file, { root: scratch })).builtins).toEqual([{ specifier: 'node:crypto', importer: 'uses-crypto.js' }]);
  });
});
