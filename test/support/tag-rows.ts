/**
 * One row per tag of every stored call, as `t.key`, `t.value` next to the call `c`:
 * calls.tags expanded (the only full copy of a call's tags on both stores since SQLite v9
 * and PostgreSQL v5), or with `call_tags` the call_tags rows of a store written before
 * (PostgreSQL v4 and older). `columns` over `c` and `t`.
 */
export function tagRowsSql(source: 'sqlite' | 'postgres' | 'call_tags', columns = 'c.ts, t.key, t.value'): string {
  if (source === 'call_tags') return `SELECT ${columns} FROM call_tags t JOIN calls c ON c.id = t.call_id`;
  if (source === 'postgres') return `SELECT ${columns} FROM calls c CROSS JOIN LATERAL jsonb_each_text(c.tags::jsonb) AS t(key, value)`;
  return `SELECT ${columns} FROM calls c, json_each(c.tags) t`;
}

/**
 * One row per call id listed in a posting of SQLite v12 (call_postings), as `c.ts`,
 * `p.key`, `p.value` next to its call `c`: the stored form of the TAG_ROW_KEYS tags.
 */
export const POSTED_TAG_ROWS_SQL = 'SELECT c.ts, p.key, p.value FROM call_postings p, json_each(p.ids) j JOIN calls c ON c.id = j.value';
