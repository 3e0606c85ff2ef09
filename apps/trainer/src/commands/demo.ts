import path from 'node:path';
import type { CommandIO } from './command-io.js';
import { evaluateCommand } from './evaluate.js';
import { trainCommand } from './train.js';

export interface DemoCommandOptions {
  /** Default runs/demo (replaced on every demo run). */
  runDir?: string | undefined;
  backend?: string | undefined;
  /** `key.path=value` overrides of the demo preset. */
  overrides?: string[];
  /** Test examples to evaluate (default: all of the preset's test split). */
  maxExamples?: number | undefined;
  io: CommandIO;
  handleSignals?: boolean;
}

export interface DemoResult {
  status: 'completed' | 'interrupted';
  /** The signal that stopped the training, when interrupted. */
  signal?: 'SIGINT' | 'SIGTERM' | undefined;
  exactMatch: number | undefined;
  tokenAccuracy: number | undefined;
  trainSeconds: number;
  totalSeconds: number;
  runDir: string;
}

function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  return s >= 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s} s`;
}

/**
 * `mlm demo`: generates the star-easy task, trains a small model (preset `demo`), evaluates it on the
 * test split and prints exact match and a few generated paths. Nothing is downloaded.
 */
export async function demoCommand(options: DemoCommandOptions): Promise<DemoResult> {
  const { io } = options;
  const started = performance.now();
  const runDir = path.resolve(options.runDir ?? path.join('runs', 'demo'));
  io.out('mlm demo: star-graph path finding (star-easy). Each prompt lists the edges of a star graph,');
  io.out('then the start and goal nodes; the model must output the path from start to goal, generating');
  io.out('it by iterative unmasking. The task is generated locally; the model trains from scratch.\n');
  const trained = await trainCommand({
    preset: 'demo',
    overrides: options.overrides,
    runDir,
    overwrite: true,
    backend: options.backend,
    io,
    handleSignals: options.handleSignals,
  });
  const trainSeconds = trained.elapsedSeconds;
  if (trained.status === 'interrupted') {
    return { status: 'interrupted', signal: trained.signal, exactMatch: undefined, tokenAccuracy: undefined, trainSeconds, totalSeconds: (performance.now() - started) / 1000, runDir };
  }
  io.out('');
  const evaluation = await evaluateCommand({
    modelPath: trained.runFolder.finalModel,
    split: 'test',
    maxExamples: options.maxExamples,
    io,
  });
  const exactMatch = evaluation.values['test/prediction/exact_match'];
  const tokenAccuracy = evaluation.values['test/prediction/token_accuracy'];
  io.out('\na few test graphs (prompt: edges, then start and goal → generated path | expected):');
  for (const sample of evaluation.samples.slice(0, 5)) {
    const mark = sample.output === sample.truth ? '✓' : '✗';
    io.out(`  ${mark} ${sample.prompt ?? ''}\n      → ${sample.output}   | ${sample.truth ?? ''}`);
  }
  const totalSeconds = (performance.now() - started) / 1000;
  io.out(
    `\nexact match on ${evaluation.numExamples} test graphs: ${((exactMatch ?? 0) * 100).toFixed(1)}% ` +
      `(token accuracy ${((tokenAccuracy ?? 0) * 100).toFixed(1)}%); trained ${trained.step} steps in ${formatDuration(trainSeconds)}, ` +
      `${formatDuration(totalSeconds)} in all. Run folder: ${runDir}`,
  );
  if ((exactMatch ?? 0) < 0.05) {
    io.out(
      'Exact paths need an edge-lookup circuit that forms only after ~300k training examples (hours on 2 CPU cores);\n' +
        'a few minutes teach the layout of the answer (source, goal, pair structure, EOS). See apps/trainer/README.md,\n' +
        '"The demo", and `pnpm mlm train --preset star-easy` for the long schedule.',
    );
  }
  return { status: 'completed', exactMatch, tokenAccuracy, trainSeconds, totalSeconds, runDir };
}
