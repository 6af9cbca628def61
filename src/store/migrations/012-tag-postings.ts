import type { Migration } from './types.js';

/**
 * The call id window of one migrated posting: the migration writes one posting per value
 * and run of this many call ids (calls 1–10,000, 10,001–20,000, …), about what the writer's
 * batches of DEFAULT_WRITE_BATCH (10,000) make, so retention, which deletes calls oldest
 * first, cuts into few postings of each value.
 */
export const MIGRATED_POSTING_SPAN = 10_000;

/**
 * Schema v12: the calls of one user, session or conversation as postings instead of one
 * indexed row per call (issue #17, store ingestion with user ids on bun:sqlite).
 *
 * Measured with bench/store-ingest.mjs (`--ingest 300000 --users 1000`, batches of 10,000,
 * bun:sqlite, pinned): the call_tags row of each call's `user_id` and its `(key, value)`
 * index cost ~3.5 µs of the ~18 µs a call took, because every row lands at a random place
 * of the index (ordered by user). A posting is one row per `(key, value)` and write batch,
 * holding the call ids of that batch as a JSON array: a batch of 10,000 calls from 1,000
 * users writes 1,000 rows into one B-tree instead of 10,000 rows into two.
 *
 * call_postings (key, value, first_id, last_id, ids):
 * - one row per tag key in rollup-policy.ts TAG_ROW_KEYS (the keys never rolled up), value
 *   and write transaction (call-writer.ts); `ids` is a JSON array of call ids, ascending,
 *   and `first_id` / `last_id` bound them (first_id ≤ every id ≤ last_id);
 * - the primary key (key, value, first_id) is the index: one user's calls are a range
 *   read, then `json_each` over each posting (store/read/dialect.ts);
 * - invariant: a posting lists only stored calls. Retention (store/prune.ts) removes a
 *   pruned call's id from its postings in the transaction that deletes the call, so an id
 *   that SQLite hands out again (calls.id has no AUTOINCREMENT) never meets a stale entry.
 *
 * Reads that need the tag of a given call (group by user_id over raw rows, `!=` and
 * `(none)` filters) read calls.tags with json_each, as for every other key since v9.
 * The migration copies call_tags into one posting per value and MIGRATED_POSTING_SPAN
 * window of call ids, in one transaction, and drops call_tags. Upgrade `serve` first: an older build
 * refuses to open a v12 file, and an older `serve` already running on the file when a newer
 * command migrates it can no longer write (no call_tags table): its write queue keeps the
 * records, in memory and then in its spill file, until it is restarted on the new build.
 */
export const tagPostings: Migration = {
  version: 12,
  name: 'tag-postings',
  up: `
    CREATE TABLE call_postings (
      key TEXT NOT NULL,
      value TEXT NOT NULL,
      first_id INTEGER NOT NULL,
      last_id INTEGER NOT NULL,
      ids TEXT NOT NULL,
      PRIMARY KEY (key, value, first_id)
    ) WITHOUT ROWID;
    INSERT INTO call_postings (key, value, first_id, last_id, ids)
      SELECT key, value, MIN(call_id), MAX(call_id), json_group_array(call_id ORDER BY call_id)
      FROM call_tags
      GROUP BY key, value, (call_id - 1) / ${MIGRATED_POSTING_SPAN};
    DROP TABLE call_tags;
  `,
};
