import type { SqlDriver } from '../../src/store/types.js';

/** Every rollup-side table as sorted plain rows (dims ids resolved to their tuple). */
export function dump(driver: SqlDriver) {
  const all = (sql: string) => driver.prepare(sql).all();
  return {
    rollups: all(`SELECT d.key_name, d.provider, d.endpoint, d.model, d.entity_mask, d.outcome, d.status, d.reached, d.tag_key, d.tag_value, r.hour, r.calls, r.priced, r.unpriced,
      r.cost_nano, r.input_tokens, r.output_tokens, r.cached_input_tokens, r.latency_hist FROM rollups r JOIN rollup_dims d ON d.id = r.dim_id ORDER BY d.ident, r.hour`),
    entities: all('SELECT * FROM entity_months ORDER BY key, seg_key, month, seg_value, value'),
    entityCounts: all('SELECT * FROM entity_counts ORDER BY key, seg_key, month, seg_value'),
    keys: all('SELECT key, rolled_up, reason FROM tag_keys ORDER BY key'),
    days: all('SELECT * FROM tag_key_days ORDER BY key, day, value'),
    state: all('SELECT * FROM rollup_state ORDER BY name'),
  };
}

