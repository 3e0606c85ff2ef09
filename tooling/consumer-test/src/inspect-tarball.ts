import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { runCommand } from './run-command.js';
import type { PackageManifest } from './workspace-packages.js';

export interface UnpackedTarball {
  /** The extracted `package/` folder. */
  directory: string;
  manifest: PackageManifest;
  /** Paths inside the package, `/`-separated, sorted. */
  files: string[];
  /** Size of the .tgz in bytes. */
  packedBytes: number;
  /** Sum of the unpacked file sizes in bytes. */
  unpackedBytes: number;
}

function listFiles(directory: string, prefix = ''): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) files.push(...listFiles(path.join(directory, entry.name), relative));
    else files.push(relative);
  }
  return files;
}

/** Extracts a tarball (npm's layout: everything under `package/`) into `destination`. */
export async function unpackTarball(tarball: string, destination: string): Promise<UnpackedTarball> {
  mkdirSync(destination, { recursive: true });
  await runCommand('tar', ['-xzf', tarball, '-C', destination], { cwd: destination, timeoutMs: 60_000 });
  const directory = path.join(destination, 'package');
  const files = listFiles(directory).sort();
  const unpackedBytes = files.reduce((sum, file) => sum + statSync(path.join(directory, file)).size, 0);
  const manifest = JSON.parse(readFileSync(path.join(directory, 'package.json'), 'utf8')) as PackageManifest;
  return { directory, manifest, files, packedBytes: statSync(tarball).size, unpackedBytes };
}

const DEPENDENCY_FIELDS = ['dependencies', 'peerDependencies', 'optionalDependencies', 'devDependencies'] as const;

