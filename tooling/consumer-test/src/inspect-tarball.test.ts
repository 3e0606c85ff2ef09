import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findInstalledCopies, versionsInTree } from './consumer-project.js';
import { importedSpecifiers, inspectUnpackedTarball, packageOfSpecifier, type UnpackedTarball } from './inspect-tarball.js';
import type { PackageManifest } from './workspace-packages.js';

// The checks the consumer test applies to real tarballs, on hand-made packages: each must catch
// what it is there to catch.

const root = mkdtempSync(path.join(os.tmpdir(), 'mlm-inspect-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let counter = 0;
function fakePackage(manifest: Partial<PackageManifest>, files: Record<string, string>): UnpackedTarball {
  const directory = path.join(root, `package-${counter++}`);
  const fullManifest: PackageManifest = {
    name: '@mlm/example',
    version: '1.0.0',
    type: 'module',
    engines: { node: '>=20.0.0' },
    exports: { '.': { types: './dist/index.d.ts', import: './dist/index.js' }, './package.json': './package.json' },
    main: './dist/index.js',
    types: './dist/index.d.ts',
    ...manifest,
  };
  const all: Record<string, string> = { 'package.json': JSON.stringify(fullManifest), 'README.md': '# example', ...files };
  for (const [file, content] of Object.entries(all)) {
    mkdirSync(path.dirname(path.join(directory, file)), { recursive: true });
    writeFileSync(path.join(directory, file), content);
  }
  return { directory, manifest: fullManifest, files: Object.keys(all).sort(), packedBytes: 0, unpackedBytes: 0 };
}

const GOOD_FILES = {
  'dist/index.js': "import * as tf from '@tensorflow/tfjs-core';\nimport { z } from \"zod\";\nexport const x = 1;\n",
  'dist/index.d.ts': "import type { Tensor } from '@tensorflow/tfjs-core';\nexport declare const x: number;\n",
};
const GOOD_DEPENDENCIES = { dependencies: { zod: '4.6.7' }, peerDependencies: { '@tensorflow/tfjs-core': '4.22.0' } };

describe('inspectUnpackedTarball', () => {
  it('passes a well-formed ESM package', () => {
    expect(inspectUnpackedTarball(fakePackage(GOOD_DEPENDENCIES, GOOD_FILES))).toEqual([]);
  });

  it('catches workspace ranges, the source condition and targets missing from the tarball', () => {
    const problems = inspectUnpackedTarball(
      fakePackage(
        {
          ...GOOD_DEPENDENCIES,
          dependencies: { zod: '4.6.7', '@mlm/types': 'workspace:*' },
          exports: { '.': { '@mlm/source': './src/index.ts', types: './dist/index.d.ts', import: './dist/missing.js' } },
        },
        GOOD_FILES,
      ),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        'package.json dependencies.@mlm/types: "workspace:*" was not replaced by a published version',
        'exports ["."]["@mlm/source"]: the workspace-only "@mlm/source" condition was published',
        'exports ["."]["@mlm/source"]: ./src/index.ts is not in the tarball',
        'exports ["."]["import"]: ./dist/missing.js is not in the tarball',
      ]),
    );
  });

  it('catches sources, tests, fixtures, source maps and build configs', () => {
    const problems = inspectUnpackedTarball(
      fakePackage(GOOD_DEPENDENCIES, {
        ...GOOD_FILES,
        'src/index.ts': '',
        'dist/index.test.js': '',
        'dist/index.js.map': '',
        'fixtures/basic/config.json': '{}',
        'tsup.config.ts': '',
      }),
    );
    expect(problems).toEqual([
      'dist/index.js.map: a source map does not belong in the published package',
      'dist/index.test.js: a test file does not belong in the published package',
      'fixtures/basic/config.json: tests or fixtures does not belong in the published package',
      'src/index.ts: TypeScript sources (src/) does not belong in the published package',
      'tsup.config.ts: a build or test config does not belong in the published package',
    ]);
  });

  it('catches undeclared imports and tfjs-core as a plain dependency', () => {
    const problems = inspectUnpackedTarball(
      fakePackage({ dependencies: { '@tensorflow/tfjs-core': '4.22.0' } }, {
        ...GOOD_FILES,
        'dist/cli.js': "#!/usr/bin/env node\nconst yaml = await import('yaml');\n",
      }),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        'dist/index.js imports "zod", but zod is neither a dependency nor a peer dependency',
        'dist/index.js imports @tensorflow/tfjs-core, which must be a peer dependency (one copy per application), not a dependency',
        'dist/index.d.ts imports @tensorflow/tfjs-core, which must be a peer dependency (one copy per application), not a dependency',
        'dist/cli.js imports "yaml", but yaml is neither a dependency nor a peer dependency',
      ]),
    );
  });

  it('catches a missing README, a bin without a shebang, CommonJS and a private package', () => {
    const unpacked = fakePackage({ ...GOOD_DEPENDENCIES, bin: { tool: './dist/index.js' }, type: 'commonjs', private: true }, GOOD_FILES);
    rmSync(path.join(unpacked.directory, 'README.md'));
    unpacked.files = unpacked.files.filter((file) => file !== 'README.md');
    expect(inspectUnpackedTarball(unpacked)).toEqual(
      expect.arrayContaining([
        'package.json: "private": true, so it cannot be published',
        'package.json: "type" is "commonjs", expected "module" (ESM-only)',
        'package.json bin.tool: ./dist/index.js does not start with "#!/usr/bin/env node"',
        'README.md is missing (the registry page would be empty)',
      ]),
    );
  });
});

