import type { ComponentKind, ComponentKinds, ComponentNeed, ComponentResources } from './component-kinds.js';
import type { ComponentRegistry } from './component-registry.js';
import type { OptionsSchema } from './option-schemas.js';

/**
 * What a component's factory receives: the resources it declared in `needs` (present, typed), those it
 * declared in `uses` (possibly undefined), the registry (to build the components it is made of) and a
 * log function. Nothing else: a component cannot read what it did not declare.
 */
export type ComponentContext<TNeed extends ComponentNeed = never, TUse extends ComponentNeed = never> = { [K in TNeed]: ComponentResources[K] } & {
  [K in TUse]?: ComponentResources[K] | undefined;
} & {
  registry: ComponentRegistry;
  log(line: string): void;
};

/**
 * One registrable component: a kind, a namespaced name (`mlm/default-collator`), the schema that
 * validates and defaults its options, what it needs from the host, and a factory.
 */
export interface ComponentDefinition<
  TKind extends ComponentKind = ComponentKind,
  TOptions = unknown,
  TNeed extends ComponentNeed = ComponentNeed,
  TUse extends ComponentNeed = never,
> {
  readonly kind: TKind;
  readonly name: string;
  readonly description?: string | undefined;
  readonly schema: OptionsSchema<TOptions>;
  /** Resources the factory cannot do without; `create` fails, naming them, when the host has not provided them. */
  readonly needs: readonly TNeed[];
  /** Resources the factory reads when the host has them (a task's block size as a default, …). */
  readonly uses: readonly TUse[];
  create(options: TOptions, context: ComponentContext<TNeed, TUse>): ComponentKinds[TKind] | Promise<ComponentKinds[TKind]>;
}

/** A definition of any kind, options and needs (what plugins list). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyComponentDefinition = ComponentDefinition<any, any, any, any>;

/**
 * Declares one component; the options type comes from the schema, the factory's return type from the
 * kind, and its context from `needs`:
 * ```ts
 * defineComponent({
 *   kind: 'collator', name: 'my/collator', schema: z.strictObject({ blockSize: z.number() }),
 *   needs: ['tokenizer', 'random'],
 *   create: (options, { tokenizer, random }) => createMyCollator({ ...options, tokenizer, random }),
 * })
 * ```
 */
export function defineComponent<
  TKind extends ComponentKind,
  TOptions,
  const TNeed extends ComponentNeed = never,
  const TUse extends ComponentNeed = never,
>(definition: {
  kind: TKind;
  name: string;
  description?: string;
  schema: OptionsSchema<TOptions>;
  /** Resources the factory cannot do without; the registry refuses to build it when the host has not provided them. */
  needs?: readonly TNeed[];
  /** Resources the factory reads when present. */
  uses?: readonly TUse[];
  create(options: TOptions, context: ComponentContext<TNeed, TUse>): ComponentKinds[NoInfer<TKind>] | Promise<ComponentKinds[NoInfer<TKind>]>;
}): ComponentDefinition<TKind, TOptions, TNeed, TUse> {
  return { ...definition, needs: definition.needs ?? [], uses: definition.uses ?? [] };
}

/** What a plugin package exports (as its default export or a named `plugin`). */
export interface Plugin {
  readonly name: string;
  readonly version?: string | undefined;
  readonly components: readonly AnyComponentDefinition[];
}

/**
 * Declares a plugin: a name and its components. Export the result from a package (default export or
 * a named `plugin`) and list the package under `plugins:` in a trainer config, or `registry.use` it.
 * Checks the shape of what it is given (plugins written in JavaScript get no type checking).
 */
export function definePlugin(plugin: { name: string; version?: string; components: readonly AnyComponentDefinition[] }): Plugin {
  if (typeof plugin !== 'object' || plugin === null) throw new Error('definePlugin: expected an object { name, components }');
  if (typeof plugin.name !== 'string' || plugin.name.length === 0) {
    throw new Error(`definePlugin: name must be a non-empty string, got ${JSON.stringify(plugin.name)}`);
  }
  if (!Array.isArray(plugin.components)) {
    throw new Error(`definePlugin(${plugin.name}): components must be a list of component definitions`);
  }
  plugin.components.forEach((component: AnyComponentDefinition | undefined, index: number) => {
    const where = `definePlugin(${plugin.name}): components[${index}]`;
    if (typeof component?.kind !== 'string' || typeof component.name !== 'string') {
      throw new Error(`${where}: expected { kind, name, schema, create } (made with defineComponent)`);
    }
    if (typeof component.schema?.safeParse !== 'function') {
      throw new Error(`${where} (${component.name}): schema must have safeParse (a zod schema)`);
    }
    if (typeof component.create !== 'function') throw new Error(`${where} (${component.name}): create must be a function`);
    for (const key of ['needs', 'uses'] as const) {
      if (component[key] !== undefined && !Array.isArray(component[key])) {
        throw new Error(`${where} (${component.name}): ${key} must be a list of resource names, e.g. ['tokenizer', 'random']`);
      }
    }
  });
  return plugin;
}

/** Whether a value has the shape of a plugin (for hosts that import plugin modules). */
export function isPlugin(value: unknown): value is Plugin {
  return typeof value === 'object' && value !== null && typeof (value as Plugin).name === 'string' && Array.isArray((value as Plugin).components);
}
