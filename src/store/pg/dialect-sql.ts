import type { SqlValue } from '../types.js';

/**
 * PostgreSQL's forms of the report SQL that differs between dialects (store/read/dialect.ts
 * picks them for `db.dialect === 'postgres'`). Each gives the same values as the SQLite
 * form; test/store/pg/dialect.test.ts runs both on the same inputs.
 */

/** A calendar unit of report buckets. */
export type BucketUnit = 'day' | 'week' | 'month';

/** `localMs` (an expression: local wall-clock ms since the epoch) as a UTC timestamp. */
const asTimestamp = (localMs: string) => `(to_timestamp((${localMs}) / 1000.0) AT TIME ZONE 'UTC')`;

/** `YYYY-MM-DD` of the day, of the Monday of its week, or `YYYY-MM`. */
export function pgTimeBucketSql(unit: BucketUnit, localMs: string): string {
  switch (unit) {
    case 'day':
      return `to_char(${asTimestamp(localMs)}, 'YYYY-MM-DD')`;
    case 'week':
      return `to_char(date_trunc('week', ${asTimestamp(localMs)}), 'YYYY-MM-DD')`;
    case 'month':
      return `to_char(${asTimestamp(localMs)}, 'YYYY-MM')`;
  }
}

/**
 * `expr IN (values)` with the list bound as one JSON text parameter. The values are
 * compared as text (tag values, model and key names are text), or as numbers when every
 * value is a number.
 */
export function pgInListSql(expr: string, values: readonly SqlValue[], negate = false): { sql: string; params: SqlValue[] } {
  const numeric = values.length > 0 && values.every((v) => typeof v === 'number');
  const element = numeric ? 'value::numeric' : 'value';
  return {
    sql: `${expr} ${negate ? 'NOT IN' : 'IN'} (SELECT ${element} FROM json_array_elements_text(CAST(? AS json)))`,
    params: [JSON.stringify(values)],
  };
}

/** An aggregate joining latency_hist texts (`[bucket, calls, …]`) of a group into one such text. */
export function pgLatencyHistConcatSql(column: string): string {
  return `'[' || COALESCE(string_agg(NULLIF(substr(${column}, 2, length(${column}) - 2), ''), ','), '') || ']'`;
}

/** The call `c`'s value of tag `?` (its key, a parameter), from calls.tags; NULL when the call has no such tag. */
const TAG_VALUE = "(c.tags::jsonb ->> CAST(? AS text))";

/**
 * A join giving `alias.value`, call `c`'s value of tag `key` (calls.tags holds the tags
 * on PostgreSQL, migrations/005): NULL without the tag (`left`), or only calls with it
 * (`inner`). A one-row LATERAL subquery, which the planner folds into a plain expression.
 */
export function pgTagJoinSql(alias: string, key: string, kind: 'left' | 'inner'): { sql: string; params: SqlValue[] } {
  const lateral = `LATERAL (SELECT ${TAG_VALUE} AS value) ${alias}`;
  return { sql: kind === 'left' ? `LEFT JOIN ${lateral} ON true` : `JOIN ${lateral} ON ${alias}.value IS NOT NULL`, params: [key] };
}

/**
 * Call `c`'s tag `key` equals `value` (`=`) or not (`!=`, true for calls without the
 * tag); with `value` null: the call has no such tag (`=`) or has it (`!=`).
 */
export function pgTagFilterSql(key: string, op: '=' | '!=', value: string | null): { sql: string; params: SqlValue[] } {
  if (value === null) return { sql: `${TAG_VALUE} IS ${op === '=' ? '' : 'NOT '}NULL`, params: [key] };
  return { sql: `${TAG_VALUE} ${op === '=' ? '=' : 'IS DISTINCT FROM'} ?`, params: [key, value] };
}
