import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkRegistry,
  createConsumerProject,
  findInstalledCopies,
  installedVersion,
  lastJsonLine,
  npm,
  runNode,
  versionsInTree,
} from './consumer-project.js';
import { inspectUnpackedTarball, unpackTarball, type UnpackedTarball } from './inspect-tarball.js';
import { attwTarball, publintTarball } from './lint-tarball.js';
import { buildPackages, packPackages, type PackedPackage } from './pack-packages.js';
import { publishablePackages } from './workspace-packages.js';

// Packs every publishable @mlm package as the registry would get it, checks the tarballs, then
// installs them with npm into a fresh project in the OS temp folder (outside the workspace, so
// nothing can resolve from the monorepo) and uses them from plain Node ESM and TypeScript.

const packages = publishablePackages();
const names = packages.map((workspacePackage) => workspacePackage.name);
const registry = await checkRegistry();
if (!registry.reachable) {
  console.warn(
    `[consumer-test] SKIPPING the install-and-use tests: the npm registry is unreachable, so a fresh project cannot install @tensorflow/tfjs-core.\n${registry.detail}`,
  );
}

const keepFiles = process.env.MLM_KEEP_CONSUMER === '1';
const workDirectory = mkdtempSync(path.join(os.tmpdir(), 'mlm-consumer-'));
const packed = new Map<string, PackedPackage>();
const unpacked = new Map<string, UnpackedTarball>();

function get<T>(map: Map<string, T>, name: string): T {
  const value = map.get(name);
  if (value === undefined) throw new Error(`${name} was not packed (see the beforeAll error)`);
  return value;
}

beforeAll(async () => {
  await buildPackages(packages);
  const tarballs = path.join(workDirectory, 'tarballs');
  mkdirSync(tarballs, { recursive: true });
  for (const result of await packPackages(packages, tarballs)) {
    packed.set(result.name, result);
    unpacked.set(result.name, await unpackTarball(result.tarball, path.join(workDirectory, 'unpacked', result.name.replace('/', '__'))));
  }
  const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
  console.info(
    `[consumer-test] tarballs in ${tarballs}:\n${[...unpacked.entries()]
      .map(([name, tarball]) => `  ${name.padEnd(16)} ${kib(tarball.packedBytes).padStart(10)} packed, ${kib(tarball.unpackedBytes).padStart(10)} unpacked, ${tarball.files.length} files`)
      .join('\n')}`,
  );
}, 900_000);

afterAll(() => {
  if (keepFiles) console.info(`[consumer-test] kept ${workDirectory}`);
  else rmSync(workDirectory, { recursive: true, force: true });
});

describe('packed tarballs', () => {
  it('finds the publishable packages', () => {
    expect(names).toEqual(expect.arrayContaining(['@mlm/types', '@mlm/random', '@mlm/backend', '@mlm/model', '@mlm/trainer']));
    expect(names).not.toContain('@mlm/bench');
  });

  it.each(names)('%s: manifest and files are fit to publish', (name) => {
    const tarball = get(unpacked, name);
    expect(inspectUnpackedTarball(tarball), `files: ${tarball.files.join(', ')}`).toEqual([]);
    expect(tarball.manifest.version).toBe(get(packed, name).version);
  });

  it.each(names)('%s: publint (strict) finds nothing', async (name) => {
    expect(await publintTarball(get(packed, name).tarball)).toEqual([]);
  });

  it.each(names)('%s: attw (esm-only profile) finds the types of every ESM resolution', async (name) => {
    const { passed, report } = await attwTarball(get(packed, name).tarball);
    expect(passed, report).toBe(true);
  });
});

describe.skipIf(!registry.reachable)('a fresh npm project outside the workspace', () => {
  const project = path.join(workDirectory, 'consumer');

  beforeAll(async () => {
    mkdirSync(project, { recursive: true });
    await createConsumerProject(
      project,
      [...packed.values()].map((result) => result.tarball),
    );
  }, 900_000);

  it('installs exactly one copy of @tensorflow/tfjs-core', async () => {
    const copies = findInstalledCopies(project, '@tensorflow/tfjs-core');
    expect(copies).toEqual([path.join(project, 'node_modules', '@tensorflow', 'tfjs-core')]);
    expect(installedVersion(copies[0]!)).toBe('4.22.0');
    const { stdout } = await npm(project, ['ls', '@tensorflow/tfjs-core', '--all', '--json']);
    const versions = versionsInTree(JSON.parse(stdout), '@tensorflow/tfjs-core');
    expect(versions.length).toBeGreaterThan(1); // the app and the @mlm packages all reach it...
    expect(new Set(versions)).toEqual(new Set(['4.22.0'])); // ...as one version in one folder
  });

  it('installs every @mlm package from its tarball, once', () => {
    for (const name of names) {
      const copies = findInstalledCopies(project, name);
      expect(copies, name).toEqual([path.join(project, 'node_modules', ...name.split('/'))]);
      expect(installedVersion(copies[0]!), name).toBe(get(packed, name).version);
    }
  });

  it('builds a model, collates, computes the loss and generates on wasm (plain Node ESM)', async () => {
    const { stdout } = await runNode(project, ['use-packages.mjs']);
    const summary = lastJsonLine<{
      backend: string;
      batchShape: number[];
      loss: number;
      steps: number;
      continuation: string;
      leakedTensors: number;
    }>(stdout);
    expect(summary.backend).toBe('wasm');
    expect(summary.batchShape).toEqual([2, 8]);
    expect(Number.isFinite(summary.loss)).toBe(true);
    expect(summary.loss).toBeGreaterThanOrEqual(0);
    expect(summary.steps).toBeGreaterThanOrEqual(2);
    expect(summary.continuation).toMatch(/^[0-9]( [0-9])*$/);
    expect(summary.leakedTensors).toBe(0);
  });

  it('type-checks a TypeScript consumer and the .mjs consumers with tsc --noEmit', async () => {
    const result = await runNode(project, [path.join('node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json']);
    expect(result.stdout).toBe('');
  });
});
