// Module hooks that let a plain `node` child process run the workspace's TypeScript sources (the
// reliability tests spawn the real CLI, `apps/trainer/src/cli.ts`, without a build). Node 20 cannot
// strip types itself. Resolution: `@mlm/*` packages resolve to their sources through the
// `@mlm/source` export condition (the child runs with `--conditions=@mlm/source`); a relative
// `./x.js` import inside a .ts file resolves to `./x.ts`. Loading: .ts files are transpiled with
// TypeScript's `transpileModule` (types erased, ESM kept), cached on disk by content hash.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
let typescript;
const cacheDirectory = path.join(os.tmpdir(), 'mlm-reliability-ts-cache');
mkdirSync(cacheDirectory, { recursive: true });

export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    const fromTypeScript = context.parentURL?.endsWith('.ts');
    if (fromTypeScript && (specifier.startsWith('.') || specifier.startsWith('/')) && specifier.endsWith('.js')) {
      return nextResolve(`${specifier.slice(0, -3)}.ts`, context);
    }
    throw error;
  }
}

export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return nextLoad(url, context);
  const file = fileURLToPath(url);
  const source = readFileSync(file, 'utf8');
  const key = createHash('sha256').update(file).update('\0').update(source).digest('hex');
  const cached = path.join(cacheDirectory, `${key}.mjs`);
  let output;
  try {
    output = readFileSync(cached, 'utf8');
  } catch {
    typescript ??= require('typescript');
    output = typescript.transpileModule(source, {
      fileName: file,
      compilerOptions: {
        module: typescript.ModuleKind.ESNext,
        target: typescript.ScriptTarget.ES2022,
        verbatimModuleSyntax: true,
        sourceMap: false,
        inlineSourceMap: true,
      },
    }).outputText;
    const temporary = `${cached}.${process.pid}.tmp`;
    writeFileSync(temporary, output);
    try {
      (await import('node:fs')).renameSync(temporary, cached);
    } catch {
      // Another process cached it first.
    }
  }
  return { format: 'module', source: output, shortCircuit: true };
}
