import YAML from 'yaml';
import type { TaskInfo } from '../registry/component-context.js';

// What `mlm export --xlm-core` writes beside the model folder so xlm-core (PyTorch Lightning, Hydra)
// continues training the model: the xlm-core experiment of the task, the Hydra overrides that give it
// this model's architecture and this run's training settings, and the `xlm job_type=train …` commands
// (one GPU, DDP, FSDP). The weights go in through xlm-core's `model_only_checkpoint_path` (loaded
// strictly before `trainer.fit`), so the optimiser moments and the schedule's position start afresh.

/** The xlm-core experiment config (`xlm-models/mlm/configs/experiment/`) of each built-in task. */
const EXPERIMENTS: Readonly<Record<string, string>> = {
  'star-easy': 'star_easy_mlm',
  'star-medium': 'star_medium_mlm',
  'star-hard': 'star_hard_mlm',
  sudoku: 'sudoku_mlm',
  // The same pipeline and tokenizer (`for_numbers(10)`) with a smaller board: sudoku_mlm with our block.
  'sudoku-4x4': 'sudoku_mlm',
  'sudoku-6x6': 'sudoku_mlm',
};

const SUDOKU_CELLS: Readonly<Record<string, number>> = { sudoku: 81, 'sudoku-4x4': 16, 'sudoku-6x6': 36 };

/** Task names with an xlm-core experiment. */
export const XLM_CORE_TASKS = Object.keys(EXPERIMENTS);

/** One Hydra override: `key=value`, or `++key=value` when the key may be absent from the experiment. */
export interface HydraOverride {
  key: string;
  value: string | number | boolean | null | readonly number[];
  /** Add the key when the composed config lacks it (`++`). */
  add?: boolean;
}

export interface XlmCoreSettings {
  experiment: string;
  /** Architecture and training settings, in the order they are written. */
  overrides: HydraOverride[];
  /** What could not be carried over, and what the user must provide (data). */
  notes: string[];
}

/** Our scheduler names → Hugging Face `get_scheduler` names (what xlm-core's `lr_scheduler.name` takes). */
const SCHEDULERS: Readonly<Record<string, string>> = {
  constant: 'constant',
  'constant-with-warmup': 'constant_with_warmup',
  'cosine-with-min-lr': 'cosine_with_min_lr',
};

const ARCHITECTURE_KEYS = ['d_model', 'num_layers', 'nhead', 'dim_feedforward', 'dropout', 'activation', 'layer_norm_eps', 'rotary_emb_dim', 'max_length', 'final_layer_without_normalization'] as const;

type Section = Record<string, unknown>;
const section = (value: unknown): Section => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Section) : {});
const numberOr = (value: unknown, fallback: number): number => (typeof value === 'number' && Number.isFinite(value) ? value : fallback);

function plainTaskName(name: string): string {
  return name.startsWith('mlm/') ? name.slice('mlm/'.length) : name;
}

/**
 * The experiment and overrides for a model (its xlm-core `config.json`), its task, and — when the model
 * comes from a run folder — the run's resolved `config.yaml`. Throws for a task without an experiment.
 */
