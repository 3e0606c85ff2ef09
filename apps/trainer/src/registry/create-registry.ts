import type { Plugin } from '@mlm/types';
import { mlmPlugin } from '../plugins/mlm/index.js';
import type { ComponentContext } from './component-context.js';
import { ComponentRegistry } from './component-registry.js';
import { loadPlugins } from './load-plugins.js';

/** A registry with the built-in `mlm` plugin and any others given. */
export function createRegistry(plugins: Plugin<ComponentContext>[] = []): ComponentRegistry<ComponentContext> {
  const registry = new ComponentRegistry<ComponentContext>().use(mlmPlugin);
  for (const plugin of plugins) registry.use(plugin);
  return registry;
}

/** The built-in registry plus the plugin packages a config lists (resolved from `baseDirectories` first). */
export async function createRegistryWithPlugins(specifiers: string[], baseDirectories: string[]): Promise<ComponentRegistry<ComponentContext>> {
  return createRegistry(await loadPlugins(specifiers, baseDirectories));
}
