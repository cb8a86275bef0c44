import { defineConfig } from 'vitest/config';

// Tests run in Node against real DuckDB files; the shared database built from
// ../shared/data is produced once by the global setup and opened read-only.
export default defineConfig({
  test: {
    include: ['etl/**/*.test.ts', 'server/**/*.test.ts', 'web/**/*.test.ts'],
    environment: 'node',
    globalSetup: ['./etl/testing/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: 'forks',
    maxWorkers: 2
  }
});
