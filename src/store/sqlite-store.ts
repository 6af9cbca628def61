import { sqliteDb } from './db.js';
import type { Store } from './facade.js';
import { facadeOn } from './facade-on-db.js';
import { MIGRATIONS, migrate } from './migrations/index.js';
import { pruneRawCalls } from './prune.js';
import type { SqlDriver } from './types.js';

export { KeyExistsError } from './keys.js';

/**
 * The Store on a SQLite driver: migrates the schema (or, with `readonly`, only checks
 * that it is current), then answers through the asynchronous SQL seam (db.ts). Pass
 * `readonly: true` when the driver was opened read-only. The store owns the driver.
 */
export function createStore(driver: SqlDriver, options: { readonly?: boolean } = {}): Store {
  migrate(driver, MIGRATIONS, options);
  const db = sqliteDb(driver);
  return facadeOn(db, (retentionDays, now, o = {}) => pruneRawCalls(db, retentionDays, now, o.maxCalls));
}
