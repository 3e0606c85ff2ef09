import type { ComponentKind, ComponentKinds, ComponentNeed, ComponentResources } from './component-kinds.js';
import { ConfigError } from './config-error.js';
import type { AnyComponentDefinition, ComponentDefinition, Plugin } from './define-component.js';
import { validateOptions } from './option-schemas.js';

/** What `list()` reports about a registered component. */
export interface ComponentInfo {
  kind: string;
  name: string;
  description: string;
  needs: string[];
  uses: string[];
  /** The plugin that registered it. */
  plugin: string;
}

/** What a host hands `create`: the resources it has (components take the ones they declared) and a log. */
export type ProvidedResources = Partial<ComponentResources> & { log?: (line: string) => void };

interface Entry {
  definition: AnyComponentDefinition;
  plugin: string;
}

const NAME_PATTERN = /^[a-z0-9][a-z0-9._-]*\/[a-z0-9][a-z0-9._-]*$/;

const plural = (kind: string) => (kind.endsWith('s') ? `${kind}es` : `${kind}s`);

/**
 * Components by kind and namespaced name (`mlm/default-collator`). Plugins register through `use`;
 * `create` validates and defaults options with the component's schema, checks that the host provided
 * what the component needs, and returns the kind's interface (`create('collator', …)` is a `Collator`).
 * Unknown names are errors that list the registered ones.
 */
export class ComponentRegistry {
  private readonly entries = new Map<string, Map<string, Entry>>();
  private readonly plugins = new Map<string, Plugin>();

  /** Registers every component of a plugin. A plugin registered twice (same object) is a no-op the second time. */
  use(plugin: Plugin): this {
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
  register(definition: AnyComponentDefinition, plugin = 'anonymous'): this {
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
      throw new Error(`${definition.kind} ${JSON.stringify(definition.name)} is registered by both plugin ${taken.plugin} and plugin ${plugin}`);
    }
    byName.set(definition.name, { definition: { ...definition, needs: definition.needs ?? [], uses: definition.uses ?? [] }, plugin });
    return this;
  }

  has(kind: string, name: string): boolean {
    return this.entries.get(kind)?.has(name) ?? false;
  }

  /** Kinds with at least one registered component, sorted. */
  kinds(): string[] {
    return [...this.entries.keys()].sort();
  }

  /** Names registered for a kind, sorted. */
  names(kind: string): string[] {
    return [...(this.entries.get(kind)?.keys() ?? [])].sort();
  }

  /** The definition of a component; an unknown name is a ConfigError (at `path`) that lists the valid ones. */
  get<TKind extends ComponentKind>(kind: TKind, name: unknown, path: string = kind): ComponentDefinition<TKind, unknown, ComponentNeed, ComponentNeed> {
    const entry = typeof name === 'string' ? this.entries.get(kind)?.get(name) : undefined;
    if (entry) return entry.definition;
    const valid = this.names(kind);
    const shown = typeof name === 'string' ? JSON.stringify(name) : String(name);
    const known = valid.length ? `registered ${plural(kind)}: ${valid.join(', ')}` : `no ${kind} is registered (registered kinds: ${this.kinds().join(', ') || 'none'})`;
    const hint = valid.length && typeof name === 'string' && !name.includes('/') ? ` (names are namespaced, e.g. "${valid[0]}")` : '';
    throw new ConfigError([{ path, message: `unknown ${kind} ${shown}; ${known}${hint}` }]);
  }

  /** Validates and defaults a component's options; errors name `path.option` (and `path.name` for an unknown name). */
  parseOptions(kind: ComponentKind, name: unknown, options: unknown, path: string = kind): Record<string, unknown> {
    const definition = this.get(kind, name, `${path}.name`);
    return validateOptions(definition.schema, options ?? {}, path) as Record<string, unknown>;
  }

  /**
   * Validates the options and builds the component, handing its factory the resources it declared in
   * `needs` (taken from `resources`; a missing one is an error naming it).
   */
  async create<TKind extends ComponentKind>(
    kind: TKind,
    name: unknown,
    options: unknown,
    resources: ProvidedResources = {},
    path: string = kind,
  ): Promise<ComponentKinds[TKind]> {
    const definition = this.get(kind, name, `${path}.name`);
    const parsed = validateOptions(definition.schema, options ?? {}, path);
    const context: Record<string, unknown> = { registry: this, log: resources.log ?? (() => {}) };
    const missing: string[] = [];
    for (const need of definition.needs) {
      const value = (resources as Record<string, unknown>)[need];
      if (value === undefined) missing.push(need);
      else context[need] = value;
    }
    for (const use of definition.uses) {
      const value = (resources as Record<string, unknown>)[use];
      if (value !== undefined) context[use] = value;
    }
    if (missing.length > 0) {
      const provided = Object.keys(resources).filter((key) => key !== 'log' && (resources as Record<string, unknown>)[key] !== undefined);
      throw new Error(
        `${path}: ${kind} ${JSON.stringify(definition.name)} needs ${missing.join(', ')}, which ${missing.length > 1 ? 'were' : 'was'} not provided (provided: ${provided.join(', ') || 'nothing'})`,
      );
    }
    // The context holds exactly the declared resources, checked above.
    return definition.create(parsed, context as Parameters<typeof definition.create>[1]);
  }

  /** Every registered component (optionally of one kind), sorted by kind then name. */
  list(kind?: string): ComponentInfo[] {
    const result: ComponentInfo[] = [];
    for (const k of kind ? [kind] : this.kinds()) {
      for (const name of this.names(k)) {
        const entry = this.entries.get(k)!.get(name)!;
        result.push({ kind: k, name, description: entry.definition.description ?? '', needs: [...entry.definition.needs], uses: [...entry.definition.uses], plugin: entry.plugin });
      }
    }
    return result;
  }

  /** Names of the registered plugins, in registration order. */
  pluginNames(): string[] {
    return [...this.plugins.keys()];
  }
}

/** A registry with the given plugins registered in order. */
export function createComponentRegistry(plugins: readonly Plugin[] = []): ComponentRegistry {
  const registry = new ComponentRegistry();
  for (const plugin of plugins) registry.use(plugin);
  return registry;
}
