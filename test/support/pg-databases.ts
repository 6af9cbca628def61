import { afterAll, inject } from 'vitest';
import { openPostgresDb, type PostgresDb } from '../../src/store/drivers/postgres.js';
import { PG_MIGRATIONS, migratePostgres } from '../../src/store/pg/migrations/index.js';
import { createTestDatabase, dropTestDatabase } from './pg.js';

/**
 * Fresh databases on this test run's PostgreSQL server for one test file: call at the
 * file's top level; every pool opened through it is closed and every database dropped
 * after the file's tests.
 */
export function pgDatabases() {
  const adminUrl = inject('pgUrl');
  const made: string[] = [];
  const pools: PostgresDb[] = [];
  afterAll(async () => {
    await Promise.allSettled(pools.map((db) => db.close()));
    for (const url of made) await dropTestDatabase(adminUrl, url);
  });
  return {
    adminUrl,
    /** The URL of a new empty database. */
    async url(label: string): Promise<string> {
      const url = await createTestDatabase(adminUrl, label);
      made.push(url);
      return url;
    },
    /** A pool on `url`, closed after the file. */
    pool(url: string): PostgresDb {
      const db = openPostgresDb(url);
      pools.push(db);
      return db;
    },
    /** A pool on a new database, migrated to the latest schema unless `migrate` is false. */
    async db(label: string, options: { migrate?: boolean } = {}): Promise<PostgresDb> {
      const db = this.pool(await this.url(label));
      if (options.migrate !== false) await migratePostgres(db, PG_MIGRATIONS);
      return db;
    },
  };
}
