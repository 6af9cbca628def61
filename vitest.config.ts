import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.{ts,tsx}'],
    globalSetup: ['test/support/global-setup.ts', 'test/support/pg-global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Most of the slowest files wait on real clocks (client timeouts, grace periods, a
    // provider that thinks), not on a core: at least two files at a time, so the default of
    // one worker per core minus one does not leave one of two cores idle while they wait.
    maxWorkers: Math.max(2, availableParallelism()),
    // The JSON report lets .ci/run print a plain "N passed, N failed" line.
    reporters: ['default', ['json', { outputFile: '.vitest-results.json' }]],
  },
});
