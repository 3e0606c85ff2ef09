import { createNamedRandom } from '@mlm/random';
import type { RandomSource } from '@mlm/types';
import type { MetricWrapper } from '@mlm/metrics';
import type { ComponentSection, RunConfig } from '../config/config-schema.js';
import { taskInfoOf, type ComponentContext } from '../registry/component-context.js';
import type { ComponentRegistry } from '../registry/component-registry.js';
import { ConfigError, type ConfigIssue } from '../util/config-error.js';
import { COLLATOR_CLASSES, defaultMaxLength, defaultMetricNames } from '../plugins/mlm/index.js';
import type { Task } from '../tasks/task.js';
import type { MLMPredictor, PredictionCollator, RunComponents, TrainableModel, TrainCollator } from './run-components.js';
import type { LossFunction, MLMBatch } from '@mlm/types';
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
  loggers: ResolvedComponent[];
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

export function createContext(registry: ComponentRegistry<ComponentContext>, seed: number, role: string, extra: Partial<ComponentContext> = {}): ComponentContext {
  return {
    registry,
    random: createNamedRandom(seed, role),
    createRandom: (name: string) => createNamedRandom(seed, `${role}/${name}`),
    log: () => {},
    ...extra,
  };
}

function resolveCollatorSection(
  registry: ComponentRegistry<ComponentContext>,
  section: ComponentSection,
  defaults: Record<string, unknown>,
  path: string,
  issues: ConfigIssue[],
): ResolvedComponent | undefined {
  const { collator: xlmClass, ...defaultOptions } = defaults;
  const { name: configured, options } = splitSection(section);
  const name = configured ?? (typeof xlmClass === 'string' ? COLLATOR_CLASSES[xlmClass] : undefined);
  if (!name) {
    issues.push({ path: `${path}.name`, message: `the task names no default collator (got ${JSON.stringify(xlmClass)}); set ${path}.name` });
    return undefined;
  }
  // The task's defaults apply only to the collator they were written for.
  const merged = configured && COLLATOR_CLASSES[String(xlmClass)] !== configured ? options : { ...defaultOptions, ...options };
  const parsed = collect(issues, () => registry.parseOptions<Record<string, unknown>>('collator', name, merged, path));
  return parsed ? { name, options: parsed } : undefined;
}

/**
 * Validates every section of the config with its component's schema, builds the task (data only), and
 * checks that the pieces fit together (model.maxLength against the widest batch, ...). Throws one
 * ConfigError listing every problem. No tensor is created.
 */
