import type { MeteredUsageRow } from '../store/read/metered-usage.js';
import { classify, diffOf } from './compare.js';
import { addBill, addMeter, emptyBill, emptyMeter, groupCells, joinCells } from './join.js';
import { splitSearchFees } from './search-fees.js';
import type { CatalogRates, ProviderReport, ReconcileBy, ReconcileReport, ReconcileRow, RowStatus, Tolerance } from './types.js';

/** What a reconcile report is built from besides the two sides. */
export interface BuildOptions {
  /** tokometer provider name(s), comma-joined (ReconcileReport.provider). */
  provider: string;
  /** The provider as people name it (`OpenAI`). */
  providerLabel: string;
  /** Compared window [since, until), whole UTC days (ms). */
  since: number;
  until: number;
  by: ReconcileBy;
  tolerance: Tolerance;
  catalog: CatalogRates;
  notes?: string[];
}

const STATUSES: readonly RowStatus[] = ['match', 'unmetered_traffic', 'token_drift', 'price_drift', 'missing_at_provider', 'outside_meter'];

/** Rows that count as a difference (exit code 3). */
export function isDifference(row: Pick<ReconcileRow, 'status'>): boolean {
  return row.status !== 'match' && row.status !== 'outside_meter';
}

/**
 * Joins, groups and classifies (pure). Provider buckets outside the window are left out.
 * The share of the bill the meter explains is Σ min(metered cost, billed cost) over the
 * rows divided by the whole bill, so over-metering on one row never hides a gap on another.
 */
export function buildReport(meter: readonly MeteredUsageRow[], report: ProviderReport, o: BuildOptions): ReconcileReport {
  const inWindow = (day: number) => day >= o.since && day < o.until;
  const windowed: ProviderReport = {
    ...report,
    usage: report.usage.filter((u) => inWindow(u.day)),
    costs: report.costs.filter((c) => inWindow(c.day)),
  };
  const split = splitSearchFees(meter.filter((m) => inWindow(m.day)), o.catalog);
  const groups = groupCells(joinCells(split.meter, windowed, split.fees), o.by, report.requestCounts);
  const ctx = { tolerance: o.tolerance, catalog: o.catalog, at: o.since, providerLabel: o.providerLabel };
  const rows = groups.map((g) => classify(g, ctx));

  const total = { meter: emptyMeter(), bill: emptyBill(report.requestCounts) };
  let explained = 0;
  const counts = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<RowStatus, number>;
  for (const r of rows) {
    addMeter(total.meter, r.meter);
    addBill(total.bill, r.bill);
    explained += Math.max(0, Math.min(r.meter.costNano, r.bill.costNano));
    counts[r.status] += 1;
  }
  return {
    provider: o.provider,
    since: o.since,
    until: o.until,
    by: o.by,
    tolerance: o.tolerance,
    rows,
    total: { ...total, diff: diffOf(total) },
    explainedShare: total.bill.costNano > 0 ? explained / total.bill.costNano : 1,
    counts,
    notes: o.notes ?? [],
  };
}
