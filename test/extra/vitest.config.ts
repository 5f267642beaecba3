import { defineConfig } from 'vitest/config';

/**
 * `npm run test:extra`: tests on data the project may not ship (see data/SOURCES.md), read from
 * ../shared/data beside the clone or from BREADCAST_EXTRA_DATA. Without that data they fail
 * with a message saying where they looked; `npm test` never includes them.
 */
export default defineConfig({
  test: {
    root: new URL('../..', import.meta.url).pathname,
    include: ['test/extra/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default', './test/summary-reporter.ts'],
  },
});
