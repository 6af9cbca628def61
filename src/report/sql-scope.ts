import { UsageError } from '../lib/errors.js';
import type { SqlDriver, SqlValue } from '../store/types.js';
import { offsetSegments } from './tz.js';
import { NONE, TAG_KEY_RE, isBuiltin, isTimeDimension, type BuiltinDimension, type TimeDimension, type WhereClause } from './types.js';

/**
 * SQL fragments over the raw call log (`calls c` + `call_tags`) shared by every raw
 * query: which calls are in scope (time range, key, --where) and how each dimension
 * turns a call into a group value. Parameters are positional; each fragment carries its
 * own, and callers concatenate fragments in the order their SQL text appears.
 */

export interface Fragment {
  sql: string;
  params: SqlValue[];
}

/** Which calls a query covers. Times in ms since the epoch, [since, until). */
export interface Scope {
  since: number;
  until: number;
  where: WhereClause[];
  keyName?: string;
  timeZone: string;
}

/** `COALESCE` fallbacks keep every built-in group value a non-NULL string. */
type ColumnDimension = Exclude<BuiltinDimension, TimeDimension>;
const BUILTIN_EXPR: Record<ColumnDimension, string> = {
  model: `COALESCE(c.model, c.model_requested, '${NONE}')`,
  provider: 'c.provider',
  key: `COALESCE(c.key_name, '${NONE}')`,
  endpoint: 'c.endpoint',
};

/** Throws a UsageError unless `dim` is a built-in or a well-formed tag key. */
export function checkDimension(dim: string, flag: string): void {
  if (!isBuiltin(dim) && !TAG_KEY_RE.test(dim)) {
    throw new UsageError(
      `${flag} "${dim}" is neither a built-in (model, provider, key, endpoint, day, week, month) nor a tag key ([A-Za-z0-9_.:-], 1–64 characters).`,
    );
  }
}

/** `WHERE …` for the scope. Tag filters go through the call_tags (key, value) index. */
export function whereFragment(scope: Scope): Fragment {
  const parts = ['c.ts >= ?', 'c.ts < ?'];
  const params: SqlValue[] = [scope.since, scope.until];
  if (scope.keyName !== undefined) {
    parts.push('c.key_name = ?');
    params.push(scope.keyName);
  }
  for (const w of scope.where) {
    checkDimension(w.key, '--where');
    if (isTimeDimension(w.key)) throw new UsageError(`--where cannot filter on "${w.key}"; use --since and --until.`);
    if (isBuiltin(w.key)) {
      parts.push(`${BUILTIN_EXPR[w.key as ColumnDimension]} ${w.op === '=' ? '=' : '<>'} ?`);
      params.push(w.value);
    } else if (w.value === NONE) {
      // "(none)" = the call has no such tag.
      parts.push(`${w.op === '=' ? 'NOT ' : ''}EXISTS (SELECT 1 FROM call_tags w WHERE w.call_id = c.id AND w.key = ?)`);
      params.push(w.key);
    } else if (w.op === '=') {
      parts.push('c.id IN (SELECT call_id FROM call_tags WHERE key = ? AND value = ?)');
      params.push(w.key, w.value);
    } else {
      parts.push('NOT EXISTS (SELECT 1 FROM call_tags w WHERE w.call_id = c.id AND w.key = ? AND w.value = ?)');
      params.push(w.key, w.value);
    }
  }
  return { sql: `WHERE ${parts.join(' AND ')}`, params };
}

/** Group-value expressions (one per dimension, all non-NULL strings) and the joins they need. */
export interface DimensionSql {
  exprs: string[];
  joins: Fragment;
}

/**
 * Builds the group expressions. Tag dimensions LEFT JOIN call_tags on its primary key
 * (call_id, key); calls without the tag get `(none)`. Time dimensions shift `ts` by the
 * zone's offset (a CASE over the offset segments of the period, so DST is exact) and
 * format the local date with SQLite's date functions; weeks are labelled by their Monday.
 */
export function dimensionSql(driver: SqlDriver, by: readonly string[], scope: Scope): DimensionSql {
  const exprs: string[] = [];
  const joinSql: string[] = [];
  const params: SqlValue[] = [];
  let localTs: string | undefined;
  by.forEach((dim, i) => {
    checkDimension(dim, '--by');
    if (isTimeDimension(dim)) {
      localTs ??= localTimeExpr(driver, scope);
      exprs.push(timeBucketExpr(dim, localTs));
    } else if (isBuiltin(dim)) {
      exprs.push(BUILTIN_EXPR[dim as ColumnDimension]);
    } else {
      joinSql.push(`LEFT JOIN call_tags d${i} ON d${i}.call_id = c.id AND d${i}.key = ?`);
      params.push(dim);
      exprs.push(`COALESCE(d${i}.value, '${NONE}')`);
    }
  });
  return { exprs, joins: { sql: joinSql.join(' '), params } };
}

/** The label of a time bucket from a local wall-clock ms expression (see rows.ts bucketLabel). */
export function timeBucketExpr(dim: TimeDimension, localTs: string): string {
  const secs = `(${localTs}) / 1000, 'unixepoch'`;
  switch (dim) {
    case 'day':
      return `date(${secs})`;
    case 'week':
      return `date(${secs}, '-6 days', 'weekday 1')`;
    case 'month':
      return `strftime('%Y-%m', ${secs})`;
  }
}

/**
 * `c.ts` shifted to local wall-clock ms. The offset segments are computed for the span
 * the scope's calls actually cover (two index probes on calls.ts), so a wide --since
 * costs nothing extra. Offsets are integers inlined as literals.
 */
function localTimeExpr(driver: SqlDriver, scope: Scope): string {
  const first = driver.prepare('SELECT ts FROM calls WHERE ts >= ? AND ts < ? ORDER BY ts LIMIT 1').get<{ ts: number }>(scope.since, scope.until);
  const last = driver.prepare('SELECT ts FROM calls WHERE ts >= ? AND ts < ? ORDER BY ts DESC LIMIT 1').get<{ ts: number }>(scope.since, scope.until);
  const from = first?.ts ?? scope.since;
  const to = (last?.ts ?? scope.since) + 1;
  return localTimeOf('c.ts', from, to, scope.timeZone);
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

/** Concatenates fragments with spaces, keeping parameters in text order. */
export function joinFragments(...parts: Array<Fragment | string>): Fragment {
  const sql: string[] = [];
  const params: SqlValue[] = [];
  for (const p of parts) {
    if (typeof p === 'string') sql.push(p);
    else {
      sql.push(p.sql);
      params.push(...p.params);
    }
  }
  return { sql: sql.join(' '), params };
}
