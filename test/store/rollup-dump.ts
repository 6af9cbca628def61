import { CALL_COLUMNS, callToParams, tagEntries } from '../../src/store/call-row.js';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import { MIGRATIONS, migrate } from '../../src/store/migrations/index.js';
import type { CallRecord, SqlDriver } from '../../src/store/types.js';

/** The calls columns schema v1 had (later ones are appended to CALL_COLUMNS). */
export const V1_CALL_COLUMNS = CALL_COLUMNS.slice(0, CALL_COLUMNS.indexOf('service_tier') + 1);

/**
 * An in-memory database at schema `version` holding `calls` as a v2 build wrote them (raw
 * rows only), migrated from v2 to `version`: what the backfills of 003 and later see.
 */
export function oldDatabase(calls: readonly CallRecord[], version: number): SqlDriver {
  const driver = openDriver(':memory:');
  migrate(driver, MIGRATIONS.slice(0, 2));
  const insertCall = driver.prepare(`INSERT INTO calls (${V1_CALL_COLUMNS.join(', ')}) VALUES (${V1_CALL_COLUMNS.map(() => '?').join(', ')})`);
  const insertTag = driver.prepare('INSERT INTO call_tags (call_id, key, value) VALUES (?, ?, ?)');
  driver.transaction(() => {
    for (const c of calls) {
      const id = insertCall.run(...callToParams(c).slice(0, V1_CALL_COLUMNS.length)).lastInsertRowid;
      for (const [k, v] of tagEntries(c)) insertTag.run(id, k, v);
    }
  });
  migrate(driver, MIGRATIONS.slice(0, version));
  return driver;
}

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

