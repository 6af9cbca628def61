import type { Db } from './db.js';
import type { ReconcileRunRecord } from './reconcile-records.js';

export type { ReconcileRunRecord } from './reconcile-records.js';


const COLUMNS = 'provider, ran_at, since, until, row_count, differing, unmetered_rows, unmetered_requests, unmetered_nano, meter_nano, bill_nano';

/** Stores one completed run. */
export async function insertReconcileRun(db: Db, run: ReconcileRunRecord): Promise<void> {
  await db.run(`INSERT INTO reconcile_runs (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, [
    run.provider, run.ranAt, run.since, run.until, run.rows, run.differing, run.unmeteredRows,
    run.unmeteredRequests, run.unmeteredNano, run.meterNano, run.billNano,
  ]);
}

/** The newest run of each provider (by ran_at, then id), ordered by provider name. */
export async function latestReconcileRuns(db: Db): Promise<ReconcileRunRecord[]> {
  const rows = await db.all<Record<string, unknown>>(
    `SELECT ${COLUMNS} FROM reconcile_runs r
     WHERE r.id = (SELECT x.id FROM reconcile_runs x WHERE x.provider = r.provider ORDER BY x.ran_at DESC, x.id DESC LIMIT 1)
     ORDER BY r.provider`,
  );
  return rows.map((r) => ({
    provider: String(r.provider),
    ranAt: Number(r.ran_at),
    since: Number(r.since),
    until: Number(r.until),
    rows: Number(r.row_count),
    differing: Number(r.differing),
    unmeteredRows: Number(r.unmetered_rows),
    unmeteredRequests: r.unmetered_requests === null ? null : Number(r.unmetered_requests),
    unmeteredNano: Number(r.unmetered_nano),
    meterNano: Number(r.meter_nano),
    billNano: Number(r.bill_nano),
  }));
}
