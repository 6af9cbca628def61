import { SchemaVersionError } from '../../migrations/runner.js';
import type { Migration } from '../../migrations/types.js';
import type { Db } from '../../db.js';

/**
 * Applies PostgreSQL migrations. The version lives in the table tokometer_schema (one row
 * per applied migration: version, name, applied_at in ms). Pending migrations run in one
 * transaction under a transaction-scoped advisory lock, and the version is read again
 * once the lock is held, so replicas starting together apply each migration exactly once:
 * the others wait for the lock, then find nothing left to do. A failed migration rolls
 * back entirely (PostgreSQL DDL is transactional). The pool's statement timeout (30 s by
 * default, for serve's reads and writes) is lifted for that transaction: a migration that
 * rewrites or indexes a large table, and a replica waiting for the lock meanwhile, may take
 * longer, and cancelling either would stop every start of the new version.
 */

/** Advisory lock key of schema changes (any fixed 64-bit number; the same for every replica). */
const MIGRATION_LOCK = 0x746f6b6f_6d657472n; // "tokometr"

/** The schema version of the database; 0 when tokometer has never migrated it. */
export async function postgresSchemaVersion(db: Db): Promise<number> {
  const table = await db.get<{ t: string | null }>("SELECT to_regclass('tokometer_schema')::text AS t");
  if (table?.t == null) return 0;
  const row = await db.get<{ v: number | null }>('SELECT MAX(version) AS v FROM tokometer_schema');
  return Number(row?.v ?? 0);
}

/**
 * Brings the schema up to the last migration.
 *
 * @returns the schema version after migrating.
 * @throws SchemaVersionError when the database is newer than `migrations`, or when
 *   `readonly` is set and migrations are pending.
 */
export async function migratePostgres(db: Db, migrations: readonly Migration[], options: { readonly?: boolean; now?: number } = {}): Promise<number> {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration ${m.name} has version ${m.version}, expected ${i + 1}`);
  });
  const latest = migrations.length;
  const seen = await postgresSchemaVersion(db);
  checkVersion(seen, latest);
  if (seen === latest) return seen;
  if (options.readonly) {
    throw new SchemaVersionError(`database schema is v${seen}, this tokometer needs v${latest}; run \`tokometer serve\` on it once to migrate`);
  }
  return db.transaction(async (tx) => {
    await tx.run('SET LOCAL statement_timeout = 0');
    await tx.get('SELECT pg_advisory_xact_lock(?) AS locked', [MIGRATION_LOCK.toString()]);
    await tx.run('CREATE TABLE IF NOT EXISTS tokometer_schema (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)');
    const current = await postgresSchemaVersion(tx);
    checkVersion(current, latest);
    for (const m of migrations.slice(current)) {
      await tx.run(m.up);
      await tx.run('INSERT INTO tokometer_schema (version, name, applied_at) VALUES (?, ?, ?)', [m.version, m.name, options.now ?? Date.now()]);
    }
    return latest;
  });
}

function checkVersion(current: number, latest: number): void {
  if (current > latest) {
    throw new SchemaVersionError(`database schema is v${current}, newer than this tokometer (v${latest}); upgrade tokometer`);
  }
}