/** Files a published package must not carry: sources, tests, fixtures, source maps, build configs. */
const FORBIDDEN_FILES: { pattern: RegExp; what: string }[] = [
  { pattern: /^src\//, what: 'TypeScript sources (src/)' },
  { pattern: /\.(test|spec)\.[cm]?[jt]sx?$/, what: 'a test file' },
  { pattern: /(^|\/)(test|tests|__tests__|fixtures?|test-support)\//, what: 'tests or fixtures' },
  { pattern: /\.map$/, what: 'a source map' },
  { pattern: /(^|\/)(tsconfig(\..+)?\.json|tsup\.config\.[cm]?[jt]s|vitest\.config\.[cm]?[jt]s)$/, what: 'a build or test config' },
  { pattern: /(^|\/)(node_modules|\.turbo)\//, what: 'installed or cached files' },
  { pattern: /\.tsbuildinfo$/, what: 'a TypeScript build cache' },
];

/** Every string target in an `exports` value, with the condition path that leads to it. */
function exportTargets(value: unknown, trail: string[] = []): { conditions: string[]; target: string }[] {
  if (typeof value === 'string') return [{ conditions: trail, target: value }];
  if (Array.isArray(value)) return value.flatMap((item) => exportTargets(item, trail));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => exportTargets(item, [...trail, key]));
  }
  return [];
}

function normalizeTarget(target: string): string {
  return target.replace(/^\.\//, '');
}

/** The package a bare import specifier names: `@scope/name/sub` → `@scope/name`, `name/sub` → `name`. */
export function packageOfSpecifier(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

const NODE_BUILTINS = new Set(builtinModules);

function isBuiltin(specifier: string): boolean {
  return specifier.startsWith('node:') || NODE_BUILTINS.has(packageOfSpecifier(specifier));
}

/**
 * The bare module specifiers a built file imports, re-exports, dynamically imports or requires
 * (comments removed first, so examples in doc comments do not count).
 */
export function importedSpecifiers(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const patterns = [
    /(?:^|[;}])\s*(?:import|export)\s*(?:type\s+)?[\w*{}\s,$]+?\s*from\s*["']([^"'\n]+)["']/gm,
    /(?:^|;)\s*import\s*["']([^"'\n]+)["']/gm,
    /\bimport\(\s*["']([^"'\n]+)["']\s*\)/g,
    /\brequire(?:\.resolve)?\(\s*["']([^"'\n]+)["']\s*\)/g,
  ];
  const found = new Set<string>();
  for (const pattern of patterns) {
    for (const match of code.matchAll(pattern)) {
      const specifier = match[1];
      if (specifier && !specifier.startsWith('.') && !specifier.startsWith('/')) found.add(specifier);
    }
  }
  return [...found].sort();
}

/**
 * Checks one unpacked tarball and returns its problems (empty when it is fit to publish): the
 * manifest (no workspace ranges or source condition left, every export/main/types/bin target
 * shipped), the file list (no sources, tests, fixtures, maps), and that every package the built
 * code imports is declared, with `@tensorflow/tfjs-core` a peer dependency (one copy per app).
 */
export function inspectUnpackedTarball(unpacked: UnpackedTarball): string[] {
  const { manifest, files, directory } = unpacked;
  const problems: string[] = [];
  const shipped = new Set(files);

  if (manifest.private === true) problems.push('package.json: "private": true, so it cannot be published');
  if (manifest.type !== 'module') problems.push(`package.json: "type" is ${JSON.stringify(manifest.type)}, expected "module" (ESM-only)`);
  if (!manifest.engines?.node) problems.push('package.json: "engines.node" is missing');

  for (const field of DEPENDENCY_FIELDS) {
    for (const [name, range] of Object.entries(manifest[field] ?? {})) {
      if (/^(workspace|catalog|link|file|portal):/.test(range)) {
        problems.push(`package.json ${field}.${name}: ${JSON.stringify(range)} was not replaced by a published version`);
      }
    }
  }

  const targets = exportTargets(manifest.exports);
  if (targets.length === 0) problems.push('package.json: "exports" is missing or empty');
  for (const { conditions, target } of targets) {
    const where = `exports ${conditions.map((condition) => `[${JSON.stringify(condition)}]`).join('')}`;
    if (conditions.includes('@mlm/source')) problems.push(`${where}: the workspace-only "@mlm/source" condition was published`);
    if (target.includes('*')) continue;
    if (!shipped.has(normalizeTarget(target))) problems.push(`${where}: ${target} is not in the tarball`);
  }
  for (const field of ['main', 'types'] as const) {
    const target = manifest[field];
    if (target !== undefined && !shipped.has(normalizeTarget(target))) problems.push(`package.json ${field}: ${target} is not in the tarball`);
  }
  const bins = typeof manifest.bin === 'string' ? { [manifest.name]: manifest.bin } : (manifest.bin ?? {});
  for (const [command, target] of Object.entries(bins)) {
    const file = normalizeTarget(target);
    if (!shipped.has(file)) {
      problems.push(`package.json bin.${command}: ${target} is not in the tarball`);
    } else if (!readFileSync(path.join(directory, file), 'utf8').startsWith('#!/usr/bin/env node')) {
      problems.push(`package.json bin.${command}: ${target} does not start with "#!/usr/bin/env node"`);
    }
  }
  if (!shipped.has('README.md')) problems.push('README.md is missing (the registry page would be empty)');

  for (const file of files) {
    const forbidden = FORBIDDEN_FILES.find(({ pattern }) => pattern.test(file));
    if (forbidden) problems.push(`${file}: ${forbidden.what} does not belong in the published package`);
  }

  const declared = new Set([...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {})]);
  for (const file of files.filter((name) => /\.(m?js|d\.ts)$/.test(name))) {
    const source = readFileSync(path.join(directory, file), 'utf8');
    for (const specifier of importedSpecifiers(source)) {
      if (isBuiltin(specifier)) continue;
      const name = packageOfSpecifier(specifier);
      if (name === manifest.name) continue;
      if (!declared.has(name)) {
        problems.push(`${file} imports ${JSON.stringify(specifier)}, but ${name} is neither a dependency nor a peer dependency`);
      }
      if (name === '@tensorflow/tfjs-core' && manifest.dependencies?.[name] !== undefined) {
        problems.push(`${file} imports @tensorflow/tfjs-core, which must be a peer dependency (one copy per application), not a dependency`);
      }
    }
  }
  return [...new Set(problems)];
}
