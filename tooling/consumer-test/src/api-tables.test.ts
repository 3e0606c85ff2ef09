import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BLOCK_PATTERN, libraryEntries, parseTable, readExports, renderTable } from '../scripts/api-tables.mjs';

// Each library README's "Exports" tables list exactly what each entry point exports (values and
// types), so the documented API and the real one cannot drift apart.
const libraries = libraryEntries();
const exportsBySpecifier = readExports(libraries.flatMap((library) => library.entries));

describe.each(libraries.map((library) => [library.name, library] as const))('%s README', (_name, library) => {
  const readme = readFileSync(library.readme, 'utf8');
  const blocks = new Map([...readme.matchAll(BLOCK_PATTERN)].map((match) => [match[1]!, parseTable(match[2]!)]));

  it('has one Exports table per entry point of its exports map, and none for entries that do not exist', () => {
    expect([...blocks.keys()].sort()).toEqual(library.entries.map((entry) => entry.specifier).sort());
  });

  it.each(library.entries.map((entry) => entry.specifier))('%s: the table lists exactly the exported names (run `pnpm --filter @mlm/consumer-test sync-api-tables` after changing the entry)', (specifier) => {
    const documented = (blocks.get(specifier) ?? []).map((row: { name: string }) => row.name).sort();
    const exported = exportsBySpecifier.get(specifier)!.map((entry: { name: string }) => entry.name).sort();
    expect(documented).toEqual(exported);
  });
});

describe('the table parser and renderer', () => {
  it('round-trips names and keeps hand-written descriptions', () => {
    const exported = [
      { name: 'alpha', kind: 'function', doc: 'Does alpha. More text.' },
      { name: 'Beta', kind: 'class', doc: '' },
    ];
    const first = renderTable('@x/y', exported);
    expect(first).toContain('| `alpha` | function | Does alpha. |');
    const edited = first.replace('| `Beta` | class |  |', '| `Beta` | class | hand-written |');
    const body = edited.replace(/^<!-- api: @x\/y -->\n/, '').replace(/<!-- \/api -->$/, '');
    expect(parseTable(body)).toEqual([
      { name: 'alpha', kind: 'function', description: 'Does alpha.' },
      { name: 'Beta', kind: 'class', description: 'hand-written' },
    ]);
    expect(renderTable('@x/y', exported, parseTable(body))).toBe(edited);
  });
});
