import type { Migration } from './types.js';

/**
 * Schema v9: ingestion at speed on SQLite (issue #17, ≥ 100,000 calls/s on bun:sqlite).
 * Measured with bench/store-ingest.mjs (three tags per call): one call_tags row per tag
 * was ~8 µs of ~21 µs per call, ~7 µs of it the `call_tags (key, value)` index. So, as
 * PostgreSQL v5 did (pg/migrations/005), a call's tags are read from calls.tags (the JSON
 * text every call already carries; store/read/dialect.ts reads it with json_each) except:
 *
 * - call_tags keeps the rows of the keys that are never rolled up (rollup-policy.ts
 *   TAG_ROW_KEYS: the entity keys `user_id` and `session_id`, and the request-scoped ids
 *   `request_id`, `trace_id`, `span_id`, `message_id`, `conversation_id`, `thread_id`,
 *   `idempotency_key`), with its `(key, value)` index: reports answer those from raw rows
 *   only, so one user's or one conversation's calls, the p50 of the top users and
 *   distinct-user counts stay index reads (`report --by user_id --top N`, unit economics,
 *   `--where conversation_id=…`). A call without such a key writes no call_tags row.
 * - call_tag_keys (month, key): the tag keys each UTC month of the call log holds, written
 *   with the calls and deleted with the month by retention (store/prune.ts), so "every tag
 *   key of the call log" stays an index read (store/read/tag-keys.ts).
 *
 * Every call's tags stay in calls.tags; the rows deleted here are copies of them. The
 * migration rewrites call_tags in one transaction (12 s for 1M calls with five tags each,
 * bench/REPORT-SPEED.md; the file does not shrink). Upgrade `serve` first: any command of a
 * newer build migrates the file, and an older `serve` still running on it would keep
 * writing call_tags rows for every tag and no call_tag_keys rows (its calls' keys then
 * missing from the tag key list until their month is pruned).
 * Trade: an `=` filter on a key that is rolled up but answered from raw rows (partial hours,
 * cross tables) or was demoted for cardinality scans the calls of its time range (~1.3 s
 * per million calls) instead of reading the index.
 */
export const entityTagRows: Migration = {
  version: 9,
  name: 'entity-tag-rows',
  up: `
    CREATE TABLE call_tag_keys (
      month INTEGER NOT NULL,
      key TEXT NOT NULL,
      PRIMARY KEY (month, key)
    ) WITHOUT ROWID;
    INSERT INTO call_tag_keys (month, key)
      SELECT DISTINCT CAST(strftime('%s', c.ts / 1000, 'unixepoch', 'start of month') AS INTEGER) * 1000, t.key
      FROM call_tags t JOIN calls c ON c.id = t.call_id;
    DELETE FROM call_tags WHERE key NOT IN ('user_id', 'session_id', 'request_id', 'trace_id', 'span_id', 'message_id', 'conversation_id', 'thread_id', 'idempotency_key');
  `,
};
