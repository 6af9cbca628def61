import { DENYLISTED_TAG_KEYS, ENTITY_KEYS, HOUR_MS, LATENCY_BUCKET_LOW, MAX_TAG_VALUES_PER_DAY, ROLLUP_NONE, latencyBucketMid } from '../rollup-policy.js';
import { rollupsFromBackfillSql } from './rollups-from-backfill.js';
import type { Migration } from './types.js';

/**
 * Schema v3: rollups, so reports read a month in milliseconds and old reports still add
 * up after retention pruned the raw calls. Written in the same transaction as the calls
 * (rollup-writer.ts); the constants live in rollup-policy.ts. Times in ms since the epoch
 * (UTC), money in integer nano-USD.
 *
 * rollup_dims: one row per distinct (key_name, provider, endpoint, model, entity_mask,
 *   tag_key, tag_value). model = COALESCE(calls.model, calls.model_requested).
 *   entity_mask has bit ENTITY_KEYS[i].bit set when the calls carry that entity tag
 *   (user_id = 1, session_id = 2). tag_key '' / tag_value '' is the "all calls" row;
 *   otherwise the row counts the calls carrying tag_key = tag_value, for rolled-up keys
 *   only. `ident` is the tuple as a JSON array (NULL-safe uniqueness).
 * rollups: per dims row and UTC hour: calls, priced calls (cost known), unpriced calls
 *   (usage known, no price), cost and token sums, and the latency histogram as JSON
 *   text `[bucket, calls, bucket, calls, …]` (buckets ascending, see latency_buckets).
 *   Every call adds to its '' row and to one row per rolled-up tag, so a call without
 *   tag K is (all calls) − (calls with K).
 * latency_buckets: the fixed log-scale bucket bounds (lo, ms) and midpoints (mid, ms).
 * tag_keys: every tag key seen; rolled_up = 1 while its values are in the rollups,
 *   0 for denylisted keys and for keys demoted because one UTC day (tag_key_days) held
 *   more than MAX_TAG_VALUES_PER_DAY values; `reason` says which; changed_at in ms.
 * tag_key_days: distinct values of rolled-up keys per UTC day (bounded by the limit).
 * entity_months: per entity key (user_id, session_id), UTC month, segment key ('' or a
 *   segment tag such as user_tier; seg_value '(none)' when the call lacks it) and entity
 *   value: first/last call time in that month and the month's sums. Exact distinct
 *   entity counts for ranges made of whole months, month prefixes and month suffixes;
 *   entity_months_cost (seg_key '' rows only) lists a month's entities by cost.
 * entity_counts: number of entity_months rows per (key, seg_key, month, seg_value), so a
 *   whole month's distinct count is one lookup.
 * rollup_state: 'raw_since' (raw calls are complete from this ms on; raised by prune),
 *   'first_hour' / 'last_hour' (span of the rolled-up calls).
 *
 * Existing calls are backfilled by the same rules.
 */

const HC = DENYLISTED_TAG_KEYS.map((k) => `'${k}'`).join(', ');
const MASK = ENTITY_KEYS.map((e) => `${e.bit} * EXISTS (SELECT 1 FROM call_tags x WHERE x.call_id = c.id AND x.key = '${e.key}')`).join(' + ');
const BUCKET_ROWS = LATENCY_BUCKET_LOW.map((lo, i) => `(${i}, ${String(lo)}, ${String(latencyBucketMid(i))})`).join(',\n      ');
/** The measure columns of rollups and entity_months (as of v3; store/measures.ts holds today's list). */
const MEASURE_DDL = ['calls', 'priced', 'unpriced', 'cost_nano', 'input_tokens', 'output_tokens', 'cached_input_tokens'].map((c) => `${c} INTEGER NOT NULL,`).join('\n      ');
const DIMS = 'key_name, provider, endpoint, model, entity_mask, tag_key, tag_value';
/** The measure columns summed over the rows of `alias` (as of v3; store/measures.ts callMeasuresSql is today's). */
const measuresOf = (a: string) => `COUNT(*), COUNT(${a}.cost_nano), SUM(${a}.cost_nano IS NULL AND ${a}.input_tokens IS NOT NULL),
        COALESCE(SUM(${a}.cost_nano), 0), COALESCE(SUM(${a}.input_tokens), 0), COALESCE(SUM(${a}.output_tokens), 0), COALESCE(SUM(${a}.cached_input_tokens), 0)`;

const entityBackfill = ENTITY_KEYS.flatMap((e) =>
  ['', ...e.segments].map((seg) => {
    const segValue = seg === '' ? "''" : `COALESCE((SELECT s.value FROM call_tags s WHERE s.call_id = c.id AND s.key = '${seg}'), '${ROLLUP_NONE}')`;
    return `SELECT '${e.key}' AS key, '${seg}' AS seg_key, ${segValue} AS seg_value, t.value AS value, c.* FROM calls c JOIN call_tags t ON t.call_id = c.id AND t.key = '${e.key}'`;
  }),
).join('\n      UNION ALL ');

