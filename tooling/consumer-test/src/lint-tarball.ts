import { readFileSync } from 'node:fs';
import path from 'node:path';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { checkPackage, createPackageFromTarballData, type Problem } from '@arethetypeswrong/core';
import { problemKindInfo } from '@arethetypeswrong/core/problems';

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

export interface AttwResult {
  /** Problems left after the profile, one line each (empty: clean). */
  problems: string[];
  /** Problems the profile leaves out (CommonJS resolutions), for the record. */
  ignored: string[];
}

/** The resolutions that `attw --profile esm-only` leaves out (its profiles.js): CommonJS `require`. */
export const ESM_ONLY_IGNORED_RESOLUTIONS: readonly string[] = ['node10', 'node16-cjs'];

function describeProblem(problem: Problem): string {
  const info = problemKindInfo[problem.kind];
  const where = [
    'entrypoint' in problem ? `entrypoint ${JSON.stringify(problem.entrypoint)}` : '',
    'resolutionKind' in problem ? `resolution ${problem.resolutionKind}` : '',
  ]
    .filter(Boolean)
    .join(', ');
  return `${problem.kind}${where ? ` (${where})` : ''}: ${info.shortDescription} ${info.docsUrl}`;
}

/**
 * @arethetypeswrong/core on the tarball, judged as `attw --profile esm-only --no-definitely-typed`
 * judges it (the same rule as the CLI's exit code), in this process (10x faster than the CLI per
 * package). The packages are ESM-only (`"type": "module"`, `import` conditions only), so CommonJS
 * `require()` of them (the node10 and node16-from-CJS resolutions) is expected not to work; every
 * ESM resolution (node16 from ESM, bundler) must find the declarations and agree with the JavaScript.
 * No DefinitelyTyped lookup: the packages ship their own declarations (and it stays offline).
 */
export async function attwTarball(tarball: string): Promise<AttwResult> {
  const analysis = await checkPackage(createPackageFromTarballData(new Uint8Array(readFileSync(tarball))));
  if (!analysis.types) return { problems: [`${path.basename(tarball)}: attw found no type declarations`], ignored: [] };
  const isIgnored = (problem: Problem) =>
    'resolutionKind' in problem && ESM_ONLY_IGNORED_RESOLUTIONS.includes(problem.resolutionKind as string);
  return {
    problems: analysis.problems.filter((problem) => !isIgnored(problem)).map(describeProblem),
    ignored: analysis.problems.filter(isIgnored).map(describeProblem),
  };
}
