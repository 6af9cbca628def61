import type { Db } from '../../db.js';
import { minuteOf, utcMonthOf } from '../../rollup-policy.js';
import type { SqlValue } from '../../types.js';
import { pendingEntityCounts } from './entity-pending.js';
import type { MonthPiece, RollupState, TimeRange } from './types.js';

export type { MonthPiece } from './types.js';

/**
 * Exact distinct counts of entities (user_id, session_id) from entity_months, the
 * per-(entity, segment, UTC month) rows with the first and last call time in the month.
 *
 * A range covers each UTC month it touches as a whole, a prefix [month start, b) or a
 * suffix [a, month end). An entity is active in a prefix iff its first call of the month
 * is before b, in a suffix iff its last call is at or after a, so no raw row is needed.
 * A range strictly inside one month (a middle slice, e.g. `--since 7d`) cannot be
 * answered this way; callers then read raw rows. Local calendar months of any zone are a
 * suffix of one UTC month plus a prefix of the next.
 *
 * Across months an entity is counted in the last piece (in processing order) it is
 * active in (see entityCounts).
 */

/**
 * The month pieces of `range`, or undefined when a middle slice or a month whose entity
 * rows are incomplete (before entitySince) is involved. Retention does not touch entity
 * rows, so months whose raw calls were pruned are answered like any other. Months outside the recorded span (rollup-state.ts firstHour..lastHour) hold
 * no calls and are left out, so `--since 2020-01-01` costs nothing extra.
 */
export function monthPieces(range: TimeRange, state: Pick<RollupState, 'entitySince' | 'firstHour' | 'lastHour'>): MonthPiece[] | undefined {
  const pieces: MonthPiece[] = [];
  if (state.firstHour === null || state.lastHour === null) return pieces;
  const since = Math.max(range.since, utcMonthOf(state.firstHour));
  const until = Math.min(range.until, utcMonthOf(state.lastHour, 1));
  if (since >= until) return pieces;
  if (utcMonthOf(since) < state.entitySince) return undefined;
  for (let month = utcMonthOf(since); month < until; month = utcMonthOf(month, 1)) {
    const end = utcMonthOf(month, 1);
    const lo = Math.max(since, month);
    const hi = Math.min(until, end);
    const rest = end - month - (hi - lo);
    if (lo === month && hi === end) pieces.push({ month, kind: 'whole', bound: 0, length: hi - lo, rest });
    else if (lo === month) pieces.push({ month, kind: 'prefix', bound: hi, length: hi - lo, rest });
    else if (hi === end) pieces.push({ month, kind: 'suffix', bound: lo, length: hi - lo, rest });
    else return undefined;
  }
  return pieces;
}

/** A WHERE fragment (starting with AND) and its parameters. */
interface Condition {
  sql: string;
  params: SqlValue[];
}

/** How a prefix or suffix piece tests a row of `alias`: its minute and ms columns, the side of the bound it keeps, the bound's minute. */
function boundTest(alias: string, p: MonthPiece, useIndex: boolean, negate: boolean) {
  const [exact, minute] = p.kind === 'prefix' ? ['first_ts', 'first_minute'] : ['last_ts', 'last_minute'];
  return {
    minute: `${useIndex ? '' : '+'}${alias}.${minute}`,
    exact: `${alias}.${exact}`,
    // A prefix keeps rows whose first call is before the bound, a suffix rows whose last is at or after it.
    before: (p.kind === 'prefix') !== negate,
    m: minuteOf(p.bound),
  };
}

/**
 * Disjoint SQL conditions whose union is the rows of `alias` active in the piece; `negate`
 * for the rest of its month. The indexes are on the UTC minutes of first_ts / last_ts
 * (migrations/010). A bound on a whole minute (every month start of every time zone in
 * use) is exact on the minute column alone: one condition, read from the index only. A
 * bound with seconds gives two: the whole minutes beyond the bound's (index only) and the
 * bound's own minute, where the exact ms decides (a table read per row of that minute).
 */
function activeParts(alias: string, p: MonthPiece, useIndex: boolean, negate = false): Condition[] {
  if (p.kind === 'whole') return [{ sql: negate ? 'AND 1 = 0' : '', params: [] }];
  const { minute, exact, before, m } = boundTest(alias, p, useIndex, negate);
  if (m === p.bound) return [{ sql: `AND ${minute} ${before ? '<' : '>='} ?`, params: [m] }];
  return [
    { sql: `AND ${minute} ${before ? '<' : '>'} ?`, params: [m] },
    // The minute as a two-sided range: with `= ?` SQLite scanned the month by primary key instead (no statistics).
    { sql: `AND ${minute} >= ? AND ${minute} <= ? AND ${exact} ${before ? '<' : '>='} ?`, params: [m, m, p.bound] },
  ];
}