export const rollups: Migration = {
  version: 3,
  name: 'rollups',
  up: `
    CREATE TABLE latency_buckets (bucket INTEGER PRIMARY KEY, lo REAL NOT NULL UNIQUE, mid REAL NOT NULL);
    INSERT INTO latency_buckets (bucket, lo, mid) VALUES
      ${BUCKET_ROWS};

    CREATE TABLE rollup_dims (
      id INTEGER PRIMARY KEY,
      key_name TEXT,
      provider TEXT NOT NULL,
      endpoint TEXT NOT NULL,
      model TEXT,
      entity_mask INTEGER NOT NULL,
      tag_key TEXT NOT NULL,
      tag_value TEXT NOT NULL,
      ident TEXT NOT NULL UNIQUE
    );
    CREATE INDEX rollup_dims_tag ON rollup_dims (tag_key, tag_value);

    CREATE TABLE rollups (
      dim_id INTEGER NOT NULL,
      hour INTEGER NOT NULL,
      ${MEASURE_DDL}
      latency_hist TEXT NOT NULL,
      PRIMARY KEY (dim_id, hour)
    ) WITHOUT ROWID;

    CREATE TABLE tag_keys (
      key TEXT PRIMARY KEY,
      rolled_up INTEGER NOT NULL,
      reason TEXT,
      changed_at INTEGER
    ) WITHOUT ROWID;

    CREATE TABLE tag_key_days (
      key TEXT NOT NULL,
      day INTEGER NOT NULL,
      value TEXT NOT NULL,
      PRIMARY KEY (key, day, value)
    ) WITHOUT ROWID;

    CREATE TABLE entity_months (
      key TEXT NOT NULL,
      seg_key TEXT NOT NULL,
      month INTEGER NOT NULL,
      seg_value TEXT NOT NULL,
      value TEXT NOT NULL,
      first_ts INTEGER NOT NULL,
      last_ts INTEGER NOT NULL,
      ${MEASURE_DDL}
      PRIMARY KEY (key, seg_key, month, seg_value, value)
    ) WITHOUT ROWID;
    CREATE INDEX entity_months_first ON entity_months (key, seg_key, month, first_ts);
    CREATE INDEX entity_months_last ON entity_months (key, seg_key, month, last_ts);
    CREATE INDEX entity_months_cost ON entity_months (key, month, cost_nano DESC, calls DESC, value) WHERE seg_key = '';

    CREATE TABLE entity_counts (
      key TEXT NOT NULL,
      seg_key TEXT NOT NULL,
      month INTEGER NOT NULL,
      seg_value TEXT NOT NULL,
      entities INTEGER NOT NULL,
      PRIMARY KEY (key, seg_key, month, seg_value)
    ) WITHOUT ROWID;

    CREATE TABLE rollup_state (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
    INSERT INTO rollup_state (name, value) VALUES ('raw_since', 0);
    INSERT INTO rollup_state (name, value) SELECT 'first_hour', CAST(MIN(ts) / ${HOUR_MS} AS INTEGER) * ${HOUR_MS} FROM calls HAVING COUNT(*) > 0;
    INSERT INTO rollup_state (name, value) SELECT 'last_hour', CAST(MAX(ts) / ${HOUR_MS} AS INTEGER) * ${HOUR_MS} FROM calls HAVING COUNT(*) > 0;

    INSERT INTO tag_keys (key, rolled_up, reason)
      SELECT key, key NOT IN (${HC}), CASE WHEN key IN (${HC}) THEN 'denylist' END FROM (SELECT DISTINCT key FROM call_tags);
    INSERT INTO tag_key_days (key, day, value)
      SELECT DISTINCT t.key, CAST(c.ts / 86400000 AS INTEGER) * 86400000, t.value
      FROM call_tags t JOIN calls c ON c.id = t.call_id JOIN tag_keys k ON k.key = t.key AND k.rolled_up = 1;
    UPDATE tag_keys SET rolled_up = 0, reason = 'cardinality'
      WHERE key IN (SELECT key FROM tag_key_days GROUP BY key, day HAVING COUNT(*) > ${MAX_TAG_VALUES_PER_DAY});
    DELETE FROM tag_key_days WHERE key IN (SELECT key FROM tag_keys WHERE rolled_up = 0);

    CREATE TEMP TABLE rollup_backfill AS
      WITH base AS (
        SELECT c.id, CAST(c.ts / ${HOUR_MS} AS INTEGER) * ${HOUR_MS} AS hour, c.key_name, c.provider, c.endpoint,
          COALESCE(c.model, c.model_requested) AS model, ${MASK} AS entity_mask,
          c.cost_nano, c.input_tokens, c.output_tokens, c.cached_input_tokens,
          COALESCE((SELECT b.bucket FROM latency_buckets b WHERE b.lo <= c.latency_ms ORDER BY b.lo DESC LIMIT 1), 0) AS bucket
        FROM calls c
      )
      SELECT b.*, '' AS tag_key, '' AS tag_value FROM base b
      UNION ALL
      SELECT b.*, t.key, t.value FROM base b JOIN call_tags t ON t.call_id = b.id JOIN tag_keys k ON k.key = t.key AND k.rolled_up = 1;
    ${rollupsFromBackfillSql(DIMS, 'INSERT', measuresOf('f'))}

    INSERT INTO entity_months
      SELECT e.key, e.seg_key, CAST(strftime('%s', e.ts / 1000, 'unixepoch', 'start of month') AS INTEGER) * 1000, e.seg_value, e.value,
        MIN(e.ts), MAX(e.ts), ${measuresOf('e')}
      FROM (
      ${entityBackfill}
      ) e
      GROUP BY 1, 2, 3, 4, 5;
    INSERT INTO entity_counts SELECT key, seg_key, month, seg_value, COUNT(*) FROM entity_months GROUP BY 1, 2, 3, 4;
  `,
};
