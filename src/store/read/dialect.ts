import type { CalendarUnit } from '../../lib/calendar.js';
import type { Db, Dialect } from '../db.js';
import { LATEST_VERSION } from '../migrations/index.js';
import { TAG_ROW_KEYS } from '../rollup-policy.js';
import type { SqlValue } from '../types.js';
import { pgInListSql, pgLatencyHistConcatSql, pgTagFilterSql, pgTagJoinSql, pgTimeBucketSql } from '../pg/dialect-sql.js';
import { postgresMeta } from '../pg/meta.js';
import { postgresSchemaVersion } from '../pg/migrations/runner.js';
import { joinFragments, type Fragment } from './fragment.js';

/**
 * The SQL of the report queries that differs between dialects, and nothing else: date
 * labels from a ms column, a list bound as one parameter, a call's tags (calls.tags, and
 * the postings of the keys never rolled up on SQLite), joining latency histogram texts, the per-group
 * median, the schema version. Everything else in src/store/read is
 * plain SQL both SQLite and PostgreSQL accept. The PostgreSQL forms live in
 * pg/dialect-sql.ts (checked against these on the same inputs).
 */

/**
 * The label of the calendar bucket of `localMs`, an expression giving a local wall-clock
 * time in ms since the epoch: `YYYY-MM-DD`, the Monday of its week (`YYYY-MM-DD`), or
 * `YYYY-MM` (lib/calendar.ts bucketLabel gives the same labels).
 */
export function timeBucketSql(dialect: Dialect, unit: CalendarUnit, localMs: string): string {
  if (dialect === 'postgres') return pgTimeBucketSql(unit, localMs);
  const secs = `(${localMs}) / 1000, 'unixepoch'`;
  switch (unit) {
    case 'day':
      return `date(${secs})`;
    case 'week':
      return `date(${secs}, '-6 days', 'weekday 1')`;
    case 'month':
      return `strftime('%Y-%m', ${secs})`;
  }
}

/** `expr IN (values)` with the whole list bound as one parameter (`NOT IN` with `negate`). */
export function inListSql(dialect: Dialect, expr: string, values: readonly SqlValue[], negate = false): Fragment {
  if (dialect === 'postgres') return pgInListSql(expr, values, negate);
  return { sql: `${expr} ${negate ? 'NOT IN' : 'IN'} (SELECT value FROM json_each(?))`, params: [JSON.stringify(values)] };
}

/**
 * Whether SQLite keeps postings of tag `key` (migrations/012-tag-postings.ts): since
 * schema v12, one call_postings row per value and write batch for the keys never rolled
 * up (rollup-policy.ts TAG_ROW_KEYS: user_id, session_id, request_id, conversation_id, …).
 */
function hasPostings(key: string): boolean {
  return TAG_ROW_KEYS.has(key);
}

/** The call ids of the postings `p` of one value: `FROM` items giving `j.value` per call id. */
const POSTED_IDS = 'call_postings p, json_each(p.ids) j';

/**
 * A join of the calls `c` giving `alias.value`: the call's value of tag `key`. `left`:
 * NULL for calls without the tag; `inner`: only the calls with it. On SQLite it reads the
 * call's own tags (json_each over calls.tags, a few entries per call).
 */
export function tagJoinSql(dialect: Dialect, alias: string, key: string, kind: 'left' | 'inner' = 'left'): Fragment {
  if (dialect === 'postgres') return pgTagJoinSql(alias, key, kind);
  const join = kind === 'left' ? 'LEFT JOIN' : 'JOIN';
  return { sql: `${join} json_each(c.tags) ${alias} ON ${alias}.key = ?`, params: [key] };
}

/**
 * `FROM` items and a condition (to go on with `AND …`) giving the calls `c` whose tag
 * `key` is one of `values`, with that value as `alias.value`. On SQLite, for a key in
 * TAG_ROW_KEYS, it reads those values' postings by primary key and joins their calls by
 * id (one user's calls without a scan); otherwise calls.tags, filtered by the list.
 */
