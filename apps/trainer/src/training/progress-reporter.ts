import cliProgress from 'cli-progress';

export interface ProgressUpdate {
  step: number;
  loss: number;
  tokensPerSecond: number;
  lr: number;
}

/** Shows training progress: a cli-progress bar on a terminal, plain periodic lines otherwise. */
export interface ProgressReporter {
  start(totalSteps: number, startStep: number): void;
  update(update: ProgressUpdate): void;
  /** A message that must not be garbled by the bar (validation results, warnings); printed in every mode. */
  message(line: string): void;
  stop(): void;
}

function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  return s >= 3600 ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m` : s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/**
 * `mode`: 'bar' (cli-progress), 'lines' (one line every `every` steps), 'none', or 'auto' (a bar
 * when `stream` is a terminal, lines otherwise).
 */
export function createProgressReporter(options: {
  mode: 'auto' | 'bar' | 'lines' | 'none';
  every: number;
  /** Where the bar goes (the command passes the process's stderr). */
  stream: NodeJS.WriteStream;
  write?: (line: string) => void;
}): ProgressReporter {
  const stream = options.stream;
  const write = options.write ?? ((line: string) => stream.write(`${line}\n`));
  const mode = options.mode === 'auto' ? (stream.isTTY ? 'bar' : 'lines') : options.mode;
  let total = 0;
  let startStep = 0;
  let startTime = 0;

  if (mode === 'bar') {
    const bar = new cliProgress.SingleBar(
      {
        stream,
        format: 'train |{bar}| step {value}/{total} | loss {loss} | {tokensPerSecond} tok/s | lr {lr} | ETA {eta_formatted}',
        hideCursor: true,
        etaBuffer: 50,
        fps: 5,
      },
      cliProgress.Presets.shades_classic,
    );
    return {
      start(totalSteps, fromStep) {
        total = totalSteps;
        bar.start(totalSteps, fromStep, { loss: '-', tokensPerSecond: '-', lr: '-' });
      },
      update({ step, loss, tokensPerSecond, lr }) {
        bar.update(step, { loss: loss.toFixed(4), tokensPerSecond: Math.round(tokensPerSecond), lr: lr.toExponential(2) });
      },
      message(line) {
        // Clear the bar's line, print, and let the bar redraw below.
        stream.write(`\r\x1b[K${line}\n`);
        bar.render?.();
      },
      stop() {
        bar.stop();
      },
    };
  }

  return {
    start(totalSteps, fromStep) {
      total = totalSteps;
      startStep = fromStep;
      startTime = performance.now();
    },
    update({ step, loss, tokensPerSecond, lr }) {
      if (mode === 'none' || (step % options.every !== 0 && step !== total)) return;
      const elapsed = (performance.now() - startTime) / 1000;
      const rate = (step - startStep) / Math.max(elapsed, 1e-9);
      const eta = rate > 0 ? (total - step) / rate : Infinity;
      write(
        `step ${step}/${total} | loss ${loss.toFixed(4)} | ${Math.round(tokensPerSecond)} tok/s | lr ${lr.toExponential(2)} | elapsed ${formatSeconds(elapsed)} | ETA ${formatSeconds(eta)}`,
      );
    },
    message(line) {
      write(line);
    },
    stop() {},
  };
}
