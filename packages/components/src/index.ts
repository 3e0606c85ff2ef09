export type { ComponentKind, ComponentKinds, ComponentNeed, ComponentResources, TaskInfo } from './component-kinds.js';
export { defineComponent, definePlugin, isPlugin } from './define-component.js';
export type { AnyComponentDefinition, ComponentContext, ComponentDefinition, Plugin } from './define-component.js';
export { ComponentRegistry, createComponentRegistry } from './component-registry.js';
export type { ComponentInfo, ProvidedResources } from './component-registry.js';
export { ConfigError, describeValue, joinPath } from './config-error.js';
export type { ConfigIssue } from './config-error.js';
export {
  booleanFlag,
  finiteNumber,
  issuesFromZod,
  nonEmptyString,
  nonNegativeInteger,
  nonNegativeNumber,
  numberInRange,
  oneOf,
  positiveInteger,
  positiveNumber,
  validateOptions,
} from './option-schemas.js';
export type { OptionsSchema } from './option-schemas.js';
export { parseConstructorOptions } from './constructor-options.js';
