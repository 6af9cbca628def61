import type { Db } from '../db.js';
import { PENDING_CALLS_FROM } from '../migrations/013-entity-pending.js';
import { reachedSql } from '../reached.js';
import { hourOf, utcMonthOf } from '../rollup-policy.js';
import type { SqlValue } from '../types.js';
import { boundMs } from '../budgets.js';
import { tagFilterSql, tagJoinSql } from './dialect.js';
import { joinFragments, type Fragment } from './fragment.js';
import { anyPending } from './report/entity-pending.js';

/**
 * Cost sums of calls retention pruned, from what it keeps (schema v3 on: rollups per UTC
 * hour, entity_months per UTC month; store/prune.ts, pg/prune.ts), on SQLite and
 * PostgreSQL alike. Costs are integer nano-USD, exactly the sums of the calls' cost_nano
 * (the writers and repricing move rollups and entity rows with the calls). What budgets
 * make of them is read/pruned-spend.ts.
 *
 * A range `from <= ts < until` is read at the grain of the rows: rollup hours from the
 * hour of `from` on, entity months from the month of `from` on, so calls of that hour or
 * month before `from` count too (the bound that never counts less than was spent).
 * `until` is where raw calls become complete (rollup_state.raw_since: a whole UTC hour on
 * SQLite, a whole month on PostgreSQL); what is at or after it is the raw calls' to count.
 */

/** Cost per value (the '' key for a sum without values). */
export type CostByValue = Map<string, number>;

/** Which rollup rows a sum reads: the all-calls rows (tag '') or those of one tag key (one value, or every value). */
export interface RollupRows {
  /** Only this metering key's calls. */
  keyName?: string;
  /** Tag key and optional value; absent: the all-calls rows. */
  tag?: { key: string; value?: string };
  /** Only calls that carry (true) or lack (false) the entity key of this rollup_dims.entity_mask bit. */
  entity?: { bit: number; carried: boolean };
}

/**
 * Σ cost of the rollup rows `rows` of hours in [hourOf(from), until), per tag value ('' for
 * the all-calls rows). Every call is in one all-calls row and in one row per rolled-up tag it carries.
 */
export async function rollupCost(db: Db, rows: RollupRows, from: number, until: number): Promise<CostByValue> {
  const params: SqlValue[] = [rows.tag?.key ?? '', hourOf(from), boundMs(until)];
  let sql = `SELECT d.tag_value AS v, SUM(r.cost_nano) AS cost FROM rollup_dims d JOIN rollups r ON r.dim_id = d.id
    WHERE d.tag_key = ? AND r.hour >= ? AND r.hour < ?`;
  if (rows.tag?.value !== undefined) {
    sql += ' AND d.tag_value = ?';
    params.push(rows.tag.value);
  }
  if (rows.keyName !== undefined) {
    sql += ' AND d.key_name = ?';
    params.push(rows.keyName);
  }
  // The bits are constants of rollup-policy.ts ENTITY_KEYS, not input.
  if (rows.entity !== undefined) sql += ` AND (d.entity_mask & ${Math.trunc(rows.entity.bit)}) ${rows.entity.carried ? '<>' : '='} 0`;
  return costs(await db.all<{ v: string; cost: unknown }>(`${sql} GROUP BY d.tag_value`, params));
}

/** Which entity rows a sum reads: one entity key, in a segment (seg_key = seg_value) or overall (''). */
export interface EntityRows {
  key: string;
  segment: { key: string; value: string } | null;
  /** Only this entity value. */
  value?: string;
}

/**
 * Per value of the entity key, Σ cost of its calls that reached the provider with
 * `from <= ts < until`, read from entity_months: whole UTC months from the month of `from`
 * (earlier calls of that month count too) up to `until`. Where `until` falls inside a month,
 * the raw calls of that month at and after `until` are taken off again (they are in the
 * month's rows and are the raw calls' to count), and calls whose entity rows are still
 * pending (SQLite v13) are added. Calls that did not reach the provider cost nothing
 * (no usage) and are not in entity rows from schema v6 on.
 *
 * @returns undefined when entity rows are incomplete for the months (`entitySince`:
 *   a database pruned before schema v4).
 */
export async function entityCost(db: Db, rows: EntityRows, from: number, until: number, entitySince: number): Promise<CostByValue | undefined> {
  const firstMonth = utcMonthOf(Math.max(0, from));
  if (firstMonth < entitySince) return undefined;
  const out: CostByValue = new Map();
  if (!(until > from)) return out;
  const seg = rows.segment ?? { key: '', value: '' };
  const params: SqlValue[] = [rows.key, seg.key, seg.value, firstMonth, boundMs(until)];
  let sql = 'SELECT value AS v, SUM(cost_nano) AS cost FROM entity_months WHERE key = ? AND seg_key = ? AND seg_value = ? AND month >= ? AND month < ?';
  if (rows.value !== undefined) {
    sql += ' AND value = ?';
    params.push(rows.value);
  }
  add(out, costs(await db.all<{ v: string; cost: unknown }>(`${sql} GROUP BY value`, params)), 1);
  const monthsEnd = utcMonthOf(until) === until ? until : utcMonthOf(until, 1);
  if (monthsEnd > until) add(out, await rawEntityCost(db, rows, 'calls c', until, monthsEnd), -1);
  if (await anyPending(db)) add(out, await rawEntityCost(db, rows, PENDING_CALLS_FROM, firstMonth, monthsEnd), 1);
  for (const [v, cost] of out) if (cost <= 0) out.delete(v);
  return out;
}

/**
 * Per value of the entity key, Σ cost of the calls `c` of `source` (FROM items: every
 * call, or the pending ones) with `from <= ts < until` that reached the provider, in the
 * segment: what entity rows count of them.
 */
async function rawEntityCost(db: Db, rows: EntityRows, source: string, from: number, until: number): Promise<CostByValue> {
  const parts: Array<Fragment | string> = [`SELECT u.value AS v, SUM(c.cost_nano) AS cost FROM ${source}`, tagJoinSql(db.dialect, 'u', rows.key, 'inner')];
  parts.push({ sql: `WHERE c.ts >= ? AND c.ts < ? AND ${reachedSql('c')}`, params: [from, boundMs(until)] });
  if (rows.segment !== null) parts.push('AND', tagFilterSql(db.dialect, rows.segment.key, '=', rows.segment.value));
  if (rows.value !== undefined) parts.push({ sql: 'AND u.value = ?', params: [rows.value] });
  const q = joinFragments(...parts, 'GROUP BY u.value');
  return costs(await db.all<{ v: string; cost: unknown }>(q.sql, q.params));
}

function costs(rows: ReadonlyArray<{ v: string; cost: unknown }>): CostByValue {
  return new Map(rows.map((r) => [String(r.v), Number(r.cost ?? 0)]));
}

function add(into: CostByValue, more: CostByValue, sign: 1 | -1): void {
  for (const [v, cost] of more) into.set(v, (into.get(v) ?? 0) + sign * cost);
}
