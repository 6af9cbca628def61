import type { Db, Dialect } from '../../db.js';
import { measuresFromRow, summedMeasuresSql, type Measures } from '../../measures.js';
import { HOUR_MS, parseLatencyHist } from '../../rollup-policy.js';
import type { SqlValue } from '../../types.js';
import { inListSql, latencyHistConcatSql, timeBucketSql } from '../dialect.js';
import { NONE, isBuiltin, isTimeDimension, whereGroups, type ColumnDimension, type WhereClause } from '../dimensions.js';
import type { Fragment } from '../fragment.js';
import { localTimeOf } from '../scope.js';
import type { RangePlan } from './range-plan.js';
import { entityBit } from './state.js';
import type { AggregateSpec, RollupState } from './types.js';

/**
 * SQL over the rollup tables for the hours of a RangePlan. A query involves at most one
 * rolled-up tag key K (state.ts rollupTagKey). Two parts answer it:
 *
 * - "tagged": rows with tag_key = K, one group per K value (`tv`);
 * - "all": rows with tag_key = '' (every call once).
 *
 * Calls without K (`(none)`) are "all" minus every "tagged" row, so the caller adds
 * tagged rows under their value and subtracts them under `(none)` (rollups.ts). Built-in
 * dimensions and filters read rollup_dims columns, time buckets read the hour; measures
 * and histogram counts are summed in SQL and only group rows come back. Latency
 * histograms are JSON text per row: a histogram query joins each group's texts into one
 * (dialect.ts) and rollups.ts adds the pairs up. Both parts search rollup_dims by its
 * (tag_key, tag_value) index and rollups by primary key (dim_id, hour).
 */

/** Group-value expressions over rollup_dims `d`, matching scope.ts CALL_DIMENSION_SQL on calls. */
const ROLLUP_DIMENSION_SQL: Record<ColumnDimension, string> = {
  model: `COALESCE(d.model, '${NONE}')`,
  provider: 'd.provider',
  key: `COALESCE(d.key_name, '${NONE}')`,
  endpoint: 'd.endpoint',
  // NULL in rows of hours pruned before schema v6 (their outcome is not known).
  outcome: `COALESCE(d.outcome, '${NONE}')`,
  status: `COALESCE(CAST(d.status AS TEXT), '${NONE}')`,
};

/** The unpriced footer names calls without any model `(unknown)` (raw.ts does the same). */
export const UNKNOWN_MODEL_SQL = "COALESCE(d.model, '(unknown)')";

export interface PartRow extends Measures {
  /** Labels of the non-K dimensions, in `by` order with K left out. */
  labels: string[];
  /** The K value (tagged part only). */
  tv?: string;
  /** rollups.latency_hist as flat [bucket, calls, …] pairs (histogram queries only; the measures are then 0). */
  hist?: number[];
}

export interface PartOptions {
  /** Replaces the `model` group expression (the unpriced footer's `(unknown)`). */
  modelSql?: string;
}

/**
 * One part as SQL. `kind` 'sums' sums each group's measures; 'latency' returns each
 * group's histogram pairs, all its rows' [bucket, calls, …] joined.
 */
export function partQuery(
  dialect: Dialect,
  part: 'tagged' | 'all',
  kind: 'sums' | 'latency',
  spec: AggregateSpec,
  tagKey: string | null,
  plan: RangePlan,
  state: RollupState,
  options: PartOptions = {},
): Fragment {
  const params: SqlValue[] = [];
  const cols: string[] = [];
  const groups: string[] = [];
  let localTs: string | undefined;
  spec.by.forEach((dim) => {
    if (dim === tagKey) return;
    let expr: string;
    if (isTimeDimension(dim)) {
      localTs ??= localTimeOf('r.hour', Math.max(plan.from, state.firstHour ?? plan.from), Math.min(plan.to, (state.lastHour ?? plan.to) + HOUR_MS), spec.timeZone);
      expr = timeBucketSql(dialect, dim, localTs);
    } else if (dim === 'model' && options.modelSql) {
      expr = options.modelSql;
    } else {
      expr = ROLLUP_DIMENSION_SQL[dim as ColumnDimension];
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
  if (spec.reach !== undefined) where.push(`d.reached = ${spec.reach === 'reached' ? 1 : 0}`);
  // Any of a key's `=` values, none of its `!=` values (dimensions.ts whereGroups); the rolled-up tag's filters apply to tag_value in JavaScript (passesTagFilters).
  for (const g of whereGroups(spec.where)) {
    const sqlOp = g.op === '=' ? '=' : '<>';
    let tests: string[];
    if (isBuiltin(g.key)) {
      tests = g.values.map(() => `${ROLLUP_DIMENSION_SQL[g.key as ColumnDimension]} ${sqlOp} ?`);
      params.push(...g.values);
    } else if (g.key !== tagKey) {
      // An entity key, filtered on (none) only (state.ts rollupTagKey): its presence bit.
      tests = [`(d.entity_mask & ${entityBit(g.key)!}) ${sqlOp} 0`];
    } else continue;
    where.push(tests.length === 1 ? tests[0]! : `(${tests.join(g.op === '=' ? ' OR ' : ' AND ')})`);
  }
  where.push('r.hour >= ?', 'r.hour < ?');
  params.push(plan.from, plan.to);
  if (plan.skip.length > 0) {
    const skip = inListSql(dialect, 'r.hour', plan.skip, true);
    where.push(skip.sql);
    params.push(...skip.params);
  }
  const measures = kind === 'sums' ? summedMeasuresSql('r') : `${latencyHistConcatSql(dialect, 'r.latency_hist')} AS hist`;
  const grouped = groups.length > 0;
  const sql = `SELECT ${[...cols, measures].join(', ')} FROM rollup_dims d JOIN rollups r ON r.dim_id = d.id
    WHERE ${where.join(' AND ')}${grouped ? ` GROUP BY ${groups.join(', ')}` : ''}`;
  return { sql, params };
}

/** Runs a part and returns its rows with numbers as numbers. */
export async function runPart(db: Db, q: Fragment, labelCount: number): Promise<PartRow[]> {
  const rows = await db.all<Record<string, unknown>>(q.sql, q.params);
  return (
    rows
      // An aggregate over no rows still returns one row: NULL sums, an empty histogram.
      .filter((r) => (r.hist !== undefined ? r.hist !== '[]' : r.calls !== null))
      .map((r) => ({
        labels: Array.from({ length: labelCount }, (_, i) => String(r[`l${i}`])),
        ...(r.tv !== undefined ? { tv: String(r.tv) } : {}),
        ...(r.hist !== undefined ? { hist: parseLatencyHist(String(r.hist)) } : {}),
        ...measuresFromRow(r),
      }))
  );
}

/** Does a call whose K value is `value` (NONE = no K tag) pass the `--where` on K: any of its `=` values, none of its `!=` values? */
export function passesTagFilters(where: readonly WhereClause[], tagKey: string, value: string): boolean {
  return whereGroups(where).every((g) => g.key !== tagKey || g.values.includes(value) === (g.op === '='));
}
