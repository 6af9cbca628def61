import { sqliteDb, type Db } from './db.js';
import { insertPriceSnapshot, latestPriceSnapshot, latestPriceSnapshotId, listPriceSnapshots, type NewPriceSnapshot, type PriceSnapshotInfo, type PriceSnapshotRecord } from './price-snapshots.js';
import { repriceCalls, type RepriceOptions, type RepriceResult } from './reprice.js';
import { latestSpendChangeId, listRepriceRuns, spendChangesAfter, type RepriceRun, type SpendChange } from './reprice-history.js';
import type { SqlDriver } from './types.js';

export type { NewPriceSnapshot, PriceSnapshotInfo, PriceSnapshotRecord } from './price-snapshots.js';
export type { RepriceCall, RepriceModelTotals, RepriceOptions, RepricePrice, RepriceResult, RepriceTotals } from './reprice.js';
export type { RepriceRun, SpendChange } from './reprice-history.js';

/**
 * Price snapshots and repricing in the database (schema v5), asynchronous like the rest
 * of the store's Db-based modules. Nothing outside `src/store` sees SQL: `prices update`,
 * `prices reprice`, `prices history` and serve's price watcher use this.
 */
export interface PriceStore {
  /** Stores a catalog snapshot; it is in force from now on. @returns its id. */
  insertSnapshot(s: NewPriceSnapshot): Promise<number>;
  /** Id of the snapshot in force, or null (cheap enough to poll). */
  latestSnapshotId(): Promise<number | null>;
  /** The snapshot in force, with its data. */
  latestSnapshot(): Promise<PriceSnapshotRecord | null>;
  listSnapshots(limit: number): Promise<PriceSnapshotInfo[]>;
  /** Reprices stored calls (see store/reprice.ts). */
  reprice(options: RepriceOptions): Promise<RepriceResult>;
  /** Reprice runs, newest first. */
  repriceRuns(limit: number): Promise<RepriceRun[]>;
  /** Id of the newest budget spend change from repricing (0 = none; cheap enough to poll). */
  latestSpendChangeId(): Promise<number>;
  /** Spend changes after `afterId`, oldest first. */
  spendChangesAfter(afterId: number, limit: number): Promise<SpendChange[]>;
}

/** The PriceStore over a Db. */
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

/**
 * The PriceStore on an open, migrated SQLite connection (a Store's driver). The caller
 * keeps owning the connection; do not interleave the driver's own transactions with a
 * running reprice on the same connection.
 */
export function priceStoreOn(driver: SqlDriver): PriceStore {
  return createPriceStore(sqliteDb(driver));
}
