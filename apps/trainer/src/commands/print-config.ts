import { configToYaml, loadConfig, type ConfigSources } from '../config/load-config.js';
import type { CommandIO } from './command-io.js';

/** `mlm print-config`: the merged, validated configuration with every default, as YAML. */
export function printConfigCommand(options: ConfigSources & { io: CommandIO }): void {
  const { config } = loadConfig(options);
  options.io.out(configToYaml(config).trimEnd());
}
