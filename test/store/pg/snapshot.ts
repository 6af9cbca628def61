/**
 * What the write side leaves in the tables rollups and reports read, as plain sorted rows
 * (ids replaced by the dims they stand for), so a SQLite store and a PostgreSQL store that
 * were given the same calls can be compared with one deepEqual.
 */
import { minuteOf } from '../../../src/store/rollup-policy.js';
import { tagRowsSql } from '../../support/tag-rows.js';

export type AllRows = (sql: string) => Promise<Record<string, unknown>[]>;

const QUERIES = (dialect: Source): Record<string, string> => ({
  calls: `SELECT ts, key_name, provider, endpoint, model_requested, model, status, outcome, streamed, input_tokens, output_tokens,
    cached_input_tokens, cache_write_5m_tokens, cache_write_1h_tokens, reasoning_tokens, cost_nano, provider_cost_nano, price_source,
    usage_source, latency_ms, ttfb_ms, tags, request_hash, prompt_bytes, max_output_tokens, error, service_tier FROM calls`,
  rollups: `SELECT d.key_name, d.provider, d.endpoint, d.model, d.entity_mask, d.tag_key, d.tag_value, d.ident, r.hour, r.calls, r.priced,
    r.unpriced, r.cost_nano, r.input_tokens, r.output_tokens, r.cached_input_tokens, r.latency_hist FROM rollups r JOIN rollup_dims d ON d.id = r.dim_id`,
  rollup_dims: 'SELECT key_name, provider, endpoint, model, entity_mask, tag_key, tag_value, ident FROM rollup_dims',
  entity_months: 'SELECT * FROM entity_months',
  entity_counts: 'SELECT * FROM entity_counts',
  tag_keys: 'SELECT key, rolled_up, reason, changed_at FROM tag_keys',
  tag_key_days: 'SELECT * FROM tag_key_days',
  rollup_state: "SELECT name, value FROM rollup_state WHERE name IN ('raw_since', 'first_hour', 'last_hour')",
  // The calls' tags, from calls.tags (or the call_tags rows of a PostgreSQL v4 store).
  tags: tagRowsSql(dialect, 'c.ts, c.latency_ms, t.key, t.value'),
});

function sortRows(rows: Record<string, unknown>[]): Record<string, unknown>[] {
  const keyed = rows.map((r) => [JSON.stringify(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : 1))), r] as const);
  keyed.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return keyed.map(([, r]) => r);
}

/** Which store the rows come from: `call_tags` = a PostgreSQL store before v5, tags read from call_tags rows. */
type Source = 'sqlite' | 'postgres' | 'call_tags';

/**
 * entity_months rows without first_minute / last_minute (schema v10 on SQLite, v6 on
 * PostgreSQL), after checking each is the UTC minute of first_ts / last_ts: so a snapshot
 * of an older schema compares with one of today's, and every snapshot checks the minutes.
 */
function withoutMinutes(rows: Record<string, unknown>[]): Record<string, unknown>[] {
  return rows.map(({ first_minute, last_minute, ...rest }) => {
    if (first_minute === undefined && last_minute === undefined) return rest;
    if (Number(first_minute) !== minuteOf(Number(rest.first_ts)) || Number(last_minute) !== minuteOf(Number(rest.last_ts))) {
      throw new Error(`entity_months minutes do not match first_ts / last_ts: ${JSON.stringify({ first_minute, last_minute, ...rest })}`);
    }
    return rest;
  });
}

/** Every table of QUERIES on a store of `dialect`, rows sorted. */
export async function snapshot(all: AllRows, dialect: Source): Promise<Record<string, Record<string, unknown>[]>> {
  const out: Record<string, Record<string, unknown>[]> = {};
  for (const [name, sql] of Object.entries(QUERIES(dialect))) {
    const rows = await all(sql);
    out[name] = sortRows(name === 'entity_months' ? withoutMinutes(rows) : rows);
  }
  return out;
}
