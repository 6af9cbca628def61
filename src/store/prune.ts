import type { Db } from './db.js';
import { tableExists } from './read/dialect.js';
import { TAG_ROW_KEYS, hourOf, utcMonthOf } from './rollup-policy.js';
import type { PruneResult, SqlValue } from './types.js';

/** Calls deleted per transaction, so a long prune never holds the write lock for long. */
export const PRUNE_CHUNK = 5_000;

const DAY_MS = 86_400_000;

/**
 * Retention (Store.prune), over the SQL seam. The cutoff is the start of the UTC hour containing
 * `now - retentionDays` days, so raw rows are either complete or absent for every rollup
 * hour. rollup_state.raw_since is raised to the cutoff in the first transaction, before
 * any row goes: from then on reports answer hours before it from rollups only. Calls go
 * oldest first in chunks of PRUNE_CHUNK, each chunk with its ids in call_postings; the tag keys
 * of the UTC months wholly before the cutoff (call_tag_keys) go with the last chunk. Rollups and
 * the per-entity month rows (entity_months, entity_counts) are never pruned: they are
 * what active users, cost per user and `--by user_id --top N` of old months are read
 * from, and they grow with distinct users per month, not with calls.
 * `maxCalls` bounds one run (rounded up to whole chunks), so a server can prune a large
 * backlog a chunk at a time between requests; `done` says whether anything is left.
 *
 * @throws RangeError when retentionDays is not a positive whole number.
 */
export async function pruneRawCalls(db: Db, retentionDays: number, now: number, maxCalls = Infinity): Promise<PruneResult> {
  if (!Number.isInteger(retentionDays) || retentionDays < 1) {
    throw new RangeError(`retention_days must be a whole number ≥ 1 (got ${retentionDays})`);
  }
  const cutoff = hourOf(now - retentionDays * DAY_MS);
  // A call entity rows do not hold yet (schema v13: store/entity-fold.ts) stays until they do: its
  // entity rows outlive it. (Only a call recorded long after it started can be pending and old.)
  const pending = await tableExists(db, 'entity_pending');
  const unpending = pending ? 'AND NOT EXISTS (SELECT 1 FROM entity_pending p WHERE calls.id BETWEEN p.first_id AND p.last_id)' : '';
  const chunk = `SELECT id FROM calls WHERE ts < ? ${unpending} ORDER BY ts, id LIMIT ${PRUNE_CHUNK}`;
  // Before v12 (the migration tests replay an older build's retention with this function) a call's
  // rows of TAG_ROW_KEYS were in call_tags.
  const postings = await tableExists(db, 'call_postings');
  await db.run("UPDATE rollup_state SET value = CASE WHEN value < ? THEN ? ELSE value END WHERE name = 'raw_since'", [cutoff, cutoff]);
  let calls = 0;
  for (;;) {
    const n = await db.transaction(async (tx) => {
      if (!postings) {
        await tx.run(`DELETE FROM call_tags WHERE call_id IN (${chunk})`, [cutoff]);
        return (await tx.run(`DELETE FROM calls WHERE id IN (${chunk})`, [cutoff])).changes;
      }
      const ids = (await tx.all<{ id: number }>(chunk, [cutoff])).map((r) => Number(r.id));
      if (ids.length === 0) return 0;
      for (const statement of unpostSql(ids)) await tx.run(statement.sql, statement.params);
      return (await tx.run('DELETE FROM calls WHERE id IN (SELECT value FROM json_each(?))', [JSON.stringify(ids)])).changes;
    });
    calls += n;
    if (n < PRUNE_CHUNK) {
      // Absent before v9: the migration tests replay an older build's retention with this function.
      if (await tableExists(db, 'call_tag_keys')) await db.run('DELETE FROM call_tag_keys WHERE month < ?', [utcMonthOf(cutoff)]);
      return { cutoff, calls, done: true };
    }
    if (calls >= maxCalls) return { cutoff, calls, done: false };
  }
}

/**
 * The statements that take the calls `ids` (about to be deleted, still stored) out of
 * their postings (migrations/012-tag-postings.ts): each posting of a TAG_ROW_KEYS value
 * those calls carry, whose id bounds overlap them, is rewritten without them, and deleted
 * once empty. Keeps the invariant that a posting lists only stored calls.
 */
function unpostSql(ids: readonly number[]): Array<{ sql: string; params: SqlValue[] }> {
  const gone = JSON.stringify(ids);
  const touched = `(key, value) IN (SELECT t.key, t.value FROM calls c, json_each(c.tags) t
    WHERE c.id IN (SELECT value FROM json_each(?)) AND t.key IN (SELECT value FROM json_each(?))) AND first_id <= ? AND last_id >= ?`;
  const params: SqlValue[] = [gone, JSON.stringify([...TAG_ROW_KEYS]), Math.max(...ids), Math.min(...ids)];
  return [
    {
      sql: `UPDATE call_postings SET ids = (SELECT json_group_array(j.value ORDER BY j.value) FROM json_each(call_postings.ids) j
        WHERE j.value NOT IN (SELECT value FROM json_each(?))) WHERE ${touched}`,
      params: [gone, ...params],
    },
    { sql: `DELETE FROM call_postings WHERE ids = '[]' AND ${touched}`, params },
  ];
}
