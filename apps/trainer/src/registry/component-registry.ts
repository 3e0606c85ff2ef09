import type { ComponentDefinition, ComponentKind, Plugin } from '@mlm/types';
import { ConfigError } from '../util/config-error.js';
import { validateOptions } from '../config/schema-helpers.js';

/** What `list()` reports about a registered component. */
export interface ComponentInfo {
  kind: ComponentKind;
  name: string;
  description: string;
  /** The plugin that registered it. */
  plugin: string;
}

interface Entry<TContext> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  definition: ComponentDefinition<any, any, TContext>;
  plugin: string;
}

const NAME_PATTERN = /^[a-z0-9][a-z0-9._-]*\/[a-z0-9][a-z0-9._-]*$/;

/**
 * Components by kind and namespaced name (`mlm/default-collator`). Plugins register through `use`;
 * `create` validates and defaults options with the component's schema before calling its factory.
 */
export class ComponentRegistry<TContext = unknown> {
  private readonly entries = new Map<string, Map<string, Entry<TContext>>>();
  private readonly plugins = new Map<string, Plugin<TContext>>();

  /** Registers every component of a plugin. A plugin registered twice (same object or name) is a no-op the second time. */
  use(plugin: Plugin<TContext>): this {
    const existing = this.plugins.get(plugin.name);
    if (existing) {
      if (existing === plugin) return this;
      throw new Error(`plugin ${JSON.stringify(plugin.name)} is registered twice (two different packages use that name)`);
    }
    for (const definition of plugin.components) this.register(definition, plugin.name);
    this.plugins.set(plugin.name, plugin);
    return this;
  }

  /** Registers one component; a name already taken for that kind is an error naming both plugins. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  register(definition: ComponentDefinition<any, any, TContext>, plugin = 'anonymous'): this {
    if (!NAME_PATTERN.test(definition.name)) {
      throw new Error(
        `component name ${JSON.stringify(definition.name)} (plugin ${plugin}): expected "<namespace>/<name>" in lower case, e.g. "${plugin}/my-${definition.kind}"`,
      );
    }
    let byName = this.entries.get(definition.kind);
    if (!byName) {
      byName = new Map();
      this.entries.set(definition.kind, byName);
    }
    const taken = byName.get(definition.name);
    if (taken) {
      throw new Error(
        `${definition.kind} ${JSON.stringify(definition.name)} is registered by both plugin ${taken.plugin} and plugin ${plugin}`,
      );
    }
    byName.set(definition.name, { definition, plugin });
    return this;
  }

  has(kind: ComponentKind, name: string): boolean {
    return this.entries.get(kind)?.has(name) ?? false;
  }

  /** Names registered for a kind, sorted. */
  names(kind: ComponentKind): string[] {
    return [...(this.entries.get(kind)?.keys() ?? [])].sort();
  }

  /** The definition of a component; an unknown name is a ConfigError that lists the valid ones. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  get(kind: ComponentKind, name: unknown, path = kind): ComponentDefinition<any, any, TContext> {
    const entry = typeof name === 'string' ? this.entries.get(kind)?.get(name) : undefined;
    if (entry) return entry.definition;
    const valid = this.names(kind);
    const shown = typeof name === 'string' ? JSON.stringify(name) : String(name);
    throw new ConfigError(
      [
        {
          path,
          message: `unknown ${kind} ${shown}; ${valid.length ? `registered ${kind.endsWith('s') ? `${kind}es` : `${kind}s`}: ${valid.join(', ')}` : `no ${kind} is registered`}` +
            (valid.length && typeof name === 'string' && !name.includes('/') ? ` (names are namespaced, e.g. "${valid[0]}")` : ''),
        },
      ],
      'invalid configuration',
    );
  }

  /** Validates and defaults a component's options; errors name `path.option`. */
  parseOptions<TOptions = unknown>(kind: ComponentKind, name: unknown, options: unknown, path: string = kind): TOptions {
    const definition = this.get(kind, name, `${path}.name`);
    return validateOptions(definition.schema, options ?? {}, path) as TOptions;
  }

  /** Validates the options and builds the component. */
  async create<TInstance = unknown>(
    kind: ComponentKind,
    name: unknown,
    options: unknown,
    context: TContext,
    path: string = kind,
  ): Promise<TInstance> {
    const definition = this.get(kind, name, `${path}.name`);
    const parsed = validateOptions(definition.schema, options ?? {}, path);
    return (await definition.create(parsed, context)) as TInstance;
  }

  /** Every registered component (optionally of one kind), sorted by kind then name. */
  list(kind?: ComponentKind): ComponentInfo[] {
    const result: ComponentInfo[] = [];
    const kinds = kind ? [kind] : [...this.entries.keys()].sort();
    for (const k of kinds) {
      for (const name of this.names(k)) {
        const entry = this.entries.get(k)!.get(name)!;
        result.push({ kind: k, name, description: entry.definition.description ?? '', plugin: entry.plugin });
      }
    }
    return result;
  }

  /** Names of the registered plugins, in registration order. */
  pluginNames(): string[] {
    return [...this.plugins.keys()];
  }
}
