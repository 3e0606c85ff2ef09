/** Kinds of components the trainer's registry knows. Other xlm models may add their own kinds. */
export type ComponentKind =
  | 'model'
  | 'loss'
  | 'collator'
  | 'predictor'
  | 'position-strategy'
  | 'sampler'
  | 'metric'
  | 'tokenizer'
  | 'task'
  | 'logger'
  | 'noise-schedule'
  | (string & {});

/** Anything with zod's `safeParse` shape validates and defaults a component's options. */
export interface OptionsSchema<TOptions> {
  safeParse(input: unknown):
    | { success: true; data: TOptions }
    | { success: false; error: { issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }> } };
}

/**
 * One registrable component: a namespaced name (`mlm/default-collator`), a schema for its options,
 * and a factory. `TContext` is what the host (the trainer) passes to factories.
 */
export interface ComponentDefinition<TOptions = unknown, TInstance = unknown, TContext = unknown> {
  kind: ComponentKind;
  name: string;
  description?: string;
  schema: OptionsSchema<TOptions>;
  create(options: TOptions, context: TContext): TInstance | Promise<TInstance>;
}

/** What a plugin package exports (as its default export or a named `plugin`). */
export interface Plugin<TContext = unknown> {
  name: string;
  version?: string;
  // Components of any option/instance type; the registry validates options with each schema.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  components: ComponentDefinition<any, any, TContext>[];
}
