import { createComponentRegistry, type ComponentRegistry, type Plugin } from '@mlm/components';
import { mlmPlugin } from '../plugins/mlm/index.js';
import { loadPlugins } from './load-plugins.js';
import './component-context.js';

/** A registry with the built-in `mlm` plugin (every library's components and the trainer's) and any others given. */
export function createRegistry(plugins: readonly Plugin[] = []): ComponentRegistry {
  return createComponentRegistry([mlmPlugin, ...plugins]);
}

/** The built-in registry plus the plugin packages a config lists (resolved from `baseDirectories` first). */
export async function createRegistryWithPlugins(specifiers: string[], baseDirectories: string[]): Promise<ComponentRegistry> {
  return createRegistry(await loadPlugins(specifiers, baseDirectories));
}