export async function prepareRun(config: RunConfig, registry: ComponentRegistry<ComponentContext>): Promise<PreparedRun> {
  const issues: ConfigIssue[] = [];
  const section = (kind: string, value: ComponentSection, path: string): ResolvedComponent | undefined => {
    const { name, options } = splitSection(value);
    if (name === null) {
      issues.push({ path: `${path}.name`, message: `required: one of ${registry.names(kind).join(', ')}` });
      return undefined;
    }
    const parsed = collect(issues, () => registry.parseOptions<Record<string, unknown>>(kind, name, options, path));
    return parsed ? { name, options: parsed } : undefined;
  };
  const taskSection = section('task', config.task, 'task');
  const model = section('model', config.model, 'model');
  const loss = section('loss', config.loss, 'loss');
  const predictor = section('predictor', config.predictor, 'predictor');
  const loggers = config.logging.loggers.map((logger, index) => section('logger', logger, `logging.loggers[${index}]`));
  if (issues.length || !taskSection) throw new ConfigError(issues);

  const task = (await registry.get('task', taskSection.name).create(taskSection.options, createContext(registry, config.seed, 'task'))) as Task;

  const trainCollator = resolveCollatorSection(registry, config.collators.train, task.collatorDefaults.train, 'collators.train', issues);
  const predictionCollator = resolveCollatorSection(registry, config.collators.prediction, task.collatorDefaults.prediction, 'collators.prediction', issues);
  const metricSections = config.metrics ?? defaultMetricNames(task.kind).map((name) => ({ name }));
  const metrics = metricSections.map((metric, index) => section('metric', metric, `metrics[${index}]`));
  if (issues.length || !model || !loss || !predictor || !trainCollator || !predictionCollator) throw new ConfigError(issues);

  // Widths of real batches, collated without tensors, against the model's largest position.
  const maxLength = (model.options.maxLength as number | null | undefined) ?? defaultMaxLength(task);
  const sample = await takeExamples(task.splits.train, 2);
  if (sample.length > 0) {
    const collator = (await registry.create('collator', trainCollator.name, trainCollator.options, createContext(registry, config.seed, 'check', { task, taskInfo: taskInfoOf(task), tokenizer: task.tokenizer }), 'collators.train')) as TrainCollator;
    const width = collator.collate(sample).inputIds.shape[1];
    if (width - 1 > maxLength) {
      issues.push({ path: 'model.maxLength', message: `(${maxLength}) is smaller than the block (${width}): training rows are ${width} wide, positions run to ${width - 1}` });
    }
  }
  if (task.kind !== 'unconditional') {
    const validation = await takeExamples(task.splits.validation, 2);
    if (validation.length > 0) {
      const collator = (await registry.create('collator', predictionCollator.name, predictionCollator.options, createContext(registry, config.seed, 'check', { task, taskInfo: taskInfoOf(task), tokenizer: task.tokenizer }), 'collators.prediction')) as PredictionCollator;
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
    loggers: loggers as ResolvedComponent[],
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
    logging: { ...prepared.config.logging, loggers: prepared.loggers.map(asSection) },
  };
}

/**
 * The configuration with the options of every named component validated and defaulted (without
 * building the task; collators and metrics left to the task stay null). For `print-config`.
 */
export function expandComponentOptions(config: RunConfig, registry: ComponentRegistry<ComponentContext>): RunConfig {
  const issues: ConfigIssue[] = [];
  const expand = (kind: string, value: ComponentSection, path: string): ComponentSection => {
    const { name, options } = splitSection(value);
    if (name === null) return value;
    const parsed = collect(issues, () => registry.parseOptions<Record<string, unknown>>(kind, name, options, path));
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
  registry: ComponentRegistry<ComponentContext>,
  options: { model?: TrainableModel } = {},
): Promise<RunComponents> {
  const { config, task } = prepared;
  const seed = config.seed;
  const tokenizer = task.tokenizer;
  const base = { task, taskInfo: taskInfoOf(task), tokenizer };
  const model =
    options.model ??
    ((await registry.create('model', prepared.model.name, prepared.model.options, createContext(registry, seed, 'init', base), 'model')) as TrainableModel);
  const withModel = { ...base, model };
  const loss = (await registry.create('loss', prepared.loss.name, prepared.loss.options, createContext(registry, seed, 'loss', withModel), 'loss')) as LossFunction<MLMBatch>;
  const contextWithRandom = (random: RandomSource, role: ComponentContext['role']): ComponentContext => ({
    ...createContext(registry, seed, role ?? 'component', withModel),
    random,
    role,
  });
  return {
    task,
    tokenizer,
    model,
    loss,
    createTrainCollator: async (random) =>
      (await registry.create('collator', prepared.trainCollator.name, prepared.trainCollator.options, contextWithRandom(random, 'train'), 'collators.train')) as TrainCollator,
    createPredictionCollator: async (random) =>
      (await registry.create('collator', prepared.predictionCollator.name, prepared.predictionCollator.options, contextWithRandom(random, 'prediction'), 'collators.prediction')) as PredictionCollator,
    createPredictor: async (random) =>
      (await registry.create('predictor', prepared.predictor.name, prepared.predictor.options, contextWithRandom(random, 'prediction'), 'predictor')) as MLMPredictor,
    createMetrics: async () =>
      Promise.all(
        prepared.metrics.map(
          async (metric, index) =>
            (await registry.create('metric', metric.name, metric.options, createContext(registry, seed, 'metric', withModel), `metrics[${index}]`)) as MetricWrapper<unknown, unknown, unknown>,
        ),
      ),
  };
}

