import { createRequire } from 'node:module';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { isPlugin, type Plugin } from '@mlm/components';
import { ConfigError } from '../util/config-error.js';

// When the trainer itself runs from its TypeScript sources (tests, tsx), TypeScript can be loaded,
// so workspace packages are imported through their `@mlm/source` entry; otherwise their built entry.
const RUNNING_FROM_SOURCE = import.meta.url.endsWith('.ts');

type ExportsField = string | { [condition: string]: ExportsField } | null | undefined;

function pickEntry(exportsField: ExportsField, conditions: string[]): string | undefined {
  if (typeof exportsField === 'string') return exportsField;
  if (!exportsField || typeof exportsField !== 'object') return undefined;
  if ('.' in exportsField) return pickEntry(exportsField['.'], conditions);
  for (const [condition, value] of Object.entries(exportsField)) {
    if (conditions.includes(condition)) {
      const picked = pickEntry(value, conditions);
      if (picked) return picked;
    }
  }
  return undefined;
}

/** The entry file of the package (or package folder) `specifier`, searched from each base folder. */
export function resolvePluginEntry(specifier: string, baseDirectories: string[]): string | undefined {
  let packageDirectory: string | undefined;
  const isPath = specifier.startsWith('.') || path.isAbsolute(specifier);
  for (const base of baseDirectories) {
    if (isPath) {
      const candidate = path.resolve(base, specifier);
      if (!existsSync(candidate)) continue;
      if (statSync(candidate).isFile()) return candidate;
      packageDirectory = candidate;
      break;
    }
    try {
      const require = createRequire(path.join(base, 'noop.js'));
      packageDirectory = path.dirname(require.resolve(`${specifier}/package.json`));
      break;
    } catch {
      // Not resolvable from this base, or the package hides package.json: try the next base.
    }
  }
  if (!packageDirectory) return undefined;
  const manifestPath = path.join(packageDirectory, 'package.json');
  if (!existsSync(manifestPath)) {
    const index = ['index.js', 'index.mjs', 'index.ts'].map((file) => path.join(packageDirectory!, file)).find(existsSync);
    return index;
  }
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { exports?: ExportsField; module?: string; main?: string };
  const conditions = RUNNING_FROM_SOURCE ? ['@mlm/source', 'import', 'node', 'default'] : ['import', 'node', 'default'];
  const entry = pickEntry(manifest.exports, conditions) ?? manifest.module ?? manifest.main ?? 'index.js';
  return path.resolve(packageDirectory, entry);
}

/**
 * Imports the plugin packages a config lists. Each entry is a package name (resolved from the config
 * files' folders, then the working directory, then the trainer's own folder) or a path. The package's
 * default export, or its named export `plugin`, must be a plugin (see `definePlugin`).
 */
export async function loadPlugins(
  specifiers: string[],
  baseDirectories: string[],
): Promise<Plugin[]> {
  const bases = [...baseDirectories, process.cwd(), path.dirname(new URL(import.meta.url).pathname)];
  const plugins: Plugin[] = [];
  for (const [index, specifier] of specifiers.entries()) {
    const where = `plugins[${index}]`;
    const entry = resolvePluginEntry(specifier, bases);
    if (!entry) {
      throw new ConfigError([
        { path: where, message: `cannot find plugin package ${JSON.stringify(specifier)} (looked from ${[...new Set(bases)].join(', ')}); install it or give a path` },
      ]);
    }
    let module: Record<string, unknown>;
    try {
      module = (await import(pathToFileURL(entry).href)) as Record<string, unknown>;
    } catch (error) {
      throw new ConfigError([
        { path: where, message: `plugin ${JSON.stringify(specifier)} failed to load from ${entry}: ${(error as Error).message}` },
      ]);
    }
    const candidate = isPlugin(module.default) ? module.default : isPlugin(module.plugin) ? module.plugin : undefined;
    if (!candidate) {
      throw new ConfigError([
        {
          path: where,
          message: `${JSON.stringify(specifier)} does not export a plugin: expected a default export or a named export "plugin" made with definePlugin({ name, components })`,
        },
      ]);
    }
    plugins.push(candidate);
  }
  return plugins;
}
