// The option schemas of the component layer: the trainer's own config sections use the same words
// ("expected a positive integer, got -5") as every component's options.
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
} from '@mlm/components';
