import { createNamedRandom } from '@mlm/random';
import type { RandomSource } from '@mlm/types';
import type { ComponentKind, ComponentRegistry, ProvidedResources } from '@mlm/components';
import { defaultMetricNames } from '@mlm/metrics';
import { defaultMaxLength } from '@mlm/model';
import { qualifiedName } from '@mlm/predictor';
import type { ComponentSection, RunConfig } from '../config/config-schema.js';
import { taskInfoOf } from '../registry/component-context.js';
import { ConfigError, type ConfigIssue } from '../util/config-error.js';
import type { CollatorDefault, Task } from '../tasks/task.js';
import { asTrainableModel, type RunComponents, type TrainableModel } from './run-components.js';
import { takeExamples } from './evaluate.js';

/** A component chosen by the config, with validated options. */
export interface ResolvedComponent {
  name: string;
  options: Record<string, unknown>;
}

/** A configuration checked against the registry and the task, before any tensor work. */
export interface PreparedRun {
  config: RunConfig;
  task: Task;
  /** The task component and its validated options. */
  taskComponent: ResolvedComponent;
  model: ResolvedComponent;
  loss: ResolvedComponent;
  predictor: ResolvedComponent;
  trainCollator: ResolvedComponent;
  predictionCollator: ResolvedComponent;
  metrics: ResolvedComponent[];
  /** The `dataset` component of unconditional prediction (validation.predictionSource), when set. */
  predictionSource: ResolvedComponent | null;
  loggers: ResolvedComponent[];
  /** Plugins' training callbacks. */
  callbacks: ResolvedComponent[];
}

function splitSection(section: ComponentSection): { name: string | null; options: Record<string, unknown> } {
  const { name, ...options } = section;
  return { name, options };
}

/** Runs `fn`, collecting a ConfigError's issues instead of throwing, so every problem is reported at once. */
function collect<T>(issues: ConfigIssue[], fn: () => T): T | undefined {
  try {
    return fn();
  } catch (error) {
    if (error instanceof ConfigError) {
      issues.push(...error.issues);
      return undefined;
    }
    throw error;
  }
}

/**
 * The resources the trainer hands a component: a random stream of its own (seeded from the run's
 * seed and the component's role) and whatever the run has built so far. Components take the ones they
 * declared.
 */
export function componentResources(seed: number, role: string, extra: ProvidedResources = {}): ProvidedResources {
  return { random: createNamedRandom(seed, role), log: () => {}, ...extra };
}

/**
 * The components a predictor's options name (`logitsHook: shift-by-1`, `positionStrategy: { name, … }`,
 * …) are built only when the predictor is, at the first validation; their names and options are checked
 * here, before any work, so a typo is an error listing the registered names.
 */
function checkPredictorParts(registry: ComponentRegistry, options: Record<string, unknown>, issues: ConfigIssue[]): void {
  const byName: [key: string, kind: string][] = [
    ['logitsHook', 'logits-hook'],
    ['unmaskSchedule', 'unmask-schedule'],
  ];
  const bySection: [key: string, kind: string][] = [
    ['positionStrategy', 'position-strategy'],
    ['sampler', 'sampler'],
    ['history', 'history'],
  ];
  for (const [key, kind] of byName) {
    const name = options[key];
    if (typeof name === 'string') collect(issues, () => registry.get(kind as ComponentKind, qualifiedName(name), `predictor.${key}`));
  }
  for (const [key, kind] of bySection) {
    const value = options[key];
    if (typeof value !== 'object' || value === null) continue;
    const { name, ...rest } = value as { name?: unknown };
    collect(issues, () => registry.parseOptions(kind as ComponentKind, typeof name === 'string' ? qualifiedName(name) : name, rest, `predictor.${key}`));
  }
}

function resolveCollatorSection(
  registry: ComponentRegistry,
  section: ComponentSection,
  defaults: CollatorDefault,
  path: string,
  issues: ConfigIssue[],
): ResolvedComponent | undefined {
  const { name: taskDefault, ...defaultOptions } = defaults;
  const { name: configured, options } = splitSection(section);
  const name = configured ?? taskDefault;
  if (!name) {
    issues.push({ path: `${path}.name`, message: `the task names no default collator; set ${path}.name (one of ${registry.names('collator').join(', ')})` });
    return undefined;
  }
  // The task's defaults apply only to the collator they were written for.
  const merged = configured && configured !== taskDefault ? options : { ...defaultOptions, ...options };
  const parsed = collect(issues, () => registry.parseOptions('collator', name, merged, path));
  return parsed ? { name, options: parsed } : undefined;
}