export function createXlmCoreSettings(options: { modelConfig: Record<string, unknown>; taskInfo: TaskInfo | undefined; runConfig?: unknown }): XlmCoreSettings {
  const { modelConfig, taskInfo } = options;
  if (!taskInfo) {
    throw new Error(`--xlm-core needs the model's task (task.json) to choose the xlm-core experiment; pass --task <${XLM_CORE_TASKS.join('|')}>`);
  }
  const taskName = plainTaskName(taskInfo.name);
  const experiment = EXPERIMENTS[taskName];
  if (experiment === undefined) {
    throw new Error(
      `--xlm-core: task "${taskInfo.name}" has no xlm-core experiment (tasks with one: ${XLM_CORE_TASKS.join(', ')}); ` +
        '`mlm export` without --xlm-core writes the model folder alone',
    );
  }
  const overrides: HydraOverride[] = [];
  const notes: string[] = [];

  // The block sizes (they also give xlm-core's max_length rule) and the architecture.
  overrides.push({ key: 'block_size', value: taskInfo.blockSize });
  if (taskInfo.inputBlockSize !== undefined) overrides.push({ key: 'input_block_size', value: taskInfo.inputBlockSize });
  for (const key of ARCHITECTURE_KEYS) {
    const value = modelConfig[key];
    if (value === undefined) continue;
    overrides.push({ key: `model.${key}`, value: value as HydraOverride['value'] });
  }
  // num_embeddings, padding_idx and mask_idx come from xlm-core's tokenizer (`for_numbers`), whose ids
  // are ours; the strict weight load fails loudly if the vocabulary differed.

  const run = section(options.runConfig);
  if (options.runConfig !== undefined) {
    const training = section(run.training);
    const optimizer = section(run.optimizer);
    const scheduler = section(run.scheduler);
    const predictor = section(run.predictor);
    const validation = section(run.validation);
    const ema = section(training.ema);
    const batchSize = numberOr(training.batchSize, 32);
    const accumulation = numberOr(training.gradientAccumulationSteps, 1);
    overrides.push({ key: 'seed', value: numberOr(run.seed, 1) });
    overrides.push({ key: 'per_device_batch_size', value: batchSize });
    overrides.push({ key: 'global_batch_size', value: batchSize * accumulation });
    overrides.push({ key: 'trainer.max_steps', value: numberOr(training.maxSteps, 1000) });
    overrides.push({ key: 'trainer.gradient_clip_val', value: typeof training.gradientClipNorm === 'number' ? training.gradientClipNorm : null });
    if (typeof validation.every === 'number') {
      overrides.push({ key: 'trainer.val_check_interval', value: validation.every });
      overrides.push({ key: 'trainer.check_val_every_n_epoch', value: null });
    }
    overrides.push({ key: 'optimizer.lr', value: numberOr(optimizer.lr, 5e-4) });
    overrides.push({ key: 'optimizer.weight_decay', value: numberOr(optimizer.weightDecay, 0.01) });
    const betas = Array.isArray(optimizer.betas) ? (optimizer.betas as number[]) : [0.9, 0.999];
    if (betas[0] !== 0.9 || betas[1] !== 0.999) overrides.push({ key: 'optimizer.betas', value: betas, add: true });
    if (numberOr(optimizer.eps, 1e-8) !== 1e-8) overrides.push({ key: 'optimizer.eps', value: numberOr(optimizer.eps, 1e-8), add: true });
    const schedulerName = typeof scheduler.name === 'string' ? scheduler.name : 'constant-with-warmup';
    const hfName = SCHEDULERS[schedulerName];
    if (hfName === undefined) {
      notes.push(`scheduler "${schedulerName}" has no Hugging Face equivalent; the experiment's schedule is kept`);
    } else {
      const maxSteps = numberOr(training.maxSteps, 1000);
      const warmup = typeof scheduler.warmupSteps === 'number'
        ? scheduler.warmupSteps
        : typeof scheduler.fractionWarmupSteps === 'number' ? Math.trunc(maxSteps * scheduler.fractionWarmupSteps) : 0;
      overrides.push({ key: 'lr_scheduler.name', value: hfName });
      overrides.push({ key: 'lr_scheduler.num_warmup_steps', value: warmup });
      if (hfName === 'cosine_with_min_lr') {
        overrides.push({ key: 'lr_scheduler.min_lr', value: numberOr(scheduler.minLr, 0), add: true });
        overrides.push({ key: 'lr_scheduler.num_cycles', value: numberOr(scheduler.numCycles, 0.5), add: true });
      }
    }
    if (ema.enabled === false) overrides.push({ key: 'callbacks.ema', value: null });
    else overrides.push({ key: 'callbacks.ema.decay', value: numberOr(ema.decay, 0.9999) });

    // The predictor's settings that xlm-core's MLMPredictor has.
    const maxSteps = typeof predictor.maxSteps === 'number' ? predictor.maxSteps : taskInfo.blockSize;
    overrides.push({ key: 'predictor.max_steps', value: maxSteps });
    overrides.push({ key: 'predictor.top_k', value: typeof predictor.topK === 'number' ? predictor.topK : null });
    overrides.push({ key: 'predictor.top_p', value: typeof predictor.topP === 'number' ? predictor.topP : null });
    overrides.push({ key: 'predictor.confidence', value: typeof predictor.confidence === 'string' ? predictor.confidence : null, add: true });
    overrides.push({ key: 'predictor.threshold', value: typeof predictor.threshold === 'number' ? predictor.threshold : null, add: true });
    for (const [key, described] of [
      ['positionStrategy', 'a position-strategy component'],
      ['sampler', 'a sampler component'],
      ['unmaskSchedule', 'an unmask schedule'],
      ['logitsHook', 'a logits hook'],
      ['blockLength', 'semi-autoregressive blocks'],
    ] as const) {
      if (predictor[key] !== null && predictor[key] !== undefined) notes.push(`predictor.${key} (${described}) has no xlm-core setting; xlm-core's predictor decodes without it`);
    }
    if (numberOr(predictor.temperature, 1) !== 1) notes.push(`predictor.temperature = ${String(predictor.temperature)}: xlm-core's MLM configs sample at temperature 1`);
  } else {
    notes.push("no run configuration (the model is not inside a run folder): the experiment's training settings are kept");
  }
  if (experiment === 'sudoku_mlm') {
    // Our sudoku prediction rows end with EOS like the training rows (a deliberate difference, see the
    // README); evaluate the same way unless the run restored the reference's layout.
    const prediction = section(section(run.collators).prediction);
    if (prediction.addEos !== false) overrides.push({ key: 'datamodule.dataset_managers.val.infill_prediction.collator.add_eos', value: true, add: true });
    const cells = SUDOKU_CELLS[taskName] ?? 81;
    notes.push(
      `data: xlm-core reads \${DATA_DIR}/sudoku/train.csv and test.csv (columns quizzes,solutions, ${cells} digits per row, 0 = blank; ` +
        'DATA_DIR a short relative path such as "data"): the files of task.files, or those the task writes to task.dataDir',
    );
  } else {
    notes.push(`data: xlm-core downloads the task's Hugging Face dataset; run \`xlm job_type=prepare_data experiment=${experiment}\` first`);
  }
  notes.push('the weights enter through model_only_checkpoint_path (strict load): AdamW moments, the EMA and the schedule start afresh');
  return { experiment, overrides, notes };
}

