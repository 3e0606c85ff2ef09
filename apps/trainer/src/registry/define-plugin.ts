import type { ComponentDefinition, ComponentKind, OptionsSchema, Plugin } from '@mlm/types';
import type { ComponentContext } from './component-context.js';

/**
 * Declares one component with its options type inferred from the schema:
 * ```ts
 * defineComponent({ kind: 'task', name: 'example/reverse-digits', schema: z.object({ length: z.number() }),
 *   create: (options, context) => ... })
 * ```
 */
export function defineComponent<TOptions, TInstance>(definition: {
  kind: ComponentKind;
  name: string;
  description?: string;
  schema: OptionsSchema<TOptions>;
  create(options: TOptions, context: ComponentContext): TInstance | Promise<TInstance>;
}): ComponentDefinition<TOptions, TInstance, ComponentContext> {
  return definition;
}

/**
 * Declares a plugin: a name and its components. Export the result from a package (default export or
 * a named `plugin`) and list the package under `plugins:` in a config. The built-in MLM components
 * register through this same function (plugin `mlm`).
 */
export function definePlugin(plugin: {
  name: string;
  version?: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  components: ComponentDefinition<any, any, ComponentContext>[];
}): Plugin<ComponentContext> {
  if (typeof plugin !== 'object' || plugin === null) throw new Error('definePlugin: expected an object { name, components }');
  if (typeof plugin.name !== 'string' || plugin.name.length === 0) {
    throw new Error(`definePlugin: name must be a non-empty string, got ${JSON.stringify(plugin.name)}`);
  }
  if (!Array.isArray(plugin.components)) {
    throw new Error(`definePlugin(${plugin.name}): components must be a list of component definitions`);
  }
  plugin.components.forEach((component, index) => {
    const where = `definePlugin(${plugin.name}): components[${index}]`;
    if (typeof component?.kind !== 'string' || typeof component.name !== 'string') {
      throw new Error(`${where}: expected { kind, name, schema, create }`);
    }
    if (typeof component.schema?.safeParse !== 'function') {
      throw new Error(`${where} (${component.name}): schema must have safeParse (a zod schema)`);
    }
    if (typeof component.create !== 'function') throw new Error(`${where} (${component.name}): create must be a function`);
  });
  return plugin;
}
