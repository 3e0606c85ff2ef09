import { cpSync, existsSync, lstatSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCommand, userEnvironment } from './run-command.js';

/** The consumer programs (copied into the temporary project): plain Node ESM and one TypeScript file. */
export const CONSUMERS_DIRECTORY = path.resolve(fileURLToPath(import.meta.url), '../../consumers');

/**
 * What a user installs from the public registry next to our tarballs, pinned to the versions the
 * workspace uses. tfjs-core is the peer of the tensor packages; zod is what the plugin consumer
 * writes its options schema with; TypeScript and @types/node type-check the consumers.
 */
export const PUBLIC_DEPENDENCIES = ['@tensorflow/tfjs-core@4.22.0', 'zod@4.6.7', 'typescript@5.9.3', '@types/node@20.19.9'];

/** The strictest settings a consumer could use; `skipLibCheck: false` also checks our shipped .d.ts files. */
const CONSUMER_TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    noUncheckedIndexedAccess: true,
    exactOptionalPropertyTypes: false,
    skipLibCheck: false,
    allowJs: true,
    checkJs: true,
    noEmit: true,
  },
  include: ['*.ts', '*.mjs'],
};

/** Is the npm registry reachable? (`npm view` with a timeout; used to skip, never to pass.) */
export async function checkRegistry(timeoutMs = 30_000): Promise<{ reachable: boolean; detail: string }> {
  try {
    const { stdout } = await runCommand('npm', ['view', '@tensorflow/tfjs-core@4.22.0', 'version'], {
      cwd: path.dirname(CONSUMERS_DIRECTORY),
      env: userEnvironment(),
      timeoutMs,
    });
    return { reachable: stdout.trim() === '4.22.0', detail: `npm view @tensorflow/tfjs-core@4.22.0 version → ${stdout.trim()}` };
  } catch (error) {
    return { reachable: false, detail: (error as Error).message.split('\n').slice(0, 6).join('\n') };
  }
}

/**
 * A fresh npm project in `directory` (outside the workspace: nothing resolves from the monorepo)
 * with the consumer programs and `npm install <tarballs> <public dependencies>`.
 */
export async function createConsumerProject(directory: string, tarballs: string[]): Promise<void> {
  writeFileSync(
    path.join(directory, 'package.json'),
    `${JSON.stringify({ name: 'mlm-consumer', version: '1.0.0', private: true, type: 'module' }, null, 2)}\n`,
  );
  writeFileSync(path.join(directory, 'tsconfig.json'), `${JSON.stringify(CONSUMER_TSCONFIG, null, 2)}\n`);
  cpSync(CONSUMERS_DIRECTORY, directory, { recursive: true });
  await npm(directory, ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...tarballs, ...PUBLIC_DEPENDENCIES], 600_000);
}

export function npm(directory: string, args: string[], timeoutMs = 120_000) {
  return runCommand('npm', args, { cwd: directory, env: userEnvironment(), timeoutMs });
}

/** Runs `node <script>` in the consumer project as a user's shell would. */
export function runNode(directory: string, args: string[], timeoutMs = 180_000) {
  return runCommand(process.execPath, args, { cwd: directory, env: userEnvironment(), timeoutMs });
}

/** The last line of a program's output parsed as JSON (the consumers print their summary last). */
export function lastJsonLine<T>(stdout: string): T {
  const line = stdout.trim().split('\n').at(-1) ?? '';
  try {
    return JSON.parse(line) as T;
  } catch {
    throw new Error(`expected a JSON summary as the last line of the output, got:\n${stdout}`);
  }
}

/** Every installed folder of package `name` under `directory`'s node_modules trees (nested ones too). */
export function findInstalledCopies(directory: string, name: string): string[] {
  const copies: string[] = [];
  const visit = (nodeModules: string) => {
    if (!existsSync(nodeModules)) return;
    for (const entry of readdirSync(nodeModules)) {
      if (entry.startsWith('.')) continue;
      const entryPath = path.join(nodeModules, entry);
      if (lstatSync(entryPath).isSymbolicLink() || !lstatSync(entryPath).isDirectory()) continue;
      const packageFolders = entry.startsWith('@')
        ? readdirSync(entryPath).map((scoped) => ({ folder: path.join(entryPath, scoped), packageName: `${entry}/${scoped}` }))
        : [{ folder: entryPath, packageName: entry }];
      for (const { folder, packageName } of packageFolders) {
        if (packageName === name && existsSync(path.join(folder, 'package.json'))) copies.push(folder);
        visit(path.join(folder, 'node_modules'));
      }
    }
  };
  visit(path.join(directory, 'node_modules'));
  return copies.sort();
}

/** `version` of the package.json in a folder. */
export function installedVersion(folder: string): string {
  return (JSON.parse(readFileSync(path.join(folder, 'package.json'), 'utf8')) as { version: string }).version;
}

interface NpmLsNode {
  version?: string;
  dependencies?: Record<string, NpmLsNode>;
}

/** Every `name@version` occurrence in `npm ls --all --json` (deduped occurrences share one folder). */
export function versionsInTree(tree: NpmLsNode, name: string): string[] {
  const versions: string[] = [];
  const visit = (node: NpmLsNode) => {
    for (const [dependency, child] of Object.entries(node.dependencies ?? {})) {
      if (dependency === name && child.version) versions.push(child.version);
      visit(child);
    }
  };
  visit(tree);
  return versions;
}
