import assembleReleasePlan from '@changesets/assemble-release-plan';
import { read } from '@changesets/config';
import { getPackages } from '@manypkg/get-packages';
import { describe, expect, it } from 'vitest';
import { publishablePackages, REPOSITORY_ROOT } from './workspace-packages.js';

// The release configuration, checked with changesets' own config reader and release planner (what
// `pnpm changeset version` runs), on a synthetic changeset: nothing is written.

const packages = await getPackages(REPOSITORY_ROOT);
const config = await read(REPOSITORY_ROOT, packages);
const published = publishablePackages().map((workspacePackage) => workspacePackage.name);

function planFor(name: string, type: 'patch' | 'minor') {
  const plan = assembleReleasePlan([{ id: 'consumer-test', summary: 'test', releases: [{ name, type }] }], packages, config, undefined);
  return new Map(plan.releases.filter((release) => release.type !== 'none').map((release) => [release.name, release]));
}

/** Workspace packages that depend on `name`, directly or through other workspace packages (dependencies only). */
function transitiveDependents(name: string): string[] {
  const found = new Set<string>();
  const queue = [name];
  while (queue.length > 0) {
    const current = queue.shift() as string;
    for (const workspacePackage of packages.packages) {
      const dependent = workspacePackage.packageJson.name;
      if (found.has(dependent) || !(current in (workspacePackage.packageJson.dependencies ?? {}))) continue;
      found.add(dependent);
      queue.push(dependent);
    }
  }
  return [...found].sort();
}

describe('changesets', () => {
  it('versions only the published packages: every workspace package it must not publish is private', () => {
    const unpublished = packages.packages.filter((workspacePackage) => !published.includes(workspacePackage.packageJson.name));
    expect(unpublished.map((workspacePackage) => workspacePackage.packageJson.name)).toEqual(
      expect.arrayContaining(['@mlm/bench', '@mlm/consumer-test', '@mlm/tsconfig']),
    );
    for (const workspacePackage of unpublished) {
      expect(workspacePackage.packageJson.private, `${workspacePackage.packageJson.name} must be "private": true`).toBe(true);
    }
    expect(config.privatePackages).toEqual({ version: false, tag: false });
    expect(config.access).toBe('public');
  });

  it('bumps every package that depends on a changed one (workspace:* is published as the exact version)', () => {
    const releases = planFor('@mlm/types', 'patch');
    // The published packages that reach @mlm/types through their dependencies (the Node-only helpers
    // @mlm/durable-write and @mlm/native-kernels depend on no other package, so they stay as they are).
    const dependents = transitiveDependents('@mlm/types');
    expect(dependents).toContain('@mlm/trainer');
    expect(dependents).not.toContain('@mlm/durable-write');
    expect([...releases.keys()].sort()).toEqual(['@mlm/types', ...published.filter((name) => dependents.includes(name))].sort());
    expect(releases.get('@mlm/types')?.newVersion).not.toBe(releases.get('@mlm/types')?.oldVersion);
    for (const name of dependents.filter((other) => published.includes(other))) expect(releases.get(name)?.type, name).toBe('patch');
    expect(releases.has('@mlm/bench')).toBe(false);
  });

  it('bumps the changed package at its own level and its dependents at patch', () => {
    const releases = planFor('@mlm/model', 'minor');
    expect(releases.get('@mlm/model')?.type).toBe('minor');
    expect(releases.get('@mlm/trainer')?.type).toBe('patch');
    expect(releases.has('@mlm/types')).toBe(false);
    expect(releases.has('@mlm/random')).toBe(false);
  });
});
