/**
 * One row per tag of every stored call, as `t.key`, `t.value` next to the call `c`: the
 * call_tags rows on SQLite; on PostgreSQL, which keeps tags only in calls.tags
 * (src/store/pg/migrations/005), that JSON expanded. `columns` over `c` and `t`.
 */
export function tagRowsSql(dialect: 'sqlite' | 'postgres', columns = 'c.ts, t.key, t.value'): string {
  if (dialect === 'postgres') return `SELECT ${columns} FROM calls c CROSS JOIN LATERAL jsonb_each_text(c.tags::jsonb) AS t(key, value)`;
  return `SELECT ${columns} FROM call_tags t JOIN calls c ON c.id = t.call_id`;
}
