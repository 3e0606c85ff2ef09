import { existsSync } from 'node:fs';
import path from 'node:path';
import { runCommand } from './run-command.js';
import { REPOSITORY_ROOT, tarballFileName, type WorkspacePackage } from './workspace-packages.js';

/**
 * Builds the packages with turbo. After `pnpm build` every task is a cache hit that leaves dist/
 * untouched (turbo does not rewrite outputs that are already in place), so tests that read dist
 * while this runs are not disturbed; after a source change only the changed packages rebuild.
 */
export async function buildPackages(packages: WorkspacePackage[], root: string = REPOSITORY_ROOT): Promise<void> {
  const filters = packages.map((workspacePackage) => `--filter=${workspacePackage.name}`);
  await runCommand('pnpm', ['exec', 'turbo', 'run', 'build', '--output-logs=errors-only', ...filters], {
    cwd: root,
    timeoutMs: 900_000,
  });
}

export interface PackedPackage extends WorkspacePackage {
  tarball: string;
}

/**
 * `pnpm pack` of one package into `destination`: pnpm replaces `workspace:*` ranges with the
 * versions of the workspace packages and `exports` with `publishConfig.exports` (dist only).
 */
export async function packPackage(workspacePackage: WorkspacePackage, destination: string): Promise<PackedPackage> {
  const { stdout } = await runCommand('pnpm', ['pack', '--pack-destination', destination, '--json'], {
    cwd: workspacePackage.directory,
    timeoutMs: 120_000,
  });
  const report = JSON.parse(stdout.slice(stdout.indexOf('{'))) as { filename?: string };
  const tarball = report.filename ?? path.join(destination, tarballFileName(workspacePackage.name, workspacePackage.version));
  if (!existsSync(tarball)) {
    throw new Error(`pnpm pack of ${workspacePackage.name} reported ${tarball}, which does not exist`);
  }
  return { ...workspacePackage, tarball };
}

/** Packs the packages one after another (pnpm pack is quick; in parallel they only contend). */
export async function packPackages(packages: WorkspacePackage[], destination: string): Promise<PackedPackage[]> {
  const packed: PackedPackage[] = [];
  for (const workspacePackage of packages) packed.push(await packPackage(workspacePackage, destination));
  return packed;
}