describe('importedSpecifiers', () => {
  it('finds static, re-exported, side-effect, dynamic and required imports, not those in comments or strings', () => {
    const source = [
      "import * as tf from '@tensorflow/tfjs-core';",
      'import {',
      '  a,',
      '  b',
      '} from "@mlm/types";',
      "export { c } from '@mlm/random/sub';",
      "import 'side-effect';",
      "const m = await import('@tensorflow/tfjs');",
      "const p = require.resolve('@tensorflow/tfjs-backend-wasm/package.json');",
      "import fs from 'node:fs';",
      "import local from './local.js';",
      '/** import { x } from "in-a-doc-comment"; */',
      '// import y from "in-a-line-comment";',
      'throw new Error(\'a default export or a named export "plugin"\');',
    ].join('\n');
    expect(importedSpecifiers(source)).toEqual([
      '@mlm/random/sub',
      '@mlm/types',
      '@tensorflow/tfjs',
      '@tensorflow/tfjs-backend-wasm/package.json',
      '@tensorflow/tfjs-core',
      'node:fs',
      'side-effect',
    ]);
    expect(packageOfSpecifier('@tensorflow/tfjs-backend-wasm/package.json')).toBe('@tensorflow/tfjs-backend-wasm');
    expect(packageOfSpecifier('yaml/util')).toBe('yaml');
  });
});

describe('finding installed copies', () => {
  it('finds a nested second copy of a package', () => {
    const project = path.join(root, 'project');
    const write = (folder: string, version: string) => {
      mkdirSync(folder, { recursive: true });
      writeFileSync(path.join(folder, 'package.json'), JSON.stringify({ version }));
    };
    write(path.join(project, 'node_modules', '@tensorflow', 'tfjs-core'), '4.22.0');
    write(path.join(project, 'node_modules', '@mlm', 'model'), '1.0.0');
    write(path.join(project, 'node_modules', '@mlm', 'model', 'node_modules', '@tensorflow', 'tfjs-core'), '4.21.0');
    expect(findInstalledCopies(project, '@tensorflow/tfjs-core')).toEqual([
      path.join(project, 'node_modules', '@mlm', 'model', 'node_modules', '@tensorflow', 'tfjs-core'),
      path.join(project, 'node_modules', '@tensorflow', 'tfjs-core'),
    ]);
  });

  it('lists every version of a package in an npm ls tree', () => {
    const tree = {
      dependencies: {
        '@tensorflow/tfjs-core': { version: '4.22.0' },
        '@mlm/model': { version: '1.0.0', dependencies: { '@tensorflow/tfjs-core': { version: '4.21.0' } } },
      },
    };
    expect(versionsInTree(tree, '@tensorflow/tfjs-core')).toEqual(['4.22.0', '4.21.0']);
  });
});