function formatValue(value: HydraOverride['value']): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `[${value.map((entry) => formatValue(entry)).join(',')}]`;
  return String(value);
}

/** `key=value` / `++key=value` as Hydra's command line takes them. */
export function formatOverride(override: HydraOverride): string {
  return `${override.add ? '++' : ''}${override.key}=${formatValue(override.value)}`;
}

export type XlmCoreLaunch = 'single' | 'ddp' | 'fsdp';

/** The argument list of `xlm job_type=train …` for a launch mode; `weights` is the model.safetensors path as written. */
export function xlmCoreTrainArguments(settings: XlmCoreSettings, options: { jobName: string; weights: string; launch: XlmCoreLaunch; gpus: number }): { arguments: string[]; note: string | undefined } {
  const args = [`job_name=${options.jobName}`, 'job_type=train', `experiment=${settings.experiment}`, ...settings.overrides.map(formatOverride), `+model_only_checkpoint_path=${options.weights}`];
  let note: string | undefined;
  if (options.launch === 'single') {
    args.push('trainer_strategy=single_device', 'trainer.devices=1', 'trainer.num_nodes=1');
  } else {
    const gpus = options.gpus;
    const globalOverride = settings.overrides.find((entry) => entry.key === 'global_batch_size');
    const perDeviceIndex = args.findIndex((entry) => entry.startsWith('per_device_batch_size='));
    if (typeof globalOverride?.value === 'number' && perDeviceIndex >= 0) {
      const global = globalOverride.value;
      if (global % gpus === 0) {
        // Same global batch, split over the GPUs (Lightning's accumulate_grad_batches becomes 1).
        args[perDeviceIndex] = `per_device_batch_size=${global / gpus}`;
      } else {
        const perDevice = Math.ceil(global / gpus);
        args[perDeviceIndex] = `per_device_batch_size=${perDevice}`;
        args[args.findIndex((entry) => entry.startsWith('global_batch_size='))] = `global_batch_size=${perDevice * gpus}`;
        note = `the global batch ${global} does not split over ${gpus} GPUs: ${perDevice} per GPU, ${perDevice * gpus} in all`;
      }
    }
    args.push(`trainer_strategy=${options.launch}`, `trainer.devices=${gpus}`, 'trainer.num_nodes=1');
  }
  return { arguments: args, note };
}

