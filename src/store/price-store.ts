import type { Db } from './db.js';
import type { PriceStore } from './price-records.js';
import { insertPriceSnapshot, latestPriceSnapshot, latestPriceSnapshotId, listPriceSnapshots } from './price-snapshots.js';
import { repriceCalls } from './reprice.js';
import { latestSpendChangeId, listRepriceRuns, spendChangesAfter } from './reprice-history.js';

export type * from './price-records.js';

/** The PriceStore over `db` (`store.prices`): snapshots, repricing and its audit trail. */
export function createPriceStore(db: Db): PriceStore {
  return {
    insertSnapshot: (s) => insertPriceSnapshot(db, s),
    latestSnapshotId: () => latestPriceSnapshotId(db),
    latestSnapshot: () => latestPriceSnapshot(db),
    listSnapshots: (limit) => listPriceSnapshots(db, limit),
    reprice: (o) => repriceCalls(db, o),
    repriceRuns: (limit) => listRepriceRuns(db, limit),
    latestSpendChangeId: () => latestSpendChangeId(db),
    spendChangesAfter: (afterId, limit) => spendChangesAfter(db, afterId, limit),
  };
}