export function callsWithTagValuesSql(dialect: Dialect, alias: string, key: string, values: readonly string[]): Fragment {
  if (dialect === 'sqlite' && hasPostings(key)) {
    const listed = inListSql(dialect, `${alias}.value`, values);
    return joinFragments(
      { sql: `call_postings ${alias} JOIN json_each(${alias}.ids) ${alias}_id JOIN calls c ON c.id = ${alias}_id.value WHERE ${alias}.key = ? AND`, params: [key] },
      listed,
    );
  }
  return joinFragments('calls c', tagJoinSql(dialect, alias, key, 'inner'), 'WHERE', inListSql(dialect, `${alias}.value`, values));
}

/**
 * A condition on the call `c`: its tag `key` equals `value` (`=`), or not (`!=`: also
 * the calls without that tag); with `value` null, the call has no such tag (`=`) or has
 * it (`!=`). On SQLite, for a key in TAG_ROW_KEYS `=` reads the value's postings by primary
 * key; everything else is looked up in the call's own calls.tags.
 */
export function tagFilterSql(dialect: Dialect, key: string, op: '=' | '!=', value: string | null): Fragment {
  if (dialect === 'postgres') return pgTagFilterSql(key, op, value);
  if (value === null) return { sql: `${op === '=' ? 'NOT ' : ''}EXISTS (SELECT 1 FROM json_each(c.tags) w WHERE w.key = ?)`, params: [key] };
  if (op === '=' && hasPostings(key)) return { sql: `c.id IN (SELECT j.value FROM ${POSTED_IDS} WHERE p.key = ? AND p.value = ?)`, params: [key, value] };
  return { sql: `${op === '=' ? '' : 'NOT '}EXISTS (SELECT 1 FROM json_each(c.tags) w WHERE w.key = ? AND w.value = ?)`, params: [key, value] };
}

/**
 * `SELECT COUNT(DISTINCT …) AS n`: the distinct values of tag `key` among the calls `c`
 * that `where` (a `WHERE …` over calls c) keeps. On SQLite, for a key in TAG_ROW_KEYS, it
 * reads the key's postings whose id bounds overlap those of the calls in scope and counts
 * a value when one of its call ids is in scope (`IN (calls in scope)`, built once);
 * PostgreSQL, and SQLite for other keys, read each call's tag from calls.tags.
 * `postings`: false for a SQLite file older than
 * v12 read as it is, without migrating (store/read/tag-keys.ts has the same fallback).
 */
export function countDistinctTagSql(dialect: Dialect, key: string, where: Fragment, postings = true): Fragment {
  if (dialect === 'postgres') return joinFragments('SELECT COUNT(DISTINCT u.value) AS n FROM calls c', pgTagJoinSql('u', key, 'left'), where);
  if (!postings || !hasPostings(key)) return joinFragments('SELECT COUNT(DISTINCT u.value) AS n FROM calls c', tagJoinSql(dialect, 'u', key, 'inner'), where);
  // The bounds are uncorrelated subqueries (run once), so the postings stay the only loop, in value order.
  return joinFragments(
    { sql: 'SELECT COUNT(DISTINCT p.value) AS n FROM call_postings p WHERE p.key = ? AND p.last_id >= (SELECT MIN(c.id) FROM calls c', params: [key] },
    where,
    ') AND p.first_id <= (SELECT MAX(c.id) FROM calls c',
    where,
    ') AND EXISTS (SELECT 1 FROM json_each(p.ids) j WHERE j.value IN (SELECT c.id FROM calls c',
    where,
    '))',
  );
}

/**
 * `expr` (text) as an ORDER BY term in UTF-8 byte order, the order lib/byte-order.ts
 * compareUtf8 ranks with in JavaScript: SQLite's BINARY collation already is; PostgreSQL
 * otherwise sorts by the database's collation, linguistic on most installs (en_US.utf8
 * puts "a" before "B"), so a top-N tie would keep a different group than SQLite and the
 * rollup path do.
 */
