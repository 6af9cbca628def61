import { budgetLimitRecords } from './budget-limits.js';
import { budgetRecords } from './budgets.js';
import type { Db } from './db.js';
import type { Store } from './facade.js';
import { keyHistory } from './history.js';
import { keyStore } from './keys.js';
import { storeMeta } from './meta.js';
import { createPriceStore } from './price-store.js';
import { budgetSpend } from './read/budgets.js';
import { callReads } from './read/calls.js';
import { createFeedReads } from './read/feed.js';
import { createReportReads } from './read/report/index.js';
import { reconcileStore } from './reconcile-store.js';
import type { BudgetStore, UnitOfWork } from './types.js';

/** The writing modules of a store, bound to `db` (the store's connection, or its open transaction). */
function writers(db: Db): UnitOfWork {
  const records = budgetRecords(db);
  const budgets: BudgetStore = { ...records, ...budgetLimitRecords(db), ...budgetSpend(db, records.resets) };
  return { keys: keyStore(db), history: keyHistory(db), budgets };
}

/**
 * The Store facade over a migrated database behind the Db seam, on either engine: every
 * module is the same; only retention differs (rows by the hour on SQLite, whole months on
 * PostgreSQL), so the caller gives `prune`. The store owns `db`.
 */
export function facadeOn(db: Db, prune: Store['prune']): Store {
  return {
    ...writers(db),
    calls: callReads(db),
    meta: storeMeta(db),
    reconcile: reconcileStore(db),
    prices: createPriceStore(db),
    reports: createReportReads(db),
    feed: createFeedReads(db),
    unitOfWork: (fn) => db.transaction((tx) => fn(writers(tx))),
    prune,
    close: () => db.close(),
  };
}
