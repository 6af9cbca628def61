import type { SqlDriver } from '../types.js';
import type { Migration } from './types.js';

/** The database's schema is newer than this build, or too old to open read-only. */
export class SchemaVersionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SchemaVersionError';
  }
}

/** The schema version recorded in the database header (PRAGMA user_version); 0 for a new file. */
export function schemaVersion(driver: SqlDriver): number {
  const row = driver.prepare('PRAGMA user_version').get<{ user_version: number }>();
  return row?.user_version ?? 0;
}

function checkOrder(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration ${m.name} has version ${m.version}, expected ${i + 1}`);
  });
}

/**
 * Brings the schema up to the last migration. Each pending migration runs in its own
 * IMMEDIATE transaction with its user_version bump, so a failure leaves the database at
 * the previous version. The version is re-read inside the transaction, so two processes
 * starting at once apply each migration once. Writes nothing when already current, which
 * lets read-only connections open a current database.
 *
 * @returns the schema version after migrating.
 * @throws SchemaVersionError when the database is newer than `migrations`, or when
 *   `readonly` is set and migrations are pending.
 */
export function migrate(driver: SqlDriver, migrations: readonly Migration[], options: { readonly?: boolean } = {}): number {
  checkOrder(migrations);
  const latest = migrations.length;
  const current = schemaVersion(driver);
  if (current > latest) {
    throw new SchemaVersionError(`database schema is v${current}, newer than this tokometer (v${latest}); upgrade tokometer`);
  }
  if (current === latest) return current;
  if (options.readonly) {
    throw new SchemaVersionError(`database schema is v${current}, this tokometer needs v${latest}; open it once read-write to migrate`);
  }
  for (const m of migrations.slice(current)) {
    driver.transaction(() => {
      if (schemaVersion(driver) >= m.version) return;
      driver.exec(m.up);
      driver.exec(`PRAGMA user_version = ${m.version}`);
    });
  }
  return schemaVersion(driver);
}