/**
 * activeParts as one condition, for a probe of one row (EXISTS) or a list of months (OR).
 * Written with NOT: SQLite ran `minute < M OR (minute = M AND ms < b)` five times slower
 * than `minute <= M AND NOT (minute = M AND ms >= b)` over the same index range.
 */
function active(alias: string, p: MonthPiece, useIndex: boolean, negate = false): Condition {
  const parts = activeParts(alias, p, useIndex, negate);
  if (parts.length === 1) return parts[0]!;
  const { minute, exact, before, m } = boundTest(alias, p, useIndex, negate);
  return { sql: `AND ${minute} ${before ? '<=' : '>='} ? AND NOT (${minute} = ? AND ${exact} ${before ? '>=' : '<'} ?)`, params: [m, m, p.bound] };
}

/**
 * Distinct entities of `key` per segment value of `segKey` ('' = one count under '')
 * active in the pieces. One or two pieces (a month, a local month): a piece covering most of its month is its entity_counts minus
 * the rows active only in the uncovered rest (an index range on first_minute / last_minute); a
 * short piece counts its rows through that index directly. Each piece but the last then
 * subtracts its entities that a later piece also has (primary-key probes), so every
 * entity is counted once. Pieces go shortest first: for a local month only the short
 * piece is enumerated. More pieces: one COUNT(DISTINCT) over their rows.
 */
export async function entityCounts(db: Db, key: string, segKey: string, pieces: readonly MonthPiece[]): Promise<Map<string, number>> {
  // With the calls entity rows do not hold yet (entity-pending.ts),
  // read in one snapshot: serve's writer moves calls from those to the rows.
  return db.snapshot(async (tx) => {
    const counts = await storedEntityCounts(tx, key, segKey, pieces);
    for (const [seg, n] of await pendingEntityCounts(tx, key, segKey, pieces)) counts.set(seg, (counts.get(seg) ?? 0) + n);
    return counts;
  });
}

/** entityCounts over the entity rows alone. */
async function storedEntityCounts(db: Db, key: string, segKey: string, pieces: readonly MonthPiece[]): Promise<Map<string, number>> {
  if (pieces.length > 2) return distinctOver(db, key, segKey, pieces);
  const ordered = [...pieces].sort((a, b) => a.length - b.length);
  const counts = new Map<string, number>();
  const add = async (sql: string, params: SqlValue[], sign: number) => {
    for (const r of await db.all<{ seg: string; n: number }>(sql, params)) counts.set(r.seg, (counts.get(r.seg) ?? 0) + sign * Number(r.n));
  };
  const rows = (cond: string) => `SELECT e.seg_value AS seg, COUNT(*) AS n FROM entity_months e
    WHERE e.key = ? AND e.seg_key = ? AND e.month = ? ${cond} GROUP BY e.seg_value`;
  for (const [i, p] of ordered.entries()) {
    const head: SqlValue[] = [key, segKey, p.month];
    if (p.kind === 'whole' || p.length >= p.rest) {
      await add('SELECT seg_value AS seg, entities AS n FROM entity_counts WHERE key = ? AND seg_key = ? AND month = ?', head, 1);
      if (p.kind !== 'whole') for (const rest of activeParts('e', p, true, true)) await add(rows(rest.sql), [...head, ...rest.params], -1);
    } else {
      for (const own of activeParts('e', p, true)) await add(rows(own.sql), [...head, ...own.params], 1);
    }
    const later = ordered.slice(i + 1);
    if (later.length === 0) continue;
    const own = active('e', p, p.length < p.rest);
    const params: SqlValue[] = [...head, ...own.params];
    const exists = later.map((q) => {
      const cond = active('x', q, false);
      params.push(q.month, ...cond.params);
      return `EXISTS (SELECT 1 FROM entity_months x WHERE x.key = e.key AND x.seg_key = e.seg_key AND x.month = ?
        AND x.seg_value = e.seg_value AND x.value = e.value ${cond.sql})`;
    });
    await add(rows(`${own.sql} AND (${exists.join(' OR ')})`), params, -1);
  }
  for (const [seg, n] of counts) if (n === 0) counts.delete(seg);
  return counts;
}

/** Many months (a quarter, a year): every matching row once, deduplicated by the database. */
async function distinctOver(db: Db, key: string, segKey: string, pieces: readonly MonthPiece[]): Promise<Map<string, number>> {
  const params: SqlValue[] = [key, segKey];
  const months = pieces.map((p) => {
    const cond = active('e', p, false);
    params.push(p.month, ...cond.params);
    return `(e.month = ? ${cond.sql})`;
  });
  const sql = `SELECT e.seg_value AS seg, COUNT(DISTINCT e.value) AS n FROM entity_months e
    WHERE e.key = ? AND e.seg_key = ? AND (${months.join(' OR ')}) GROUP BY e.seg_value`;
  return new Map((await db.all<{ seg: string; n: number }>(sql, params)).map((r) => [r.seg, Number(r.n)]));
}
