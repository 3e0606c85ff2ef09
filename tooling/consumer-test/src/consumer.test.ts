import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
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
import { prerequisiteOutcome } from './ci-requirements.js';
import { inspectUnpackedTarball, unpackTarball, type UnpackedTarball } from './inspect-tarball.js';
import { attwTarball, publintTarball } from './lint-tarball.js';
import { runCommand, userEnvironment } from './run-command.js';
import { buildPackages, packPackages, type PackedPackage } from './pack-packages.js';
import { publishablePackages } from './workspace-packages.js';

// Packs every publishable @mlm package as the registry would get it, checks the tarballs, then
// installs them with npm into a fresh project in the OS temp folder (outside the workspace, so
// nothing can resolve from the monorepo) and uses them from plain Node ESM and TypeScript.

const packages = publishablePackages();
const names = packages.map((workspacePackage) => workspacePackage.name);
const registry = await checkRegistry();
// Locally an unreachable registry skips the install-and-use tests (with a warning); with CI=true they fail.
const installOutcome = prerequisiteOutcome(registry.reachable);
const unreachable = `the npm registry is unreachable, so a fresh project cannot install @tensorflow/tfjs-core.\n${registry.detail}`;
if (installOutcome === 'skip') console.warn(`[consumer-test] SKIPPING the install-and-use tests (CI is not set): ${unreachable}`);

const keepFiles = process.env.MLM_KEEP_CONSUMER === '1';
const workDirectory = mkdtempSync(path.join(os.tmpdir(), 'mlm-consumer-'));
const packed = new Map<string, PackedPackage>();
const unpacked = new Map<string, UnpackedTarball>();

function get<T>(map: Map<string, T>, name: string): T {
  const value = map.get(name);
  if (value === undefined) throw new Error(`${name} was not packed (see the beforeAll error)`);
  return value;
}

const seconds = (start: number) => `${((performance.now() - start) / 1000).toFixed(1)} s`;

