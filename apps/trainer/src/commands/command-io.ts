/** Where commands write: results to `out`, diagnostics and progress to `err`. */
export interface CommandIO {
  out(line: string): void;
  err(line: string): void;
  /** The stream the progress bar draws on (a bar only when it is a TTY). */
  progressStream: NodeJS.WriteStream;
}

export function processIO(): CommandIO {
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    progressStream: process.stderr,
  };
}
