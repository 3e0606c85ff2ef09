import { readdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is tooling/consumer-test/src/workspace-packages.ts). */
export const REPOSITORY_ROOT = path.resolve(fileURLToPath(import.meta.url), '../../../..');

/** Folders whose packages are published (tooling/ and examples/ hold private helpers only). */
const PUBLISHED_FOLDERS = ['packages', 'apps'];

export interface PackageManifest {
  name: string;
  version: string;
  private?: boolean;
  type?: string;
  main?: string;
  types?: string;
  bin?: string | Record<string, string>;
  exports?: unknown;
  files?: string[];
  sideEffects?: boolean | string[];
  engines?: Record<string, string>;
  publishConfig?: Record<string, unknown>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  optionalDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

export interface WorkspacePackage {
  name: string;
  version: string;
  /** Absolute folder of the package. */
  directory: string;
  manifest: PackageManifest;
}

export function readManifest(file: string): PackageManifest {
  return JSON.parse(readFileSync(file, 'utf8')) as PackageManifest;
}

/** Every package under packages/ and apps/ that is not private: what `changeset publish` would publish. */
export function publishablePackages(root: string = REPOSITORY_ROOT): WorkspacePackage[] {
  const found: WorkspacePackage[] = [];
  for (const folder of PUBLISHED_FOLDERS) {
    const parent = path.join(root, folder);
    if (!existsSync(parent)) continue;
    for (const entry of readdirSync(parent, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const directory = path.join(parent, entry.name);
      const manifestFile = path.join(directory, 'package.json');
      if (!existsSync(manifestFile)) continue;
      const manifest = readManifest(manifestFile);
      if (manifest.private === true) continue;
      found.push({ name: manifest.name, version: manifest.version, directory, manifest });
    }
  }
  return found.sort((a, b) => a.name.localeCompare(b.name));
}

/** `@mlm/random` + `0.1.0` → `mlm-random-0.1.0.tgz`, the file name npm and pnpm give a packed package. */
export function tarballFileName(name: string, version: string): string {
  return `${name.replace(/^@/, '').replace('/', '-')}-${version}.tgz`;
}
