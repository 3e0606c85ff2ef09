import { execFile } from 'node:child_process';

export interface CommandResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface RunOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /** Resolve with the exit code instead of throwing when the command fails. */
  allowFailure?: boolean;
}

/** The last `count` characters of a command's output, for error messages. */
function tail(text: string, count = 4000): string {
  return text.length <= count ? text : `…${text.slice(-count)}`;
}

/**
 * Runs a program (no shell) and collects its output. A non-zero exit, a timeout or a missing program
 * throws an error naming the command, the folder and the output's tail, unless `allowFailure`.
 */
export function runCommand(command: string, args: string[], options: RunOptions): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      {
        cwd: options.cwd,
        env: options.env ?? process.env,
        timeout: options.timeoutMs ?? 300_000,
        maxBuffer: 64 * 1024 * 1024,
        encoding: 'utf8',
        // npm and pnpm are .cmd files on Windows.
        shell: process.platform === 'win32',
      },
      (error, stdout, stderr) => {
        if (!error) {
          resolve({ stdout, stderr, exitCode: 0 });
          return;
        }
        const exitCode = typeof error.code === 'number' ? error.code : -1;
        if (options.allowFailure && exitCode !== -1 && !error.killed) {
          resolve({ stdout, stderr, exitCode });
          return;
        }
        const reason = error.killed ? `was stopped after ${options.timeoutMs ?? 300_000} ms` : `failed (${String(error.code)})`;
        reject(
          new Error(
            `\`${command} ${args.join(' ')}\` in ${options.cwd} ${reason}\n--- stdout ---\n${tail(stdout)}\n--- stderr ---\n${tail(stderr)}`,
          ),
        );
      },
    );
  });
}

/**
 * The environment for npm and for the consumer's node: the caller's, less what `pnpm test` and
 * vitest add (pnpm's script variables, including `npm_config_user_agent`, which npm would take as
 * its own setting; VITEST changes library defaults), so the consumer runs as a user's shell would.
 * A user's own npm settings (`npm_config_registry`, a proxy, the cache) are kept.
 */
export function userEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const added = [/^npm_config_user_agent$/i, /^npm_(package|lifecycle)_/i, /^npm_(node_)?execpath$/i, /^pnpm_/i, /^VITEST/, /^NODE_OPTIONS$/, /^TEST$/, /^NODE_ENV$/];
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!added.some((pattern) => pattern.test(key))) env[key] = value;
  }
  return { ...env, ...extra };
}
