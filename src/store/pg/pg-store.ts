import { describeDbLocation, type DbNamedBy } from '../../lib/db-location.js';
import { budgetLeaseStore, type BudgetLeaseStore } from '../budget-leases.js';
import { PostgresDbError, openPostgresDb, type PostgresDb, type PostgresDbOptions } from '../drivers/postgres.js';
import type { Store } from '../facade.js';
import { facadeOn } from '../facade-on-db.js';
import { PG_MIGRATIONS, migratePostgres, postgresSchemaVersion } from './migrations/index.js';
import { ensureMonthsAhead } from './partitions.js';
import { pruneMonths } from './prune.js';

/**
 * A Store on PostgreSQL, with the pool its record writer shares (pg/call-sink.ts), the
 * budget counters replicas share (store/budget-leases.ts) and the announcements of key
 * and budget changes.
 */
export type PostgresStore = Store & {
  readonly db: PostgresDb;
  readonly leases: BudgetLeaseStore;
  /**
   * Calls `onChange` when a key, a budget reset or the key history changed (NOTIFY
   * tokometer_changes, sent by the triggers at commit), and `onReconnect` each time the
   * listening connection is back after a loss (changes may have been missed). Resolves
   * once listening; the result stops it.
   */
  listenChanges(onChange: () => void, onReconnect: () => void): Promise<() => Promise<void>>;
};

/** The channel the key and budget triggers announce changes on (pg migration 1). */
const CHANGES_CHANNEL = 'tokometer_changes';

/** A read found no tokometer schema in the database: nothing was ever stored there. Exit code 2. */
export class PostgresNotInitialisedError extends Error {
  readonly exitCode = 2;
  constructor(location: string) {
    super(`no tokometer data at ${location} (start \`tokometer serve --db URL\` or create a key there first)`);
    this.name = 'PostgresNotInitialisedError';
  }
}

/**
 * The URL names a database the server does not have (SQLSTATE 3D000): the location given is
 * wrong, as a missing SQLite file is. Exit code 2; the message never holds the password, and
 * names $TOKOMETER_DB when that variable gave the URL (`namedBy`), as the SQLite message does.
 */
export class PostgresDatabaseMissingError extends Error {
  readonly exitCode = 2;
  constructor(location: string, namedBy: DbNamedBy = null) {
    const fix =
      namedBy === '$TOKOMETER_DB'
        ? 'from $TOKOMETER_DB: create it, e.g. `createdb`, or set $TOKOMETER_DB to the URL `tokometer serve` writes to, or pass --db'
        : 'create it, e.g. `createdb`, or fix the URL';
    super(`no database at ${location}: the server has no database of that name (${fix})`);
    this.name = 'PostgresDatabaseMissingError';
  }
}

/** PostgreSQL's SQLSTATE for a connection to a database that does not exist. */
const INVALID_CATALOG_NAME = '3D000';

/**
 * The Store on PostgreSQL: the same modules as on SQLite (sqlite-store.ts) over a
 * PostgreSQL Db, with PostgreSQL's own migrations, retention (whole months) and meta.
 * `create` migrates under the advisory lock (replicas starting together are safe) and
 * makes the partitions of this month and the next ones; `read` never changes the schema:
 * an empty database is a PostgresNotInitialisedError, an older schema a
 * SchemaVersionError saying to run serve once; `write` (prices reprice) refuses an empty
 * database as `read` does, then migrates as `create` does. `namedBy`: what gave the URL, for
 * the messages of a missing database and an unreachable server. The store owns its pool.
 */
export async function openPostgresStore(
  url: string,
  access: 'read' | 'write' | 'create',
  options: PostgresDbOptions & { now?: () => number; namedBy?: DbNamedBy } = {},
): Promise<PostgresStore> {
  const { namedBy = null, ...dbOptions } = options;
  const db = openPostgresDb(url, { ...dbOptions, readOnly: access === 'read' });
  try {
    if (access !== 'create' && (await postgresSchemaVersion(db)) === 0) throw new PostgresNotInitialisedError(describeDbLocation(url));
    await migratePostgres(db, PG_MIGRATIONS, { readonly: access === 'read' });
    if (access === 'create') await ensureMonthsAhead(db, (options.now ?? Date.now)());
  } catch (error) {
    await db.close().catch(() => {});
    if ((error as { code?: unknown } | null)?.code === INVALID_CATALOG_NAME) throw new PostgresDatabaseMissingError(describeDbLocation(url), namedBy);
    // The driver's error for a server it cannot reach: say where the URL came from, as above.
    if (error instanceof PostgresDbError && namedBy === '$TOKOMETER_DB') throw new PostgresDbError(`${describeDbLocation(url)} (from $TOKOMETER_DB)`, error.cause);
    throw error;
  }
  return {
    ...facadeOn(db, (retentionDays, now) => pruneMonths(db, retentionDays, now)),
    db,
    leases: budgetLeaseStore(db),
    async listenChanges(onChange, onReconnect) {
      let first = true;
      const request = await db.sql.listen(CHANGES_CHANNEL, () => onChange(), () => {
        if (first) first = false;
        else onReconnect();
      });
      return () => request.unlisten();
    },
  };
}
