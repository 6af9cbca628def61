import type { Migration } from '../../migrations/types.js';
import { ENSURE_MONTH_V1 } from './001-initial.js';
import { editedSql } from './edited-sql.js';

/** v5's tokometer_ensure_month: v1's text, as released, making the calls partition only. */
const ENSURE_MONTH_V5 = editedSql(ENSURE_MONTH_V1, [
  ['CREATE FUNCTION', 'CREATE OR REPLACE FUNCTION'],
  [" AND to_regclass('call_tags_p' || suffix) IS NOT NULL", ''],
  ["      EXECUTE format('CREATE TABLE IF NOT EXISTS %I PARTITION OF call_tags FOR VALUES FROM (%s) TO (%s)', 'call_tags_p' || suffix, month_start, month_end);\n", ''],
]);

/**
 * PostgreSQL schema v5: ingestion at speed (issue #16, ≥ 50,000 calls/s from one
 * replica). It follows v2 (prices), v3 (budget leases) and v4 (budget_shares reprices),
 * none of which touches calls or call_tags, and keeps every call and tag of a database
 * written by v4 (test/store/pg-migrate-v5.test.ts). Measured with bench/pg-ingest.ts
 * (server CPU per call, 4 tags per call): one call_tags row per tag (a heap row and two
 * index entries each) was ~19 µs of the server's ~52 µs per call, and the calls indexes
 * ~5 µs. So, on PostgreSQL only:
 *
 * - call_tags is gone. A call's tags live only in calls.tags (the same JSON text as on
 *   SQLite); reads take a tag's value with `tags::jsonb ->> key` (store/read/dialect.ts
 *   tagJoinSql / tagFilterSql), which is also cheaper per row than the join it replaces.
 *   No index on tags: a tag filter scans the time range it covers (reports answer whole
 *   hours of rolled-up tags from rollups). What that costs reads: one user's raw calls
 *   over 10 days of 1M calls took 566 ms instead of 1 ms with an index (commit 558f30f,
 *   which keeps user_id and session_id in indexed columns as well, at ~3 µs more server
 *   CPU per call; cherry-pick it to trade ingestion for those reads).
 * - call_tag_keys (month, key): the tag keys each month of the call log holds, written
 *   per batch with the calls and dropped with the month's partition, so "every tag key of
 *   the call log" stays an index read (store/read/tag-keys.ts).
 * - calls keeps two indexes: UNIQUE (ts, call_uid), which makes a replayed record a no-op
 *   and also serves every time-range scan and ts ordering (it replaces calls_ts), and
 *   calls_key_name_ts. calls_id went with call_tags (nothing joins on the row id any more;
 *   the tail and repricing order by ts, then id: the (ts, call_uid) index, then a sort
 *   within one ms).
 * - tokometer_ensure_month makes the calls partition only.
 */
export const pgTagsInCalls: Migration = {
  version: 5,
  name: 'tags-in-calls',
  up: `
    CREATE TABLE call_tag_keys (
      month BIGINT NOT NULL,
      key TEXT NOT NULL,
      PRIMARY KEY (month, key)
    );
    -- The writers put the same tags in both; refuse to drop call_tags if a row says otherwise.
    DO $check$ BEGIN
      IF EXISTS (SELECT 1 FROM call_tags t JOIN calls c ON c.id = t.call_id AND c.ts = t.ts WHERE c.tags::jsonb ->> t.key IS DISTINCT FROM t.value) THEN
        RAISE EXCEPTION 'tags-in-calls: a call_tags row differs from its call''s calls.tags; call_tags left in place';
      END IF;
    END $check$;
    INSERT INTO call_tag_keys (month, key)
      SELECT DISTINCT (extract(epoch FROM date_trunc('month', to_timestamp(ts / 1000.0) AT TIME ZONE 'UTC')) * 1000)::bigint, key FROM call_tags;
    DROP TABLE call_tags;

    ALTER TABLE calls ADD CONSTRAINT calls_ts_call_uid_key UNIQUE (ts, call_uid);
    ALTER TABLE calls DROP CONSTRAINT calls_call_uid_ts_key;
    DROP INDEX calls_ts;
    DROP INDEX calls_id;

${ENSURE_MONTH_V5}  `,
};