export function byteOrderSql(dialect: Dialect, expr: string): string {
  return dialect === 'postgres' ? `${expr} COLLATE "C"` : expr;
}

/**
 * A statement giving `key`: every distinct tag key of the call log, in UTF-8 byte order:
 * the keys call_tag_keys registers per UTC month of the call log (SQLite v9, PostgreSQL
 * v5), deleted with the month.
 */
export function tagKeysSql(dialect: Dialect): string {
  if (dialect === 'postgres') return 'SELECT DISTINCT key COLLATE "C" AS key FROM call_tag_keys ORDER BY 1';
  return 'SELECT DISTINCT key FROM call_tag_keys ORDER BY 1';
}

/**
 * An aggregate joining the rollups.latency_hist texts (`[bucket, calls, …]`) of a group
 * into one such text, in any order (the reader adds the pairs up).
 */
export function latencyHistConcatSql(dialect: Dialect, column: string): string {
  if (dialect === 'postgres') return pgLatencyHistConcatSql(column);
  return `'[' || COALESCE(group_concat(NULLIF(substr(${column}, 2, length(${column}) - 2), '')), '') || ']'`;
}

/**
 * Median of `lat` per group over the rows of `base` (a SELECT giving the columns `groups`
 * and `lat`), as a statement returning the groups and `p50`: one window ranks the values
 * per group (ROW_NUMBER and a whole-partition COUNT share it, so the rows are sorted
 * once) and the one or two middle rows are averaged (mean of the middle two for an even
 * count). Only those rows leave the database.
 */
export function groupMedianSql(_dialect: Dialect, base: Fragment, groups: readonly string[]): Fragment {
  // The same window SQL on both dialects.
  const partition = groups.length > 0 ? `PARTITION BY ${groups.join(', ')}` : '';
  return {
    sql: `WITH base AS (${base.sql}), ranked AS (SELECT *, ROW_NUMBER() OVER w AS rn,
      COUNT(*) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS n FROM base WINDOW w AS (${partition} ORDER BY lat))
      SELECT ${[...groups, 'AVG(lat) AS p50'].join(', ')} FROM ranked WHERE rn IN ((n + 1) / 2, (n + 2) / 2)${groups.length > 0 ? ` GROUP BY ${groups.join(', ')}` : ''}`,
    params: base.params,
  };
}

/**
 * The SQLite schema version the database has (0 for an empty one). A PostgreSQL schema,
 * numbered apart, has every SQLite version's tables from its v1 on, so it reads as the
 * SQLite version this build writes.
 */
export async function schemaVersionOf(db: Db): Promise<number> {
  if (db.dialect === 'postgres') return (await postgresSchemaVersion(db)) > 0 ? LATEST_VERSION : 0;
  return Number((await db.get<{ user_version: number }>('PRAGMA user_version'))?.user_version ?? 0);
}

/** Does the database have a table of that name? (Older schemas lack some: `alerts` arrived with v2.) */
export async function tableExists(db: Db, name: string): Promise<boolean> {
  if (db.dialect === 'postgres') return (await db.get<{ t: string | null }>('SELECT to_regclass(?)::text AS t', [name]))?.t != null;
  return (await db.get("SELECT 1 AS ok FROM sqlite_master WHERE type = 'table' AND name = ?", [name])) !== undefined;
}

/**
 * A number that changes whenever another connection commits (cheap; polled by the
 * dashboard). On PostgreSQL: whenever a call is written or keys and budgets change.
 */
export async function changeCounter(db: Db): Promise<number> {
  if (db.dialect === 'postgres') return postgresMeta(db).changeCounter();
  return Number((await db.get<{ data_version: number }>('PRAGMA data_version'))?.data_version ?? 0);
}
