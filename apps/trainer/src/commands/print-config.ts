import { configToYaml, loadConfig, type ConfigSources } from '../config/load-config.js';
import { createRegistryWithPlugins } from '../registry/create-registry.js';
import { expandComponentOptions } from '../training/prepare-run.js';
import type { CommandIO } from './command-io.js';

/**
 * `mlm print-config`: the merged, validated configuration with every default, component options
 * included (collators and metrics left to the task print as null: the task picks them).
 */
export async function printConfigCommand(options: ConfigSources & { io: CommandIO }): Promise<string> {
  const { config, baseDirectories } = loadConfig(options);
  const registry = await createRegistryWithPlugins(config.plugins, baseDirectories);
  const text = configToYaml(expandComponentOptions(config, registry)).trimEnd();
  options.io.out(text);
  return text;
}
