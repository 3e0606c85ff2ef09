import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importedSpecifiers, packageOfSpecifier } from './inspect-tarball.js';
import { REPOSITORY_ROOT, readManifest, type PackageManifest } from './workspace-packages.js';

// Test support never makes one library depend on another at run time: the libraries' own code
// (everything under src/ but tests and test support) imports only what package.json declares as a
// dependency or peer dependency. Tests may use other @mlm libraries through devDependencies (a
// predictor test decodes with the real model), which pnpm never publishes; those devDependencies must
// keep the workspace graph acyclic, so every library still builds and tests on top of the ones below it.

const librariesFolder = path.join(REPOSITORY_ROOT, 'packages');
const libraries = readdirSync(librariesFolder)
  .filter((folder) => existsSync(path.join(librariesFolder, folder, 'package.json')))
  .map((folder) => ({ directory: path.join(librariesFolder, folder), manifest: readManifest(path.join(librariesFolder, folder, 'package.json')) }));

const isTestFile = (file: string) => /\.test\.ts$/.test(file) || /(^|\/)test-support(\/|[.-])/.test(file) || file.startsWith('test/');

function sourceFiles(directory: string, prefix = ''): string[] {
  return readdirSync(path.join(directory, prefix), { withFileTypes: true }).flatMap((entry) => {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(directory, relative);
    return relative.endsWith('.ts') ? [relative] : [];
  });
}

function workspaceDependencies(manifest: PackageManifest, fields: ('dependencies' | 'devDependencies' | 'peerDependencies')[]): string[] {
  return fields.flatMap((field) => Object.keys(manifest[field] ?? {})).filter((name) => name.startsWith('@mlm/') && name !== '@mlm/tsconfig');
}

/** A cycle in the graph as a list of names (first = last), or null. */
export function findCycle(graph: Map<string, string[]>): string[] | null {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): string[] | null => {
    if (state.get(node) === 'done') return null;
    if (state.get(node) === 'visiting') return [...stack.slice(stack.indexOf(node)), node];
    state.set(node, 'visiting');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(node, 'done');
    return null;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return null;
}

describe('library package graph', () => {
  it('is acyclic counting devDependencies (what tests use) as edges', () => {
    const graph = new Map(libraries.map(({ manifest }) => [manifest.name, workspaceDependencies(manifest, ['dependencies', 'peerDependencies', 'devDependencies'])]));
    expect(findCycle(graph)).toBeNull();
  });

  it('finds a cycle when there is one (so the check above can fail)', () => {
    expect(findCycle(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']]]))).toEqual(['a', 'b', 'c', 'a']);
    expect(findCycle(new Map([['a', ['b']], ['b', []]]))).toBeNull();
  });

  it.each(libraries.map(({ manifest, directory }) => [manifest.name, directory, manifest] as const))(
    '%s: its own code imports only declared dependencies; test support only from tests',
    (name, directory, manifest) => {
      const declared = new Set([name, ...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {})]);
      const problems: string[] = [];
      for (const file of sourceFiles(path.join(directory, 'src')).map((relative) => `src/${relative}`)) {
        const relative = file.slice('src/'.length);
        if (isTestFile(relative)) continue;
        const source = readFileSync(path.join(directory, file), 'utf8');
        for (const specifier of importedSpecifiers(source)) {
          if (specifier.startsWith('node:') || builtinModules.includes(specifier)) continue;
          const imported = packageOfSpecifier(specifier);
          if (!declared.has(imported)) problems.push(`${file} imports ${specifier}, which is not a dependency of ${name}`);
        }
        if (/from\s+['"]\.{1,2}\/(?:[\w-]+\/)*test-support(?:\/[\w-]+)?(?:\.js)?['"]/.test(source)) problems.push(`${file} imports test support`);
      }
      expect(problems).toEqual([]);
    },
  );
});