/**
 * Validates every section of the config with its component's schema, builds the task (data only), and
 * checks that the pieces fit together (model.maxLength against the widest batch, ...). Throws one
 * ConfigError listing every problem. No tensor is created.
 */
export async function prepareRun(config: RunConfig, registry: ComponentRegistry): Promise<PreparedRun> {
  const issues: ConfigIssue[] = [];
  const section = (kind: ComponentKind, value: ComponentSection, path: string): ResolvedComponent | undefined => {
    const { name, options } = splitSection(value);
    if (name === null) {
      issues.push({ path: `${path}.name`, message: `required: one of ${registry.names(kind).join(', ')}` });
      return undefined;
    }
    const parsed = collect(issues, () => registry.parseOptions(kind, name, options, path));
    return parsed ? { name, options: parsed } : undefined;
  };
  const taskSection = section('task', config.task, 'task');
  const model = section('model', config.model, 'model');
  const loss = section('loss', config.loss, 'loss');
  const predictor = section('predictor', config.predictor, 'predictor');
  if (predictor) checkPredictorParts(registry, predictor.options, issues);
  const loggers = config.logging.loggers.map((logger, index) => section('logger', logger, `logging.loggers[${index}]`));
  const callbacks = config.callbacks.map((callback, index) => section('callback', callback, `callbacks[${index}]`));
  if (issues.length || !taskSection) throw new ConfigError(issues);

  const task = await registry.create('task', taskSection.name, taskSection.options, componentResources(config.seed, 'task'), 'task');

  const trainCollator = resolveCollatorSection(registry, config.collators.train, task.collatorDefaults.train, 'collators.train', issues);
  const predictionCollator = resolveCollatorSection(registry, config.collators.prediction, task.collatorDefaults.prediction, 'collators.prediction', issues);
  const metricSections = config.metrics ?? defaultMetricNames(task.kind).map((name) => ({ name }));
  const metrics = metricSections.map((metric, index) => section('metric', metric, `metrics[${index}]`));
  let predictionSource: ResolvedComponent | null = null;
  if (config.validation.predictionSource.name !== null) {
    if (task.kind !== 'unconditional') {
      issues.push({
        path: 'validation.predictionSource.name',
        message: `${JSON.stringify(config.validation.predictionSource.name)}: rows of [MASK] are for unconditional tasks; task ${task.name} is ${task.kind} (its prediction split comes from its data)`,
      });
    } else {
      predictionSource = section('dataset', config.validation.predictionSource, 'validation.predictionSource') ?? null;
    }
  }
  if (issues.length || !model || !loss || !predictor || !trainCollator || !predictionCollator) throw new ConfigError(issues);

  // Widths of real batches, collated without tensors, against the model's largest position.
  const maxLength = (model.options.maxLength as number | null | undefined) ?? defaultMaxLength(task);
  const sample = await takeExamples(task.splits.train, 2);
  if (sample.length > 0) {
    const collator = await registry.create('collator', trainCollator.name, trainCollator.options, componentResources(config.seed, 'check', { task, taskInfo: taskInfoOf(task), tokenizer: task.tokenizer }), 'collators.train');
    const width = collator.collate(sample).inputIds.shape[1];
    if (width - 1 > maxLength) {
      issues.push({ path: 'model.maxLength', message: `(${maxLength}) is smaller than the block (${width}): training rows are ${width} wide, positions run to ${width - 1}` });
    }
  }
  if (task.kind !== 'unconditional') {
    const validation = await takeExamples(task.splits.validation, 2);
    if (validation.length > 0) {
      const collator = await registry.create('collator', predictionCollator.name, predictionCollator.options, componentResources(config.seed, 'check', { task, taskInfo: taskInfoOf(task), tokenizer: task.tokenizer }), 'collators.prediction');
      const promptWidth = collator.collate(validation).inputIds.shape[1];
      const newTokens = (predictor.options.maxNewTokens as number | null) ?? (task.kind === 'seq2seq' ? task.blockSize : 0);
      const width = promptWidth + newTokens;
      if (width - 1 > maxLength) {
        issues.push({
          path: 'model.maxLength',
          message: `(${maxLength}) is smaller than the prediction block (${width} = prompt ${promptWidth} + predictor.maxNewTokens ${newTokens})`,
        });
      }
      if (task.kind === 'seq2seq' && newTokens !== task.blockSize) {
        issues.push({
          path: 'predictor.maxNewTokens',
          message: `(${newTokens}) must equal the task's block size (${task.blockSize}) so generated windows line up with the targets`,
        });
      }
    }
  }
  if (issues.length) throw new ConfigError(issues);
  return {
    config,
    task,
    taskComponent: taskSection,
    model,
    loss,
    predictor,
    trainCollator,
    predictionCollator,
    metrics: metrics as ResolvedComponent[],
    predictionSource,
    loggers: loggers as ResolvedComponent[],
    callbacks: callbacks as ResolvedComponent[],
  };
}

