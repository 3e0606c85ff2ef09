import { defineConfig } from 'vitest/config';

// One vitest run covers every package. Sibling @mlm/* packages resolve to their TypeScript sources
// through the "@mlm/source" export condition, so tests need no build.
export default defineConfig({
  resolve: { conditions: ['@mlm/source', 'import', 'module', 'node', 'default'] },
  ssr: { resolve: { conditions: ['@mlm/source', 'import', 'node', 'default'], externalConditions: ['@mlm/source'] } },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'apps/*/test/**/*.test.ts', 'examples/*/src/**/*.test.ts', 'tooling/*/src/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    server: { deps: { inline: [/@mlm\//] } },
  },
});
