import { defineConfig } from 'vitest/config';
// Temporary: runs test/report without the e2e build step (deleted before hand-off).
export default defineConfig({ root: new URL('../..', import.meta.url).pathname, test: { include: ['test/report/**/*.test.ts'], pool: 'forks', testTimeout: 60_000 } });
