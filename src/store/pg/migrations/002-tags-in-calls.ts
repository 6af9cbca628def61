import type { Migration } from '../../migrations/types.js';

/**
 * PostgreSQL schema v2: ingestion at speed (issue #16, ≥ 50,000 calls/s from one
 * replica). Measured with bench/pg-ingest.ts (server CPU per call, 4 tags per call):
 * one call_tags row per tag (a heap row and two index entries each) was ~19 µs of the
 * server's ~52 µs per call, and the calls indexes ~5 µs. So, on PostgreSQL only:
 *
 * - call_tags is gone. A call's tags live only in calls.tags (the same JSON text as on
 *   SQLite); reads take a tag's value with `tags::jsonb ->> key` (store/read/dialect.ts
 *   tagJoinSql / tagFilterSql), which is also cheaper per row than the join it replaces.
 *   No index on tags: a tag filter scans the time range it covers (reports answer whole
 *   hours of rolled-up tags from rollups; see bench/POSTGRES.md for what this costs reads).
 * - Except the entity keys (rollup-policy.ts ENTITY_KEYS: user_id, session_id), never
 *   rolled up, whose raw calls reports look up one entity at a time (a user's calls, the
 *   p50 of the top users): their values are also in tag_user_id / tag_session_id, written
 *   by the writer (no JSON parsing on the server), each with a partial index on (value,
 *   ts). Measured: ~2.7 µs of server CPU per call with a user_id; without the index one
 *   user's calls over 10 days of 1M calls took 566 ms instead of 1 ms.
 * - call_tag_keys (month, key): the tag keys each month of the call log holds, written
 *   per batch with the calls and dropped with the month's partition, so "every tag key of
 *   the call log" stays an index read (store/read/tag-keys.ts).
 * - calls keeps two indexes on every call: UNIQUE (ts, call_uid), which makes a replayed
 *   record a no-op and also serves every time-range scan and ts ordering (it replaces
 *   calls_ts), and calls_key_name_ts. calls_id went with call_tags (nothing joins on the row id any more;
 *   the tail orders by ts, then id).
 * - tokometer_ensure_month makes the calls partition only.
 */
/** The tag keys whose values v2 also keeps in a column of calls (NULL without the tag), and those columns. */
export const TAG_COLUMNS: Readonly<Record<string, string>> = { user_id: 'tag_user_id', session_id: 'tag_session_id' };

export const pgTagsInCalls: Migration = {
  version: 2,
  name: 'tags-in-calls',
  up: `
    CREATE TABLE call_tag_keys (
      month BIGINT NOT NULL,
      key TEXT NOT NULL,
      PRIMARY KEY (month, key)
    );
    INSERT INTO call_tag_keys (month, key)
      SELECT DISTINCT (extract(epoch FROM date_trunc('month', to_timestamp(ts / 1000.0) AT TIME ZONE 'UTC')) * 1000)::bigint, key FROM call_tags;
    ALTER TABLE calls ADD COLUMN tag_user_id TEXT, ADD COLUMN tag_session_id TEXT;
    UPDATE calls c SET tag_user_id = t.value FROM call_tags t WHERE t.call_id = c.id AND t.ts = c.ts AND t.key = 'user_id';
    UPDATE calls c SET tag_session_id = t.value FROM call_tags t WHERE t.call_id = c.id AND t.ts = c.ts AND t.key = 'session_id';
    CREATE INDEX calls_tag_user_id ON calls (tag_user_id, ts) WHERE tag_user_id IS NOT NULL;
    CREATE INDEX calls_tag_session_id ON calls (tag_session_id, ts) WHERE tag_session_id IS NOT NULL;
    DROP TABLE call_tags;

    ALTER TABLE calls ADD CONSTRAINT calls_ts_call_uid_key UNIQUE (ts, call_uid);
    ALTER TABLE calls DROP CONSTRAINT calls_call_uid_ts_key;
    DROP INDEX calls_ts;
    DROP INDEX calls_id;

    CREATE OR REPLACE FUNCTION tokometer_ensure_month(month_start BIGINT) RETURNS VOID LANGUAGE plpgsql AS $fn$
    DECLARE
      starts TIMESTAMP := to_timestamp(month_start / 1000.0) AT TIME ZONE 'UTC';
      month_end BIGINT := (extract(epoch FROM (starts + interval '1 month')) * 1000)::bigint;
      suffix TEXT := to_char(starts, 'YYYYMM');
    BEGIN
      IF date_trunc('month', starts) <> starts THEN
        RAISE EXCEPTION 'tokometer_ensure_month: % is not the start of a UTC month', month_start;
      END IF;
      IF to_regclass('calls_p' || suffix) IS NOT NULL THEN
        RETURN;
      END IF;
      -- Replicas creating the same month at once take turns.
      PERFORM pg_advisory_xact_lock(hashtext('tokometer:partitions'));
      EXECUTE format('CREATE TABLE IF NOT EXISTS %I PARTITION OF calls FOR VALUES FROM (%s) TO (%s)', 'calls_p' || suffix, month_start, month_end);
    END
    $fn$;
  `,
};
