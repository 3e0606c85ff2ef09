import { builtinModules } from 'node:module';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, type Plugin } from 'esbuild';

/** A Node built-in the bundle reached, and the file that imported it. */
export interface BuiltinImport {
  specifier: string;
  importer: string;
}

export interface BrowserBundle {
  /** Node built-ins anywhere in the import graph (empty for a browser-safe entry). */
  builtins: BuiltinImport[];
  /** Other errors esbuild reported (unresolvable packages, syntax). */
  errors: string[];
  /** Minified bundle size in bytes, and gzipped. */
  bytes: number;
  gzipBytes: number;
  /** Files in the bundle, relative to `root` (`node_modules/.pnpm/...` paths shortened to the package). */
  inputs: string[];
}

const BUILTINS = new Set(builtinModules);

function isBuiltin(specifier: string): boolean {
  if (specifier.startsWith('node:')) return true;
  const [first] = specifier.split('/');
  return BUILTINS.has(specifier) || (first !== undefined && BUILTINS.has(first) && !specifier.startsWith('@'));
}

/**
 * Records every import of a Node built-in that a browser bundle cannot satisfy, with its importer
 * (instead of esbuild's first "Could not resolve"). A package may map a built-in away for browsers
 * (`"browser": {"crypto": false}` in its package.json, as seedrandom does for its optional
 * `require('crypto')`): esbuild resolves that to an empty module, so it is not counted.
 */
function builtinRecorder(found: BuiltinImport[], root: string): Plugin {
  return {
    name: 'record-node-builtins',
    setup(context) {
      context.onResolve({ filter: /.*/ }, async (args) => {
        if (args.pluginData === RESOLVING || !isBuiltin(args.path)) return undefined;
        const resolved = await context.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: RESOLVING });
        if (resolved.errors.length === 0) return undefined;
        found.push({ specifier: args.path, importer: path.relative(root, args.importer) });
        return { path: args.path, external: true };
      });
    },
  };
}

const RESOLVING = Symbol('resolving without the recorder');

function shorten(file: string): string {
  const match = /node_modules\/\.pnpm\/[^/]+\/node_modules\/(.*)$/.exec(file);
  return match ? match[1]! : file;
}

/**
 * Bundles `entry` (a built `.js` file) as a web page would: esbuild with `platform: 'browser'` (the
 * `browser`, `import` and `default` export conditions, never the workspace's `@mlm/source`), every
 * dependency inlined except `external` (the peer `@tensorflow/tfjs-core`, which the page brings).
 */
export async function bundleForBrowser(entry: string, options: { root: string; external?: string[] }): Promise<BrowserBundle> {
  const builtins: BuiltinImport[] = [];
  try {
    const result = await build({
      entryPoints: [entry],
      absWorkingDir: path.dirname(entry),
      bundle: true,
      platform: 'browser',
      format: 'esm',
      target: 'es2022',
      minify: true,
      write: false,
      metafile: true,
      logLevel: 'silent',
      external: options.external ?? [],
      plugins: [builtinRecorder(builtins, options.root)],
    });
    const code = result.outputFiles[0]!.contents;
    const inputs = Object.keys(result.metafile.inputs).map((file) => shorten(path.relative(options.root, path.resolve(path.dirname(entry), file))));
    return { builtins, errors: [], bytes: code.byteLength, gzipBytes: gzipSync(code).byteLength, inputs: inputs.sort() };
  } catch (error) {
    const errors = ((error as { errors?: { text: string; location?: { file: string } | null }[] }).errors ?? [{ text: String(error) }]).map(
      (message) => `${message.text}${message.location ? ` (${message.location.file})` : ''}`,
    );
    return { builtins, errors, bytes: 0, gzipBytes: 0, inputs: [] };
  }
}
