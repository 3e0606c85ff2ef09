import { listPresets } from '../config/presets.js';
import { createRegistryWithPlugins } from '../registry/create-registry.js';
import type { CommandIO } from './command-io.js';

/** `mlm list-components`: every registered component (built-in and from the given plugins), by kind. */
export async function listComponentsCommand(options: { plugins: string[]; kind?: string | undefined; io: CommandIO }): Promise<void> {
  const registry = await createRegistryWithPlugins(options.plugins, [process.cwd()]);
  const components = registry.list(options.kind);
  if (options.kind && components.length === 0) {
    const kinds = [...new Set(registry.list().map((component) => component.kind))];
    throw new Error(`no component of kind ${JSON.stringify(options.kind)}; kinds: ${kinds.join(', ')}`);
  }
  const width = Math.max(...components.map((component) => component.name.length));
  let kind = '';
  for (const component of components) {
    if (component.kind !== kind) {
      kind = component.kind;
      options.io.out(`${kind}:`);
    }
    options.io.out(`  ${component.name.padEnd(width)}  ${component.description}${component.plugin === 'mlm' ? '' : ` [plugin ${component.plugin}]`}`);
  }
  if (!options.kind) options.io.out(`presets: ${listPresets().join(', ')}`);
}
