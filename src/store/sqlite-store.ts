import { budgetRecords } from './budgets.js';
import { sqliteDb, type Db } from './db.js';
import { keyHistory } from './history.js';
import { keyStore } from './keys.js';
import { storeMeta } from './meta.js';
import { MIGRATIONS, migrate } from './migrations/index.js';
import { pruneRawCalls } from './prune.js';
import { budgetSpend } from './read/budgets.js';
import { callReads } from './read/calls.js';
import { createPriceStore } from './price-store.js';
import { createFeedReads } from './read/feed.js';
import { createReportReads } from './read/report/index.js';
import { reconcileStore } from './reconcile-store.js';
import type { BudgetStore, SqlDriver, UnitOfWork } from './types.js';
import type { Store } from './facade.js';

export { KeyExistsError } from './keys.js';

/** The writing modules of a store, bound to `db` (the store's connection, or its open transaction). */
function writers(db: Db): UnitOfWork {
  const records = budgetRecords(db);
  const budgets: BudgetStore = { ...records, ...budgetSpend(db, records.resets) };
  return { keys: keyStore(db), history: keyHistory(db), budgets };
}

/**
 * The Store on a SQLite driver: migrates the schema (or, with `readonly`, only checks
 * that it is current), then answers through the asynchronous SQL seam (db.ts). Pass
 * `readonly: true` when the driver was opened read-only. The store owns the driver.
 */
export function createStore(driver: SqlDriver, options: { readonly?: boolean } = {}): Store {
  migrate(driver, MIGRATIONS, options);
  const db = sqliteDb(driver);
  return {
    ...writers(db),
    calls: callReads(db),
    meta: storeMeta(db),
    reconcile: reconcileStore(db),
    prices: createPriceStore(db),
    reports: createReportReads(db),
    feed: createFeedReads(db),
    unitOfWork: (fn) => db.transaction((tx) => fn(writers(tx))),
    prune: (retentionDays, now, o = {}) => pruneRawCalls(db, retentionDays, now, o.maxCalls),
    close: () => db.close(),
  };
}
