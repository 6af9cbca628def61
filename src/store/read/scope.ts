import { offsetSegments } from '../../lib/calendar.js';
import type { Db, Dialect } from '../db.js';
import { reachedSql, type Reach } from '../reached.js';
import type { SqlValue } from '../types.js';
import { tagFilterSql, tagJoinSql, timeBucketSql } from './dialect.js';
import { NONE, checkDimension, checkFilter, isTimeDimension, tagKeyOf, whereGroups, type ColumnDimension, type WhereClause } from './dimensions.js';
import type { Fragment } from './fragment.js';

export { joinFragments, type Fragment } from './fragment.js';

/**
 * SQL over the raw call log (`calls c` and its tags) shared by every raw query (report
 * strategies, audit, the TUI feed): which calls are in scope (time range, key, --where:
 * repeats of one key's `=` are ORed, dimensions.ts whereGroups)
 * and how each dimension turns a call into a group value. Parameters are positional;
 * each fragment carries its own, and callers concatenate fragments in the order their
 * SQL text appears (joinFragments).
 */

/** Which calls a query covers. Times in ms since the epoch, [since, until). */
export interface Scope {
  since: number;
  until: number;
  where: WhereClause[];
  keyName?: string;
  /** Only calls that reached the provider, or only the others (reached.ts); undefined: every call. */
  reach?: Reach;
  /** IANA zone of day/week/month buckets. */
  timeZone: string;
}

/**
 * `key=(none)` / `key!=(none)`: the calls of the report's `(none)` row, or all others. That row
 * is `COALESCE(tag, '(none)')`, so it holds calls without the tag and calls whose value is the
 * text `(none)` (a valid header value): the filter keeps both, as a filter on rollups does.
 */
function noneGroupFilterSql(dialect: Dialect, key: string, op: '=' | '!='): Fragment {
  const absent = tagFilterSql(dialect, key, '=', null);
  const literal = tagFilterSql(dialect, key, '=', NONE);
  const sql = `(${absent.sql} OR ${literal.sql})`;
  return { sql: op === '=' ? sql : `NOT ${sql}`, params: [...absent.params, ...literal.params] };
}

/** Group-value expressions of the built-in columns over `calls c`; `COALESCE` keeps each a non-NULL string. */
export const CALL_DIMENSION_SQL: Record<ColumnDimension, string> = {
  model: `COALESCE(c.model, c.model_requested, '${NONE}')`,
  provider: 'c.provider',
  key: `COALESCE(c.key_name, '${NONE}')`,
  endpoint: 'c.endpoint',
  outcome: 'c.outcome',
  status: 'CAST(c.status AS TEXT)',
};

/** `WHERE …` for the scope over calls `c` in `dialect`. Tag filters: dialect.ts tagFilterSql. */
export function whereFragment(dialect: Dialect, scope: Scope): Fragment {
  const parts = ['c.ts >= ?', 'c.ts < ?'];
  const params: SqlValue[] = [scope.since, scope.until];
  if (scope.keyName !== undefined) {
    parts.push('c.key_name = ?');
    params.push(scope.keyName);
  }
  if (scope.reach !== undefined) parts.push(scope.reach === 'reached' ? reachedSql('c') : `NOT (${reachedSql('c')})`);
  for (const w of scope.where) checkFilter(w);
  for (const group of whereGroups(scope.where)) {
    const filters = group.values.map((value) => filterSql(dialect, { key: group.key, op: group.op, value }));
    // Any of a key's `=` values; none of its `!=` values (dimensions.ts whereGroups).
    parts.push(filters.length === 1 ? filters[0]!.sql : `(${filters.map((f) => f.sql).join(group.op === '=' ? ' OR ' : ' AND ')})`);
    for (const f of filters) params.push(...f.params);
  }
  return { sql: `WHERE ${parts.join(' AND ')}`, params };
}

/** One filter over calls `c`: a built-in column, the `(none)` row of a tag, or a tag value. */
function filterSql(dialect: Dialect, w: WhereClause): Fragment {
  const tag = tagKeyOf(w.key);
  if (tag === null) return { sql: `${CALL_DIMENSION_SQL[w.key as ColumnDimension]} ${w.op === '=' ? '=' : '<>'} ?`, params: [w.value] };
  return w.value === NONE ? noneGroupFilterSql(dialect, tag, w.op) : tagFilterSql(dialect, tag, w.op, w.value);
}

/** Group-value expressions (one per dimension, all non-NULL strings) and the joins they need. */
export interface DimensionSql {
  exprs: string[];
  joins: Fragment;
}

/**
 * Builds the group expressions. Tag dimensions join the call's tag (dialect.ts
 * tagJoinSql); calls without the tag get `(none)`. Time dimensions shift `ts` by the
 * zone's offset (a CASE over the offset segments of the period, so DST is exact) and
 * label the local date (dialect.ts timeBucketSql); weeks are labelled by their Monday.
 */
export async function dimensionSql(db: Db, by: readonly string[], scope: Scope): Promise<DimensionSql> {
  const exprs: string[] = [];
  const joinSql: string[] = [];
  const params: SqlValue[] = [];
  for (const dim of by) checkDimension(dim, '--by');
  const localTs = by.some(isTimeDimension) ? await localTimeExpr(db, scope) : '';
  by.forEach((dim, i) => {
    if (isTimeDimension(dim)) {
      exprs.push(timeBucketSql(db.dialect, dim, localTs));
    } else if (tagKeyOf(dim) === null) {
      exprs.push(CALL_DIMENSION_SQL[dim as ColumnDimension]);
    } else {
      const join = tagJoinSql(db.dialect, `d${i}`, tagKeyOf(dim)!);
      joinSql.push(join.sql);
      params.push(...join.params);
      exprs.push(`COALESCE(d${i}.value, '${NONE}')`);
    }
  });
  return { exprs, joins: { sql: joinSql.join(' '), params } };
}

/**
 * `c.ts` shifted to local wall-clock ms. The offset segments are computed for the span
 * the scope's calls actually cover (two index probes on calls.ts), so a wide --since
 * costs nothing extra. Offsets are integers inlined as literals.
 */
async function localTimeExpr(db: Db, scope: Scope): Promise<string> {
  const first = await db.get<{ ts: number }>('SELECT ts FROM calls WHERE ts >= ? AND ts < ? ORDER BY ts LIMIT 1', [scope.since, scope.until]);
  const last = await db.get<{ ts: number }>('SELECT ts FROM calls WHERE ts >= ? AND ts < ? ORDER BY ts DESC LIMIT 1', [scope.since, scope.until]);
  const from = first?.ts ?? scope.since;
  const to = (last?.ts ?? scope.since) + 1;
  return localTimeOf('c.ts', Number(from), Number(to), scope.timeZone);
}

/**
 * `column` (ms since the epoch) shifted to local wall-clock ms, exact for instants in
 * [from, to): a CASE over the zone's offset segments there, with integer literals.
 */
export function localTimeOf(column: string, from: number, to: number, timeZone: string): string {
  const segments = offsetSegments(from, Math.max(to, from + 1), timeZone);
  if (segments.length === 1) return `${column} + ${Math.trunc(segments[0]!.offsetMs)}`;
  const whens = segments
    .slice(0, -1)
    .map((s) => `WHEN ${column} < ${Math.trunc(s.to)} THEN ${Math.trunc(s.offsetMs)}`)
    .join(' ');
  return `${column} + CASE ${whens} ELSE ${Math.trunc(segments[segments.length - 1]!.offsetMs)} END`;
}