function shellQuote(argument: string): string {
  return /^[\w@%+=:,./-]+$/.test(argument) ? argument : `'${argument.replace(/'/g, `'\\''`)}'`;
}

/** The command as one line (for printing), each argument shell-quoted. */
export function formatCommand(args: readonly string[]): string {
  return ['xlm', ...args.map(shellQuote)].join(' ');
}

/** `xlm-core/settings.yaml`: the experiment, the overrides as a mapping, the notes. */
export function settingsYaml(settings: XlmCoreSettings): string {
  const overrides: Record<string, unknown> = {};
  for (const override of settings.overrides) overrides[formatOverride(override).split('=')[0] as string] = override.value;
  return (
    '# Written by `mlm export --xlm-core`: the xlm-core (Hydra) experiment of this model\'s task and the overrides that give it\n' +
    "# this model's architecture and training settings (`++` = added when the experiment lacks the key). xlm-core/train.sh runs it.\n" +
    YAML.stringify({ experiment: settings.experiment, overrides, notes: settings.notes }, { lineWidth: 0 })
  );
}

/** `xlm-core/train.sh`: `sh xlm-core/train.sh [single|ddp|fsdp]` from anywhere; the weights path is the script's folder's parent. */
export function trainScript(settings: XlmCoreSettings, options: { jobName: string; gpus: number }): string {
  const weights = '"$MODEL_DIR/model.safetensors"';
  const command = (launch: XlmCoreLaunch) => {
    const { arguments: args, note } = xlmCoreTrainArguments(settings, { jobName: options.jobName, weights: '@WEIGHTS@', launch, gpus: options.gpus });
    const lines = args.map((argument) => (argument === '+model_only_checkpoint_path=@WEIGHTS@' ? `+model_only_checkpoint_path=${weights}` : shellQuote(argument)));
    return `${note ? `    # ${note}\n` : ''}    xlm ${lines.join(' \\\n      ')}`;
  };
  return [
    '#!/bin/sh',
    '# Continues training this model with xlm-core (PyTorch Lightning). Written by `mlm export --xlm-core`.',
    '# Run where xlm-core is installed (in its checkout: pip install -e . && pip install -e xlm-models/):',
    `#   sh train.sh single    one GPU`,
    `#   sh train.sh ddp       ${options.gpus} GPUs, DDP (same global batch)`,
    `#   sh train.sh fsdp      ${options.gpus} GPUs, FSDP (same global batch)`,
    ...settings.notes.map((note) => `# note: ${note}`),
    'set -e',
    'MODEL_DIR="$(cd "$(dirname "$0")/.." && pwd)"',
    'case "${1:-single}" in',
    '  single)',
    command('single'),
    '    ;;',
    '  ddp)',
    command('ddp'),
    '    ;;',
    '  fsdp)',
    command('fsdp'),
    '    ;;',
    '  *)',
    '    echo "usage: sh train.sh [single|ddp|fsdp]" >&2; exit 2',
    '    ;;',
    'esac',
    '',
  ].join('\n');
}
