// Plugin authoring: the component layer lives in @mlm/components (plugins depend on it, not on the
// trainer); the trainer adds its kinds (task, logger), its resources (task, runFolder) and
// loads plugin packages from files.
export { ComponentRegistry, defineComponent, definePlugin } from '@mlm/components';
export type { ComponentContext, ComponentDefinition, ComponentInfo, ComponentKind, ComponentKinds, OptionsSchema, Plugin } from '@mlm/components';
export type { TaskInfo } from './registry/component-context.js';
export { taskInfoOf } from './registry/component-context.js';
export { createRegistry, createRegistryWithPlugins } from './registry/create-registry.js';
export { loadPlugins, resolvePluginEntry } from './registry/load-plugins.js';
export { mlmPlugin } from './plugins/mlm/index.js';

// Tasks and data (the task contract plugin tasks implement)
export type { CollatorDefault, ExampleSource, Task, TaskFactory, TaskFactoryOptions, TaskKind } from './tasks/task.js';
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
export { runTraining, trainingCallbacks, NonFiniteLossError, type TrainRunOptions, type TrainRunResult, type TrainDataLoader } from './training/trainer.js';
export { runTrainingLoop } from './training/training-loop.js';
export type { StepResult, TrainingCallback } from './training/training-callback.js';
export type { StepOutcome, TrainingRun } from './training/training-run.js';
export { createBestCheckpointCallback, listBestCheckpoints } from './training/callbacks/best-checkpoint-callback.js';
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
