import type { Db } from './db.js';
import { meteredUsage, rawCallsSince, type MeteredUsageQuery, type MeteredUsageRow } from './read/metered-usage.js';
import { insertReconcileRun, latestReconcileRuns, type ReconcileRunRecord } from './reconcile-runs.js';

/**
 * What `reconcile` reads and writes, and what `audit` reads of it, as part of the Store (`store.reconcile`). The queries live in
 * `read/metered-usage.ts` and `reconcile-runs.ts`, written against the async Db seam.
 */
export interface ReconcileStore {
  /** Metered usage of one provider per UTC day × model (see MeteredUsageRow). */
  meteredUsage(q: MeteredUsageQuery): Promise<MeteredUsageRow[]>;
  /** From when raw calls are complete, ms (0 when nothing was pruned). */
  rawCallsSince(): Promise<number>;
  /** Stores one run's outcome. */
  insertRun(run: ReconcileRunRecord): Promise<void>;
  /** The newest run of each provider. */
  latestRuns(): Promise<ReconcileRunRecord[]>;
}

/** The reconcile reads and writes over `db`. */
export function reconcileStore(db: Db): ReconcileStore {
  return {
    meteredUsage: (q) => meteredUsage(db, q),
    rawCallsSince: () => rawCallsSince(db),
    insertRun: (run) => insertReconcileRun(db, run),
    latestRuns: () => latestReconcileRuns(db),
  };
}