const asSection = (component: ResolvedComponent) => ({ name: component.name, ...component.options });

/** The configuration with every component section resolved (names chosen, options defaulted): what a run folder keeps. */
export function resolvedConfig(prepared: PreparedRun): RunConfig {
  return {
    ...prepared.config,
    task: asSection(prepared.taskComponent),
    model: asSection(prepared.model),
    loss: asSection(prepared.loss),
    predictor: asSection(prepared.predictor),
    collators: { train: asSection(prepared.trainCollator), prediction: asSection(prepared.predictionCollator) },
    metrics: prepared.metrics.map(asSection),
    callbacks: prepared.callbacks.map(asSection),
    validation: { ...prepared.config.validation, predictionSource: prepared.predictionSource ? asSection(prepared.predictionSource) : { name: null } },
    logging: { ...prepared.config.logging, loggers: prepared.loggers.map(asSection) },
  };
}

/**
 * The configuration with the options of every named component validated and defaulted (without
 * building the task; collators and metrics left to the task stay null). For `print-config`.
 */
export function expandComponentOptions(config: RunConfig, registry: ComponentRegistry): RunConfig {
  const issues: ConfigIssue[] = [];
  const expand = (kind: ComponentKind, value: ComponentSection, path: string): ComponentSection => {
    const { name, options } = splitSection(value);
    if (name === null) return value;
    const parsed = collect(issues, () => registry.parseOptions(kind, name, options, path));
    return parsed ? { name, ...parsed } : value;
  };
  const expanded: RunConfig = {
    ...config,
    task: expand('task', config.task, 'task'),
    model: expand('model', config.model, 'model'),
    loss: expand('loss', config.loss, 'loss'),
    predictor: expand('predictor', config.predictor, 'predictor'),
    collators: { train: expand('collator', config.collators.train, 'collators.train'), prediction: expand('collator', config.collators.prediction, 'collators.prediction') },
    metrics: config.metrics?.map((metric, index) => expand('metric', metric, `metrics[${index}]`)) ?? null,
    callbacks: config.callbacks.map((callback, index) => expand('callback', callback, `callbacks[${index}]`)),
    validation: { ...config.validation, predictionSource: expand('dataset', config.validation.predictionSource, 'validation.predictionSource') },
    logging: { ...config.logging, loggers: config.logging.loggers.map((logger, index) => expand('logger', logger, `logging.loggers[${index}]`)) },
  };
  if (issues.length) throw new ConfigError(issues);
  return expanded;
}

/**
 * Builds the run's components (needs an initialised backend). `model` may be given (loaded from a
 * checkpoint); otherwise it is created from the config with the run's `init` random stream.
 */
export async function instantiateRun(
  prepared: PreparedRun,
  registry: ComponentRegistry,
  options: { model?: TrainableModel } = {},
): Promise<RunComponents> {
  const { config, task } = prepared;
  const seed = config.seed;
  const tokenizer = task.tokenizer;
  const base = { task, taskInfo: taskInfoOf(task), tokenizer };
  const model = options.model ?? asTrainableModel(await registry.create('model', prepared.model.name, prepared.model.options, componentResources(seed, 'init', base), 'model'));
  const withModel = { ...base, model };
  const loss = await registry.create('loss', prepared.loss.name, prepared.loss.options, componentResources(seed, 'loss', withModel), 'loss');
  const withRandom = (random: RandomSource): ProvidedResources => ({ ...withModel, random, log: () => {} });
  return {
    task,
    tokenizer,
    model,
    loss,
    createTrainCollator: (random) => registry.create('collator', prepared.trainCollator.name, prepared.trainCollator.options, withRandom(random), 'collators.train'),
    createPredictionCollator: (random) =>
      registry.create('collator', prepared.predictionCollator.name, prepared.predictionCollator.options, withRandom(random), 'collators.prediction'),
    createPredictor: (random) => registry.create('predictor', prepared.predictor.name, prepared.predictor.options, withRandom(random), 'predictor'),
    createPredictionDataset: prepared.predictionSource
      ? (random) => registry.create('dataset', prepared.predictionSource!.name, prepared.predictionSource!.options, withRandom(random), 'validation.predictionSource')
      : undefined,
    createMetrics: () =>
      Promise.all(
        prepared.metrics.map((metric, index) => registry.create('metric', metric.name, metric.options, componentResources(seed, 'metric', withModel), `metrics[${index}]`)),
      ),
  };
}