beforeAll(async () => {
  const buildStart = performance.now();
  await buildPackages(packages);
  const packStart = performance.now();
  const tarballs = path.join(workDirectory, 'tarballs');
  mkdirSync(tarballs, { recursive: true });
  for (const result of await packPackages(packages, tarballs)) {
    packed.set(result.name, result);
    unpacked.set(result.name, await unpackTarball(result.tarball, path.join(workDirectory, 'unpacked', result.name.replace('/', '__'))));
  }
  const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
  console.info(
    `[consumer-test] build ${seconds(buildStart)}, pack and unpack ${seconds(packStart)}; tarballs in ${tarballs}:\n${[...unpacked.entries()]
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
    const { problems, ignored } = await attwTarball(get(packed, name).tarball);
    expect(problems).toEqual([]);
    // What the profile leaves out is only CommonJS require() of an ESM-only package, and TypeScript's
    // legacy node10 resolution, which does not read "exports" and so cannot find a subpath entry
    // (`./node`, `./testing`); ESM-only packages do not support either.
    for (const problem of ignored) {
      expect(problem).toMatch(/^(CJSResolvesToESM \(entrypoint "\.(\/\w+)?", resolution node16-cjs\)|NoResolution \(entrypoint "\.\/\w+", resolution node10\))/);
    }
  });
});

describe.skipIf(installOutcome === 'skip')('a fresh npm project outside the workspace', () => {
  const project = path.join(workDirectory, 'consumer');

  beforeAll(async () => {
    if (installOutcome === 'fail') throw new Error(`CI=true and ${unreachable}`);
    mkdirSync(project, { recursive: true });
    const installStart = performance.now();
    await createConsumerProject(
      project,
      [...packed.values()].map((result) => result.tarball),
    );
    console.info(`[consumer-test] npm install into ${project}: ${seconds(installStart)}`);
  }, 900_000);

  it('installs exactly one copy of @tensorflow/tfjs-core', async () => {
    const copies = findInstalledCopies(project, '@tensorflow/tfjs-core');
    expect(copies).toEqual([path.join(project, 'node_modules', '@tensorflow', 'tfjs-core')]);
    expect(installedVersion(copies[0]!)).toBe('4.22.0');
    const { stdout } = await npm(project, ['ls', '@tensorflow/tfjs-core', '--all', '--json']);
    const versions = versionsInTree(JSON.parse(stdout), '@tensorflow/tfjs-core');
    expect(versions.length).toBeGreaterThan(1); // the app and the @mlm packages all reach it...
    expect(new Set(versions)).toEqual(new Set(['4.22.0'])); // ...as one version in one folder
  }, 300_000);

  it('installs every @mlm package from its tarball, once', () => {
    for (const name of names) {
      const copies = findInstalledCopies(project, name);
      expect(copies, name).toEqual([path.join(project, 'node_modules', ...name.split('/'))]);
      expect(installedVersion(copies[0]!), name).toBe(get(packed, name).version);
    }
  }, 300_000);

  it('builds a model, collates, computes the loss and generates on wasm (plain Node ESM)', async () => {
    const { stdout } = await runNode(project, ['use-packages.mjs']);
    const summary = lastJsonLine<{
      backend: string;
      batchShape: number[];
      loss: number;
      steps: number;
      infilled: string;
      leakedTensors: number;
    }>(stdout);
    expect(summary.backend).toBe('wasm');
    expect(summary.batchShape).toEqual([2, 8]);
    expect(Number.isFinite(summary.loss)).toBe(true);
    expect(summary.loss).toBeGreaterThanOrEqual(0);
    expect(summary.steps).toBeGreaterThanOrEqual(2);
    expect(summary.infilled).toMatch(/^1 2 ([0-9] ){0,2}5$/); // the given tokens stay; special tokens are not shown
    expect(summary.leakedTensors).toBe(0);
  }, 300_000);

  it('registers a custom component through definePlugin and uses it', async () => {
    const { stdout } = await runNode(project, ['use-plugin.mjs']);
    const summary = lastJsonLine<{ plugins: string[]; components: { kind: string; name: string; plugin: string }[]; unmaskedPerStep: number[][] }>(stdout);
    expect(summary.plugins).toEqual(['mlm', 'my']);
    expect(summary.components).toEqual([expect.objectContaining({ kind: 'position-strategy', name: 'my/right-to-left', plugin: 'my' })]);
    expect(stdout).toContain('my/right-to-left: 2 position(s) per step');
    // Six masks, two per step, right to left.
    expect(summary.unmaskedPerStep.filter((row) => row.includes(1))).toEqual([
      [0, 0, 0, 0, 1, 1],
      [0, 0, 1, 1, 0, 0],
      [1, 1, 0, 0, 0, 0],
    ]);
  }, 300_000);

  it('runs the mlm CLI from the bin with the plugin: list-components and a two-step training run', async () => {
    const mlm = path.join(project, 'node_modules', '.bin', process.platform === 'win32' ? 'mlm.cmd' : 'mlm');
    const list = await runCommand(mlm, ['list-components', '--kind', 'position-strategy', '--plugin', './my-plugin.mjs'], {
      cwd: project,
      env: userEnvironment(),
      timeoutMs: 120_000,
    });
    expect(list.stdout).toMatch(/my\/right-to-left\s+unmask the rightmost masked positions first \[plugin my\]/);
    const run = await runCommand(mlm, ['train', '--config', 'my-run.yaml', '--run-dir', 'runs/my-run'], {
      cwd: project,
      env: userEnvironment(),
      timeoutMs: 280_000,
    });
    expect(run.stdout).toMatch(/finished 2 steps/);
    // The run resolved the plugin's component by name (an unknown name is a configuration error).
    expect(readFileSync(path.join(project, 'runs', 'my-run', 'config.yaml'), 'utf8')).toContain('my/right-to-left');
    expect(existsSync(path.join(project, 'runs', 'my-run', 'model'))).toBe(true);
  }, 300_000);

  it('type-checks a TypeScript consumer and the .mjs consumers with tsc --noEmit', async () => {
    const result = await runNode(project, [path.join('node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], 280_000);
    expect(result.stdout).toBe('');
  }, 300_000);
});
