import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { processIO, type CommandIO } from './commands/command-io.js';
import { demoCommand } from './commands/demo.js';
import { evaluateCommand } from './commands/evaluate.js';
import { exportCommand } from './commands/export.js';
import { generateCommand } from './commands/generate.js';
import { importCommand } from './commands/import.js';
import { plotCommand } from './commands/plot.js';
import { listComponentsCommand } from './commands/list-components.js';
import { printConfigCommand } from './commands/print-config.js';
import { trainCommand } from './commands/train.js';
import { NonFiniteLossError } from './training/trainer.js';
import { ConfigError } from './util/config-error.js';

export interface MainOptions {
  io?: CommandIO;
  /** Reads prompts from stdin (generate without prompts); default: process.stdin when it is not a terminal. */
  readStdin?: () => Promise<string>;
  /** Install SIGINT/SIGTERM handlers during training (default true). */
  handleSignals?: boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];

function parseCount(name: string) {
  return (value: string) => {
    const number = Number(value);
    if (!Number.isInteger(number) || number < 1) throw new InvalidArgumentError(`expected a positive integer, got ${JSON.stringify(value)}`);
    return number;
  };
}

async function readProcessStdin(): Promise<string> {
  if (process.stdin.isTTY) return '';
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;

/** Quotes an argument for a shell command line when needed. */
function shellQuote(argument: string): string {
  return /^[\w@%+=:,./-]+$/.test(argument) ? argument : `'${argument.replaceAll("'", "'\\''")}'`;
}

/**
 * The `mlm` command line. Returns the exit code (0 ok, 1 failure, 2 bad configuration or usage,
 * 130/143 stopped by SIGINT/SIGTERM after writing a checkpoint).
 */
export async function main(argv: string[], options: MainOptions = {}): Promise<number> {
  const io = options.io ?? processIO();
  const handleSignals = options.handleSignals ?? true;
  let exitCode = 0;
  const interrupted = (signal: 'SIGINT' | 'SIGTERM' | undefined, step: number, checkpoint: string, resumeCommand: string) => {
    io.err(`\nstopped by ${signal} after step ${step}; checkpoint: ${checkpoint}`);
    io.err(`resume with: ${resumeCommand}`);
    exitCode = EXIT_CODES[signal ?? 'SIGINT'];
  };

  const program = new Command('mlm')
    .description('Train, evaluate and generate with masked language models (a TypeScript port of xlm-core MLM).')
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.out(text.trimEnd()), writeErr: (text) => io.err(text.trimEnd()) })
    .showHelpAfterError();

  const configOptions = (command: Command) =>
    command
      .option('-c, --config <file>', 'a YAML config file (repeatable; later files win)', collect, [])
      .option('-p, --preset <name>', 'a shipped preset (star-easy, star-medium, star-hard, sudoku, text-char, demo), applied first')
      .argument('[overrides...]', 'key.path=value overrides (values parsed as YAML), applied last');

  configOptions(program.command('train').description('train a model; writes the run folder (config, metrics, checkpoints, predictions, final model)'))
    .option('--run-dir <dir>', 'the run folder (default: runs/<name>)')
    .addOption(new Option('--resume [checkpoint]', '"auto" (the last complete checkpoint of the run folder) or a checkpoint folder').preset('auto'))
    .option('--overwrite', 'delete the run folder\'s checkpoints and start over')
    .option('--backend <name>', 'tensor backend: auto, node-gpu, tensorflow, wasm, cpu')
    .action(async (overrides: string[], flags: { config: string[]; preset?: string; runDir?: string; resume?: string; overwrite?: boolean; backend?: string }) => {
      const result = await trainCommand({
        preset: flags.preset,
        configFiles: flags.config,
        overrides,
        runDir: flags.runDir,
        resume: flags.resume,
        overwrite: flags.overwrite ?? false,
        backend: flags.backend,
        io,
        handleSignals,
      });
      if (result.status === 'interrupted') {
        const args = argv.filter((arg, index) => arg !== '--overwrite' && !(arg.startsWith('--resume') || argv[index - 1] === '--resume'));
        const withRunDir = flags.runDir ? args : [...args, '--run-dir', result.runFolder.root];
        interrupted(result.signal, result.step, result.checkpoint, `mlm ${[...withRunDir, '--resume', 'auto'].map(shellQuote).join(' ')}`);
        return;
      }
      io.out(`finished ${result.step} steps in ${result.elapsedSeconds.toFixed(1)} s; model: ${result.finalModel}`);
      for (const [name, value] of Object.entries(result.values)) io.out(`  ${name}: ${Number.isInteger(value) ? value : value.toFixed(4)}`);
    });

  configOptions(program.command('eval').description('evaluate a checkpoint, exported folder or run folder on a split').argument('<model>', 'checkpoint, exported folder, or run folder'))
    .addOption(new Option('--split <split>', 'split to evaluate').choices(['validation', 'test']).default('test'))
    .option('--max-examples <n>', 'evaluate at most n examples', parseCount('--max-examples'))
    .option('--batch-size <n>', 'examples per batch', parseCount('--batch-size'))
    .option('-o, --output <file>', 'predictions JSONL (default: the run folder\'s predictions/<split>/)')
    .option('--no-ema', 'use the trained weights even when the checkpoint has EMA weights')
    .option('--backend <name>', 'tensor backend')
    .option('--data <file>', "evaluate on this data file (star: JSON lines; jsonl-pairs: prompt/completion JSON lines)")
    .option('--task <name>', "the task (default: the run's, or the folder's task.json)")
    .action(async (modelPath: string, overrides: string[], flags: { config: string[]; preset?: string; split: 'validation' | 'test'; maxExamples?: number; batchSize?: number; output?: string; ema: boolean; backend?: string; data?: string; task?: string }) => {
      await evaluateCommand({
        data: flags.data,
        task: flags.task,
        modelPath,
        preset: flags.preset,
        configFiles: flags.config,
        overrides,
        split: flags.split,
        maxExamples: flags.maxExamples,
        batchSize: flags.batchSize,
        output: flags.output,
        useEma: flags.ema,
        backend: flags.backend,
        io,
      });
    });

  configOptions(program.command('generate').description('generate from prompts (--prompt, --prompts-file, or stdin), or unconditional samples').argument('<model>', 'checkpoint, exported folder, or run folder'))
    .option('--prompt <text>', 'a prompt (repeatable)', collect, [])
    .option('--prompts-file <file>', 'a file with one prompt per line')
    .option('-n, --num-samples <n>', 'unconditional samples when there are no prompts (default 4; with the run\'s validation.predictionSource: the first n of its rows, default all)', parseCount('--num-samples'))
    .option('-o, --output <file>', 'write JSON lines {prompt, output} instead of printing')
    .option('--stream', 'render the unmasking step by step')
    .option('--no-ema', 'use the trained weights even when the checkpoint has EMA weights')
    .option('--backend <name>', 'tensor backend')
    .option('--task <name>', "a built-in task whose tokenizer and shape to use (folders without tokenizer.json / task.json)")
    .option('--tokenizer <file>', "a tokenizer.json to use instead of the folder's")
    .action(async (modelPath: string, overrides: string[], flags: { config: string[]; preset?: string; prompt: string[]; promptsFile?: string; numSamples?: number; output?: string; stream?: boolean; ema: boolean; backend?: string; task?: string; tokenizer?: string }) => {
      const needStdin = flags.prompt.length === 0 && !flags.promptsFile;
      await generateCommand({
        modelPath,
        preset: flags.preset,
        configFiles: flags.config,
        overrides,
        prompts: flags.prompt,
        promptsFile: flags.promptsFile,
        stdinText: needStdin ? await (options.readStdin ?? readProcessStdin)() : undefined,
        numSamples: flags.numSamples,
        output: flags.output,
        stream: flags.stream ?? false,
        useEma: flags.ema,
        backend: flags.backend,
        task: flags.task,
        tokenizerFile: flags.tokenizer,
        io,
        interactive: !options.io && Boolean(process.stdout.isTTY),
      });
    });

  program
    .command('export')
    .description('write the folder xlm-core loads (config.json, model.safetensors, tokenizer.json), EMA weights if present')
    .argument('<checkpoint>', 'checkpoint, exported folder, or run folder')
    .argument('<outDir>', 'output folder')
    .option('--no-ema', 'export the trained weights instead of the EMA weights')
    .option('--backend <name>', 'tensor backend')
    .option('--task <name>', "a built-in task whose tokenizer and task.json to write (folders without tokenizer.json / task.json)")
    .option('--tokenizer <file>', "a tokenizer.json to write instead of the folder's")
    .option('--xlm-core', 'also write xlm-core/settings.yaml (experiment + Hydra overrides) and xlm-core/train.sh (`xlm job_type=train …` on one GPU, DDP, FSDP)')
    .option('--gpus <n>', 'GPUs of the multi-GPU commands (with --xlm-core)', '8')
    .action(async (modelPath: string, outDir: string, flags: { ema: boolean; backend?: string; task?: string; tokenizer?: string; xlmCore?: boolean; gpus: string }) => {
      await exportCommand({ modelPath, outDir, useEma: flags.ema, backend: flags.backend, task: flags.task, tokenizerFile: flags.tokenizer, xlmCore: flags.xlmCore ?? false, gpus: flags.gpus, io });
    });

  program
    .command('import')
    .description('read an xlm-core checkpoint (Lightning .ckpt, .pth, pytorch_model.bin, or a folder with one) into a model folder, without running its pickle')
    .argument('<checkpoint>', 'checkpoint file or folder')
    .argument('<outDir>', 'output folder (config.json, model.safetensors, tokenizer.json, task.json)')
    .option('--config <file>', "a config.json with the model's arguments (default: the checkpoint's hyper-parameters, or config.json beside it)")
    .option('--tokenizer <file>', 'a tokenizer.json to write with the model')
    .option('--task <name>', "a built-in task whose tokenizer and task.json go with the model (default: the checkpoint's recorded dataset)")
    .option('--no-ema', 'import the trained weights instead of the EMA weights')
    .action(async (input: string, outDir: string, flags: { config?: string; tokenizer?: string; task?: string; ema: boolean }) => {
      await importCommand({ input, outDir, configFile: flags.config, tokenizerFile: flags.tokenizer, task: flags.task, useEma: flags.ema, io });
    });

  program
    .command('plot')
    .description('SVG curves (train loss, lr, validation metrics) of runs and one HTML page comparing them; prints the paths')
    .argument('<runs...>', 'run folders')
    .option('-o, --output <dir>', 'output folder (default: <run>/plots for one run, ./plots for several)')
    .action(async (runs: string[], flags: { output?: string }) => {
      await plotCommand({ runs, outDir: flags.output, io });
    });

  configOptions(program.command('print-config').description('print the merged configuration with every default')).action(
    async (overrides: string[], flags: { config: string[]; preset?: string }) => {
      await printConfigCommand({ preset: flags.preset, configFiles: flags.config, overrides, io });
    },
  );

  program
    .command('list-components')
    .description('list registered components (built-in and from plugins) and presets')
    .option('--kind <kind>', 'only this kind (task, model, loss, collator, predictor, position-strategy, sampler, metric, logger)')
    .option('--plugin <package>', 'also load a plugin package (repeatable)', collect, [])
    .action(async (flags: { kind?: string; plugin: string[] }) => {
      await listComponentsCommand({ plugins: flags.plugin, kind: flags.kind, io });
    });

  program
    .command('demo')
    .description('sudoku (4×4): generate puzzles, train a model from scratch on CPU, evaluate on held-out puzzles, show a few solved step by step')
    .option('--run-dir <dir>', 'the run folder (default runs/demo; replaced)')
    .option('--backend <name>', 'tensor backend (default: the preset\'s)')
    .option('--max-examples <n>', 'test puzzles to evaluate', parseCount('--max-examples'))
    .option('--show <n>', 'held-out puzzles shown being solved step by step (default 3)', parseCount('--show'))
    .argument('[overrides...]', 'key.path=value overrides of the demo preset')
    .action(async (overrides: string[], flags: { runDir?: string; backend?: string; maxExamples?: number; show?: number }) => {
      const result = await demoCommand({
        overrides,
        runDir: flags.runDir,
        backend: flags.backend,
        maxExamples: flags.maxExamples,
        showPuzzles: flags.show,
        io,
        handleSignals,
        interactive: !options.io && Boolean(process.stdout.isTTY),
      });
      if (result.status === 'interrupted') {
        io.err(`\ndemo stopped; resume the training with: mlm train --run-dir ${shellQuote(result.runDir)} --resume auto`);
        exitCode = EXIT_CODES[result.signal ?? 'SIGINT'];
      }
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof ConfigError) {
      io.err(error.message);
      return 2;
    }
    if (error instanceof NonFiniteLossError) {
      io.err(`error: ${error.message}`);
      return 1;
    }
    io.err(`error: ${error instanceof Error ? error.message : String(error)}`);
    if (process.env.MLM_DEBUG && error instanceof Error && error.stack) io.err(error.stack);
    return 1;
  }
}
