import { randomBytes } from 'node:crypto';
import postgres from 'postgres';

/**
 * Fresh PostgreSQL databases for tests, on the server of this test run (`inject('pgUrl')`
 * under vitest, see pg-global-setup.ts). Each test file (or case) gets its own database,
 * so files run in parallel without seeing each other's rows.
 */

/** `url` with its database replaced by `database`. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** Creates an empty database named after `label` (plus a random suffix); returns its URL. */
export async function createTestDatabase(adminUrl: string, label = 'test'): Promise<string> {
  const name = `tk_${label.toLowerCase().replace(/[^a-z0-9_]+/g, '_').slice(0, 40)}_${randomBytes(4).toString('hex')}`;
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe(`CREATE DATABASE "${name}"`);
  } finally {
    await sql.end({ timeout: 5 });
  }
  return withDatabase(adminUrl, name);
}

/** Drops a database made by createTestDatabase, ending any connection still on it. */
export async function dropTestDatabase(adminUrl: string, url: string): Promise<void> {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await sql.end({ timeout: 5 });
  }
}
