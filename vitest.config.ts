import { defineConfig } from 'vitest/config';

const integration = (name: string, database: 'pglite' | 'postgres') => ({
  extends: true as const,
  test: {
    name,
    include: ['test/integration/**/*.test.ts'],
    env: { GATEHOUSE_TEST_DB: database },
  },
});

/**
 * One suite, several projects: unit tests beside the code; the integration suite on PGlite always and
 * on PostgreSQL when GATEHOUSE_TEST_DATABASE_URL is set; browser tests in Debian's Chromium.
 */
export default defineConfig({
  test: {
    // build-server.ts compiles src/ to dist/: tests that run the `gatehouse` command run the compiled one.
    // build-extension.ts builds the browser extension's zip the server serves, when it is out of date.
    globalSetup: ['test/helpers/global-setup.ts', 'test/helpers/build-server.ts', 'test/helpers/build-extension.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // One process runs many files: a file's start (imports, the first PGlite load) is paid once per worker
    // instead of once per file. Tests keep no module state between files (each builds its own app).
    isolate: false,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['src/**/*.test.ts', 'extension/src/**/*.test.ts', 'web/src/**/*.test.ts'] },
      },
      { extends: true, test: { name: 'cli', include: ['test/cli/**/*.test.ts'], testTimeout: 120_000 } },
      integration('pglite', 'pglite'),
      ...(process.env.GATEHOUSE_TEST_DATABASE_URL ? [integration('postgres', 'postgres')] : []),
      {
        extends: true,
        test: { name: 'browser', include: ['test/browser/**/*.test.ts'], env: { GATEHOUSE_TEST_DB: 'pglite' } },
      },
    ],
  },
});
