import type { Db } from './db.js';
import { meteredUsage, rawCallsSince } from './read/metered-usage.js';
import type { ReconcileStore } from './reconcile-records.js';
import { insertReconcileRun, latestReconcileRuns } from './reconcile-runs.js';

export type { ReconcileStore } from './reconcile-records.js';


/** The reconcile reads and writes over `db`. */
export function reconcileStore(db: Db): ReconcileStore {
  return {
    meteredUsage: (q) => meteredUsage(db, q),
    rawCallsSince: () => rawCallsSince(db),
    insertRun: (run) => insertReconcileRun(db, run),
    latestRuns: () => latestReconcileRuns(db),
  };
}
