// One error type for configuration problems, shared with the component layer (unknown component
// names and bad component options are ConfigErrors too).
export { ConfigError, describeValue, joinPath, type ConfigIssue } from '@mlm/components';
