import { fillTimeBuckets, sortRows } from '../../report/rows.js';
import type { GroupAggregate, ReportSource } from '../../report/source.js';
import type { Scope } from '../../report/sql-scope.js';
import type { ReportRow } from '../../report/types.js';
import { LIMITS, type GroupRow, type TrendPoint } from '../types.js';

/**
 * The dashboard's spend figures, computed from the same aggregates as `spendReport`
 * (report/source.ts) with the same row shaping (rows.ts), so every number equals
 * `tokometer report --format json` for the same period, filters and `--top`:
 *
 * - totals  = `report` with no `--by`: total.cost_usd, total.calls, total.unpriced_calls;
 * - table   = `report --by <dim> --top 50`: rows[].cost_usd / calls / share;
 * - trend   = `report --by day`: one row per day of the period, quiet days at 0.
 *
 * Unlike spendReport these skip the p50 latency (a sort of every call in the period,
 * the most expensive part of a report) because no panel shows it, and the dashboard
 * refreshes every second while `serve` writes.
 */

export interface Totals {
  costNano: number;
  calls: number;
  unpricedCalls: number;
}

export function totals(source: ReportSource, scope: Scope): Totals {
  const t = sum(source.groups({ ...scope, by: [] }));
  return { costNano: t.costNano, calls: t.calls, unpricedCalls: t.unpricedCalls };
}

/** Groups by one dimension, the top LIMITS.groups by cost, the rest as `(other)`; sorted like the report. */
export function groupTable(source: ReportSource, scope: Scope, dimension: string): { rows: GroupRow[]; totalNano: number; totalCalls: number } {
  const groups = source.groups({ ...scope, by: [dimension] }, { top: LIMITS.groups });
  const total = sum(groups);
  const rows = sortRows(groups.map((g) => toRow({ [dimension]: g.values[0]! }, g, total.costNano)), [dimension]);
  return {
    rows: rows.map((r) => ({ value: r.group[dimension]!, costNano: r.costNano, calls: r.calls, share: r.share })),
    totalNano: total.costNano,
    totalCalls: total.calls,
  };
}

/** Spend per local day of the period, oldest first, every day present. */
export function dailyTrend(source: ReportSource, scope: Scope): TrendPoint[] {
  const groups = source.groups({ ...scope, by: ['day'] });
  const total = sum(groups).costNano;
  const rows = fillTimeBuckets(groups.map((g) => toRow({ day: g.values[0]! }, g, total)), 'day', scope, scope.timeZone);
  return sortRows(rows, ['day']).map((r) => ({ day: r.group.day!, costNano: r.costNano }));
}

function sum(groups: readonly GroupAggregate[]): GroupAggregate {
  const t: GroupAggregate = { values: [], costNano: 0, calls: 0, pricedCalls: 0, unpricedCalls: 0, inputTokens: 0, outputTokens: 0, cachedInputTokens: 0 };
  for (const g of groups) {
    t.costNano += g.costNano;
    t.calls += g.calls;
    t.pricedCalls += g.pricedCalls;
    t.unpricedCalls += g.unpricedCalls;
    t.inputTokens += g.inputTokens;
    t.outputTokens += g.outputTokens;
    t.cachedInputTokens += g.cachedInputTokens;
  }
  return t;
}

/** A report row with the report's own share and average rules (p50 left out). */
function toRow(group: Record<string, string>, g: GroupAggregate, totalCostNano: number): ReportRow {
  return {
    group,
    costNano: g.costNano,
    calls: g.calls,
    pricedCalls: g.pricedCalls,
    unpricedCalls: g.unpricedCalls,
    inputTokens: g.inputTokens,
    outputTokens: g.outputTokens,
    cachedInputTokens: g.cachedInputTokens,
    avgCostNano: g.pricedCalls > 0 ? Math.round(g.costNano / g.pricedCalls) : 0,
    share: totalCostNano > 0 ? g.costNano / totalCostNano : 0,
    p50LatencyMs: null,
  };
}
