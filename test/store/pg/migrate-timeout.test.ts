import { describe, expect, it } from 'vitest';
import { openPostgresDb, type PostgresDb } from '../../../src/store/drivers/postgres.js';
import { PG_LATEST_VERSION, PG_MIGRATIONS, migratePostgres, postgresSchemaVersion } from '../../../src/store/pg/migrations/index.js';
import type { Migration } from '../../../src/store/migrations/types.js';
import { pgDatabases } from '../../support/pg-databases.js';

/**
 * A schema migration is not a request-path statement: the pool's statement timeout (30 s
 * by default, meant for reads and writes of serve) must bound neither a migration that
 * rewrites a large table (v5 builds UNIQUE (ts, call_uid) over every call) nor a replica
 * that waits, under the advisory lock, for another replica's migration. Here the timeout is
 * scaled down (300 ms) and the migration's work scaled to match (1 s).
 */

const pg = pgDatabases();
const TIMEOUT_MS = 300;

function shortTimeoutPool(url: string): PostgresDb {
  const db = openPostgresDb(url, { statementTimeoutMs: TIMEOUT_MS });
  return db;
}

/** The released migrations plus one whose work takes longer than the statement timeout (a large table's rewrite). */
const slow: Migration[] = [...PG_MIGRATIONS, { version: PG_LATEST_VERSION + 1, name: 'large-rewrite', up: 'SELECT pg_sleep(1)' }];

describe('PostgreSQL migrations and the statement timeout', () => {
  it('a migration longer than the statement timeout completes', async () => {
    const url = await pg.url('mig_timeout');
    await migratePostgres(pg.pool(url), PG_MIGRATIONS);
    const db = shortTimeoutPool(url);
    try {
      await expect(migratePostgres(db, slow)).resolves.toBe(PG_LATEST_VERSION + 1);
    } finally {
      await db.close();
    }
  });

  it('a replica starting while another migrates for longer than the statement timeout waits for it, and does not fail', async () => {
    const url = await pg.url('mig_wait');
    await migratePostgres(pg.pool(url), PG_MIGRATIONS);
    const first = pg.pool(url);
    const second = shortTimeoutPool(url);
    try {
      const migrating = migratePostgres(first, slow);
      await new Promise((r) => setTimeout(r, 150));
      const [a, b] = await Promise.allSettled([migrating, migratePostgres(second, slow)]);
      expect(a).toEqual({ status: 'fulfilled', value: PG_LATEST_VERSION + 1 });
      expect(b).toEqual({ status: 'fulfilled', value: PG_LATEST_VERSION + 1 });
      expect(await postgresSchemaVersion(first)).toBe(PG_LATEST_VERSION + 1);
    } finally {
      await second.close();
    }
  });
});
