// The "Exports" tables of the library READMEs (packages/*/README.md), kept equal to what each entry
// point exports. Each entry point (`.`, `./node`, `./testing`, ...) of a package's `exports` map has
// one block in its README:
//
//   <!-- api: @mlm/model/node -->
//   | export | kind | what it is |
//   |---|---|---|
//   | `fromPretrained` | function | Loads `dir/config.json` ... |
//   <!-- /api -->
//
// The names are read with the TypeScript compiler from the entry's source (values and types alike).
// `node scripts/api-tables.mjs` (`pnpm --filter @mlm/consumer-test sync-api-tables`) rewrites the
// blocks: names follow the exports, a description written in the README is kept, a new name gets the
// first sentence of its doc comment. src/api-tables.test.ts fails when a table and the exports differ.
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const here = path.dirname(fileURLToPath(import.meta.url));
export const REPOSITORY_ROOT = path.resolve(here, '../../..');

export const BLOCK_PATTERN = /<!-- api: ([@\w./-]+) -->\n([\s\S]*?)<!-- \/api -->/g;

/** Every library package: its folder, name and entry points (`{ specifier, source }`). */
export function libraryEntries(root = REPOSITORY_ROOT) {
  const packagesFolder = path.join(root, 'packages');
  return readdirSync(packagesFolder)
    .filter((folder) => existsSync(path.join(packagesFolder, folder, 'package.json')))
    .map((folder) => {
      const directory = path.join(packagesFolder, folder);
      const manifest = JSON.parse(readFileSync(path.join(directory, 'package.json'), 'utf8'));
      const entries = Object.entries(manifest.exports ?? {})
        .filter(([subpath, target]) => subpath !== './package.json' && typeof target === 'object' && target['@mlm/source'])
        .map(([subpath, target]) => ({
          specifier: subpath === '.' ? manifest.name : `${manifest.name}/${subpath.slice(2)}`,
          // A source condition may itself be split by condition (`{ browser, default }`): the default one is documented.
          source: path.join(directory, typeof target['@mlm/source'] === 'string' ? target['@mlm/source'] : target['@mlm/source'].default),
        }));
      return { name: manifest.name, directory, readme: path.join(directory, 'README.md'), entries };
    })
    .filter((library) => !library.name.endsWith('/tsconfig') && library.entries.length > 0);
}

function kindOf(symbol) {
  const flags = symbol.flags;
  if (flags & ts.SymbolFlags.Class) return 'class';
  if (flags & ts.SymbolFlags.Function) return 'function';
  if (flags & ts.SymbolFlags.Enum) return 'enum';
  if (flags & ts.SymbolFlags.Variable) return 'const';
  if (flags & ts.SymbolFlags.Interface) return 'interface';
  if (flags & ts.SymbolFlags.TypeAlias) return 'type';
  return 'other';
}

/** `{ specifier → [{ name, kind, doc }] }` for the given entries, sorted by name. */
export function readExports(entries) {
  const program = ts.createProgram(
    entries.map((entry) => entry.source),
    {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      customConditions: ['@mlm/source'],
      strict: true,
      skipLibCheck: true,
      noEmit: true,
      types: ['node'],
    },
  );
  const checker = program.getTypeChecker();
  const result = new Map();
  for (const entry of entries) {
    const file = program.getSourceFile(entry.source);
    if (!file) throw new Error(`${entry.specifier}: cannot read ${entry.source}`);
    const moduleSymbol = checker.getSymbolAtLocation(file);
    const exports = moduleSymbol ? checker.getExportsOfModule(moduleSymbol) : [];
    result.set(
      entry.specifier,
      exports
        .map((symbol) => {
          const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
          const doc = ts.displayPartsToString(target.getDocumentationComment(checker)).replace(/\s+/g, ' ').trim();
          return { name: symbol.getName(), kind: kindOf(target), doc };
        })
        .sort((a, b) => a.name.localeCompare(b.name)),
    );
  }
  return result;
}

/** The rows of a block: `[{ name, kind, description }]` (the first cell's backticked name). */
export function parseTable(body) {
  return body
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) => {
      const cells = line.slice(1, -1).split(' | ').map((cell) => cell.trim());
      return { name: cells[0].replace(/^`|`$/g, ''), kind: cells[1] ?? '', description: cells.slice(2).join(' | ') };
    });
}

function firstSentence(doc) {
  if (!doc) return '';
  const cleaned = doc.replace(/\s*\((?:see )?spec §[^)]*\)/g, '').replace(/,? ?spec §[\d.]+/g, '');
  const match = /^(.*?\.)(\s|$)/.exec(cleaned);
  let sentence = (match ? match[1] : cleaned).replace(/:$/, '.').replace(/\|/g, '\\|');
  if (sentence.length > 200) sentence = `${sentence.slice(0, 197).replace(/\s+\S*$/, '')}…`;
  return sentence;
}

export function renderTable(specifier, exported, previous = []) {
  const kept = new Map(previous.map((row) => [row.name, row.description]));
  const rows = exported.map(({ name, kind, doc }) => `| \`${name}\` | ${kind} | ${kept.get(name) || firstSentence(doc)} |`);
  return `<!-- api: ${specifier} -->\n| export | kind | what it is |\n|---|---|---|\n${rows.join('\n')}\n<!-- /api -->`;
}

/** The README with every block rewritten and a block appended (under "## Exports") for each entry that has none. */
export function syncReadme(readme, library, exportsBySpecifier) {
  const seen = new Set();
  let text = readme.replace(BLOCK_PATTERN, (block, specifier, body) => {
    const exported = exportsBySpecifier.get(specifier);
    if (!exported) return block;
    seen.add(specifier);
    return renderTable(specifier, exported, parseTable(body));
  });
  const missing = library.entries.filter((entry) => !seen.has(entry.specifier));
  if (missing.length > 0) {
    const blocks = missing.map((entry) => `### \`${entry.specifier}\`\n\n${renderTable(entry.specifier, exportsBySpecifier.get(entry.specifier))}`).join('\n\n');
    text = text.includes('\n## Exports\n')
      ? text.replace('\n## Exports\n', `\n## Exports\n\n${blocks}\n`)
      : `${text.trimEnd()}\n\n## Exports\n\nEvery name each entry point exports (checked by tooling/consumer-test/src/api-tables.test.ts;\nafter changing an entry: \`pnpm --filter @mlm/consumer-test sync-api-tables\`).\n\n${blocks}\n`;
  }
  return text;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const libraries = libraryEntries();
  const exportsBySpecifier = readExports(libraries.flatMap((library) => library.entries));
  for (const library of libraries) {
    const before = readFileSync(library.readme, 'utf8');
    const after = syncReadme(before, library, exportsBySpecifier);
    if (after !== before) writeFileSync(library.readme, after);
    console.log(`${library.name}: ${after === before ? 'up to date' : 'README.md updated'}`);
  }
}
