import type { SqlDriver, SqlValue } from '../store/types.js';
import { HOUR_MS, parseLatencyHist } from '../store/rollup-policy.js';
import type { RangePlan } from './rollup-plan.js';
import { entityBit, type RollupState } from './rollup-state.js';
import { localTimeOf, timeBucketExpr } from './sql-scope.js';
import type { AggregateSpec } from './source.js';
import { isBuiltin, isTimeDimension, NONE, type WhereClause } from './types.js';

/**
 * SQL over the rollup tables for the hours of a RangePlan. A query involves at most one
 * rolled-up tag key K (rollup-state.ts rollupTagKey). Two parts answer it:
 *
 * - "tagged": rows with tag_key = K, one group per K value (`tv`);
 * - "all": rows with tag_key = '' (every call once).
 *
 * Calls without K (`(none)`) are "all" minus every "tagged" row, so the caller adds
 * tagged rows under their value and subtracts them under `(none)` (see merge in
 * rollup-source.ts). Built-in dimensions and filters read rollup_dims columns, time
 * buckets read the hour; sums and histogram counts are summed in SQLite and only group
 * rows come back. Latency histograms are JSON text per row: a histogram query
 * concatenates each group's texts into one JSON array (group_concat) and
 * rollup-source.ts adds the pairs up. Both parts search
 * rollup_dims by its (tag_key, tag_value) index and rollups by primary key (dim_id, hour).
 */

/** Group-value expressions over rollup_dims `d`, matching sql-scope.ts BUILTIN_EXPR on calls. */
const ROLLUP_EXPR: Record<'model' | 'provider' | 'key' | 'endpoint', string> = {
  model: `COALESCE(d.model, '${NONE}')`,
  provider: 'd.provider',
  key: `COALESCE(d.key_name, '${NONE}')`,
  endpoint: 'd.endpoint',
};

/** The unpriced footer names calls without any model `(unknown)` (raw-source.ts does the same). */
export const UNKNOWN_MODEL_EXPR = "COALESCE(d.model, '(unknown)')";

export interface PartRow {
  /** Labels of the non-K dimensions, in `by` order with K left out. */
  labels: string[];
  /** The K value (tagged part only). */
  tv?: string;
  /** rollups.latency_hist as flat [bucket, calls, …] pairs (histogram queries only; the sums are then 0). */
  hist?: number[];
  cost: number;
  calls: number;
  priced: number;
  unpriced: number;
  input: number;
  output: number;
  cached: number;
}

export interface PartQuery {
  sql: string;
  params: SqlValue[];
}

export interface PartOptions {
  /** Replaces the `model` group expression (the unpriced footer's `(unknown)`). */
  modelExpr?: string;
}

/**
 * One part as SQL. `kind` 'sums' sums each group; 'latency' returns each group's
 * histogram pairs, all its rows' [bucket, calls, …] concatenated.
 */
export function partQuery(
  part: 'tagged' | 'all',
  kind: 'sums' | 'latency',
  spec: AggregateSpec,
  tagKey: string | null,
  plan: RangePlan,
  state: RollupState,
  options: PartOptions = {},
): PartQuery {
  const params: SqlValue[] = [];
  const cols: string[] = [];
  const groups: string[] = [];
  let localTs: string | undefined;
  spec.by.forEach((dim) => {
    if (dim === tagKey) return;
    let expr: string;
    if (isTimeDimension(dim)) {
      localTs ??= localTimeOf('r.hour', Math.max(plan.from, state.firstHour ?? plan.from), Math.min(plan.to, (state.lastHour ?? plan.to) + HOUR_MS), spec.timeZone);
      expr = timeBucketExpr(dim, localTs);
    } else if (dim === 'model' && options.modelExpr) {
      expr = options.modelExpr;
    } else {
      expr = ROLLUP_EXPR[dim as keyof typeof ROLLUP_EXPR];
    }
    cols.push(`${expr} AS l${cols.length}`);
    groups.push(`l${groups.length}`);
  });
  if (part === 'tagged') {
    cols.push('d.tag_value AS tv');
    groups.push('tv');
  }
  const where: string[] = ['d.tag_key = ?'];
  params.push(part === 'tagged' ? tagKey! : '');
  if (spec.keyName !== undefined) {
    where.push('d.key_name = ?');
    params.push(spec.keyName);
  }
  for (const w of spec.where) {
    if (isBuiltin(w.key)) {
      where.push(`${ROLLUP_EXPR[w.key as keyof typeof ROLLUP_EXPR]} ${w.op === '=' ? '=' : '<>'} ?`);
      params.push(w.value);
    } else if (w.key !== tagKey) {
      where.push(`(d.entity_mask & ${entityBit(w.key)!}) ${w.op === '=' ? '=' : '<>'} 0`);
    }
  }
  where.push('r.hour >= ?', 'r.hour < ?');
  params.push(plan.from, plan.to);
  if (plan.skip.length > 0) {
    where.push('r.hour NOT IN (SELECT value FROM json_each(?))');
    params.push(JSON.stringify(plan.skip));
  }
  const measures =
    kind === 'sums'
      ? `SUM(r.cost_nano) AS cost, SUM(r.calls) AS calls, SUM(r.priced) AS priced, SUM(r.unpriced) AS unpriced,
         SUM(r.input_tokens) AS input, SUM(r.output_tokens) AS output, SUM(r.cached_input_tokens) AS cached`
      : `'[' || COALESCE(group_concat(NULLIF(substr(r.latency_hist, 2, length(r.latency_hist) - 2), '')), '') || ']' AS hist`;
  const grouped = groups.length > 0;
  const sql = `SELECT ${[...cols, measures].join(', ')} FROM rollup_dims d JOIN rollups r ON r.dim_id = d.id
    WHERE ${where.join(' AND ')}${grouped ? ` GROUP BY ${groups.join(', ')}` : ''}`;
  return { sql, params };
}

/** Runs a part and returns its rows with numbers as numbers. */
export function runPart(driver: SqlDriver, q: PartQuery, labelCount: number): PartRow[] {
  return driver
    .prepare(q.sql)
    .all<Record<string, unknown>>(...q.params)
    // An aggregate over no rows still returns one row: NULL sums, an empty histogram.
    .filter((r) => (r.hist !== undefined ? r.hist !== '[]' : r.calls !== null))
    .map((r) => ({
      labels: Array.from({ length: labelCount }, (_, i) => String(r[`l${i}`])),
      ...(r.tv !== undefined ? { tv: String(r.tv) } : {}),
      ...(r.hist !== undefined ? { hist: parseLatencyHist(String(r.hist)) } : {}),
      cost: Number(r.cost ?? 0),
      calls: Number(r.calls ?? 0),
      priced: Number(r.priced ?? 0),
      unpriced: Number(r.unpriced ?? 0),
      input: Number(r.input ?? 0),
      output: Number(r.output ?? 0),
      cached: Number(r.cached ?? 0),
    }));
}

/** Does a call whose K value is `value` (NONE = no K tag) pass every `--where` on K? */
export function passesTagFilters(where: readonly WhereClause[], tagKey: string, value: string): boolean {
  return where.every((w) => w.key !== tagKey || (w.op === '=' ? value === w.value : value !== w.value));
}
