// Plugin authoring
export { definePlugin, defineComponent } from './registry/define-plugin.js';
export type { ComponentContext, TaskInfo } from './registry/component-context.js';
export { taskInfoOf } from './registry/component-context.js';
export { ComponentRegistry, type ComponentInfo } from './registry/component-registry.js';
export { createRegistry, createRegistryWithPlugins } from './registry/create-registry.js';
export { loadPlugins, resolvePluginEntry } from './registry/load-plugins.js';
export { mlmPlugin } from './plugins/mlm/index.js';
export type { ComponentDefinition, ComponentKind, OptionsSchema, Plugin } from '@mlm/types';

// Tasks and data (the task contract plugin tasks implement)
export type { ExampleSource, Task, TaskFactory, TaskFactoryOptions, TaskKind } from './tasks/task.js';
export { BUILT_IN_TASKS, createArraySource, collectExamples } from './tasks/index.js';
export { createDataLoader, type DataLoader, type DataLoaderOptions, type DataLoaderState } from './data/index.js';

// Configuration
export { runConfigSchema, type RunConfig, type ComponentSection } from './config/config-schema.js';
export { loadConfig, parseRunConfig, readConfigFile, configToYaml, type ConfigSources, type LoadedConfig } from './config/load-config.js';
export { applyOverrides, parseOverride } from './config/overrides.js';
export { deepMerge } from './config/deep-merge.js';
export { listPresets, presetPath, presetsDirectory } from './config/presets.js';
export { ConfigError, type ConfigIssue } from './util/config-error.js';

// Optimisation
export { AdamW, type AdamWOptions, type OptimizedParameter } from './optim/adamw.js';
export { createLearningRateSchedule, resolveWarmupSteps, type LearningRateSchedule } from './optim/lr-schedule.js';
export { clipGradientsByGlobalNorm, globalNorm } from './optim/clip-gradients.js';
export { ExponentialMovingAverage } from './optim/ema.js';

// Training, evaluation, checkpoints
export { runTraining, NonFiniteLossError, type TrainRunOptions, type TrainRunResult, type TrainDataLoader } from './training/trainer.js';
export { prepareRun, instantiateRun, type PreparedRun } from './training/prepare-run.js';
export type { RunComponents, TrainableModel } from './training/run-components.js';
export { evaluateSplit, type EvaluationOptions, type EvaluationResult, type EvaluationSample } from './training/evaluate.js';
export {
  writeCheckpoint,
  findLastCheckpoint,
  listCheckpoints,
  readTrainerState,
  isCompleteCheckpoint,
  type TrainerState,
} from './training/checkpoint.js';
export { locateModelFolder, loadModelFromFolder, type ModelFolder } from './training/model-folder.js';
export { runFolderPaths, prepareRunFolder, type RunFolder } from './training/run-folder.js';
export type { MetricsLogger, MetricsRecord } from './training/metrics-loggers.js';

// Commands (the CLI's building blocks)
export { main, type MainOptions } from './main.js';
export { trainCommand, type TrainCommandOptions } from './commands/train.js';
export { evaluateCommand } from './commands/evaluate.js';
export { generateCommand } from './commands/generate.js';
export { exportCommand } from './commands/export.js';
export { importCommand } from './commands/import.js';
export type { ImportCommandOptions } from './commands/import.js';
export { demoCommand } from './commands/demo.js';
export type { CommandIO } from './commands/command-io.js';
