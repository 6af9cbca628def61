import type { Db } from './db.js';

/**
 * The outcome of one `tokometer reconcile` run (table reconcile_runs, schema v5).
 * Times in ms since the epoch, money in integer nano-USD. Holds no secret.
 */
export interface ReconcileRunRecord {
  /** tokometer provider name, e.g. `openai`. */
  provider: string;
  ranAt: number;
  /** Compared window [since, until), whole UTC days. */
  since: number;
  until: number;
  /** Rows compared, as grouped by `--by`. */
  rows: number;
  /** Rows beyond the tolerance (any difference class). */
  differing: number;
  /** Rows classified as unmetered traffic. */
  unmeteredRows: number;
  /** Extra requests the provider counted on those rows; null when it reports no request counts. */
  unmeteredRequests: number | null;
  /** Provider cost minus metered cost on those rows. */
  unmeteredNano: number;
  /** Metered cost over the compared rows. */
  meterNano: number;
  /** The provider's cost over the compared rows. */
  billNano: number;
}

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
