import { fillSinceFirstCall, labelPooled, reportMetrics, rowKind, sortRows, sumMeasures } from '../../report/rows.js';
import type { PlannedReads } from '../../report/run-plan.js';
import type { Scope } from '../../store/read/scope.js';
import { LIMITS, type GroupRow, type TrendPoint } from '../types.js';

/**
 * The dashboard's spend figures, computed from the same aggregates as `spendReport`
 * (report/run-plan.ts) with the same row shaping (rows.ts), so every number equals
 * `tokometer report --format json` for the same period, filters and `--top`:
 *
 * - totals  = `report` with no `--by`: total.cost_usd, total.calls, total.unpriced_calls;
 * - table   = `report --by <dim> --top 50`: rows[].cost_usd / calls / share;
 * - trend   = `report --by day`: one row per day of the period from the database's first call, quiet days at 0.
 *
 * Unlike spendReport these skip the p50 latency (a sort of every call in the period,
 * the most expensive part of a report) because no panel shows it, and the dashboard
 * refreshes every second while `serve` writes.
 */

export interface Totals {
  costNano: number;
  calls: number;
  /** Calls with a cost (in costNano). */
  pricedCalls: number;
  unpricedCalls: number;
  /** Calls with neither a cost nor known usage (see HeaderFigures.unknownUsageCalls). */
  unknownUsageCalls: number;
}

export async function totals(source: PlannedReads, scope: Scope): Promise<Totals> {
  const t = sumMeasures(await source.groups({ ...scope, by: [] }));
  return { costNano: t.costNano, calls: t.calls, pricedCalls: t.pricedCalls, unpricedCalls: t.unpricedCalls, unknownUsageCalls: t.calls - t.pricedCalls - t.unpricedCalls };
}

/** Groups by one dimension, the top LIMITS.groups by cost, the rest as `(other)` of kind `other`; sorted like the report. */
export async function groupTable(source: PlannedReads, scope: Scope, dimension: string): Promise<{ rows: GroupRow[]; totalNano: number; totalCalls: number }> {
  const groups = await source.groups({ ...scope, by: [dimension] }, { top: LIMITS.groups });
  const total = sumMeasures(groups);
  const rows = labelPooled(sortRows(groups.map((g) => ({ group: { [dimension]: g.values[0]! }, kind: rowKind(g.values), ...reportMetrics(g, total.costNano, null) })), [dimension]), [dimension]);
  return {
    rows: rows.map((r) => ({ value: r.group[dimension]!, kind: r.kind, costNano: r.costNano, calls: r.calls, pricedCalls: r.pricedCalls, share: r.share })),
    totalNano: total.costNano,
    totalCalls: total.calls,
  };
}

/** Spend per local day of the period, oldest first, every day from the database's first call present (rows.ts fillSinceFirstCall). */
export async function dailyTrend(source: PlannedReads, scope: Scope): Promise<TrendPoint[]> {
  const groups = await source.groups({ ...scope, by: ['day'] });
  const total = sumMeasures(groups).costNano;
  const rows = fillSinceFirstCall(groups.map((g) => ({ group: { day: g.values[0]! }, kind: rowKind(g.values), ...reportMetrics(g, total, null) })), 'day', scope, scope.timeZone, source.firstCallHour);
  return sortRows(rows, ['day']).map((r) => ({ day: r.group.day!, costNano: r.costNano, calls: r.calls, pricedCalls: r.pricedCalls }));
}

