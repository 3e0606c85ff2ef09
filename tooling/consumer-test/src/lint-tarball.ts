import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { runCommand } from './run-command.js';

/**
 * publint on the tarball itself (what the registry would get), strict: warnings count as problems.
 * Returns one formatted line per message, suggestions included.
 */
export async function publintTarball(tarball: string): Promise<string[]> {
  const bytes = readFileSync(tarball);
  const arrayBuffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const { messages, pkg } = await publint({ pack: { tarball: arrayBuffer }, level: 'suggestion', strict: true });
  return messages.map((message) => `${message.type}: ${formatMessage(message, pkg, { color: false }) ?? message.code}`);
}

const require = createRequire(import.meta.url);

function attwCli(): string {
  const manifestFile = require.resolve('@arethetypeswrong/cli/package.json');
  const { bin } = JSON.parse(readFileSync(manifestFile, 'utf8')) as { bin: { attw: string } };
  return path.resolve(path.dirname(manifestFile), bin.attw);
}

export interface AttwResult {
  passed: boolean;
  report: string;
}

/**
 * @arethetypeswrong/cli with `--profile esm-only`: the packages are ESM-only (`"type": "module"`,
 * `import` conditions only), so a CommonJS `require()` of them (the node10 and node16-from-CJS
 * resolutions) is expected not to work; every ESM resolution (node16 from ESM, bundler) must find
 * the declarations and agree with the JavaScript. `--no-definitely-typed` keeps it offline (the
 * packages ship their own declarations).
 */
export async function attwTarball(tarball: string): Promise<AttwResult> {
  const { stdout, stderr, exitCode } = await runCommand(
    process.execPath,
    [attwCli(), tarball, '--profile', 'esm-only', '--no-definitely-typed', '--format', 'ascii', '--no-color', '--no-emoji'],
    { cwd: path.dirname(tarball), timeoutMs: 120_000, allowFailure: true },
  );
  return { passed: exitCode === 0, report: `${stdout}${stderr}`.trim() };
}
