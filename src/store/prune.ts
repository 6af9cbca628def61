import type { Db } from './db.js';
import { tableExists } from './read/dialect.js';
import { hourOf, utcMonthOf } from './rollup-policy.js';
import type { PruneResult } from './types.js';

/** Calls deleted per transaction, so a long prune never holds the write lock for long. */
const PRUNE_CHUNK = 5_000;

const DAY_MS = 86_400_000;

/**
 * Retention (Store.prune), over the SQL seam. The cutoff is the start of the UTC hour containing
 * `now - retentionDays` days, so raw rows are either complete or absent for every rollup
 * hour. rollup_state.raw_since is raised to the cutoff in the first transaction, before
 * any row goes: from then on reports answer hours before it from rollups only. Calls go
 * oldest first in chunks of PRUNE_CHUNK, each chunk with its call_tags rows; the tag keys
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
  const chunk = `SELECT id FROM calls WHERE ts < ? ORDER BY ts, id LIMIT ${PRUNE_CHUNK}`;
  await db.run("UPDATE rollup_state SET value = CASE WHEN value < ? THEN ? ELSE value END WHERE name = 'raw_since'", [cutoff, cutoff]);
  let calls = 0;
  for (;;) {
    const n = await db.transaction(async (tx) => {
      await tx.run(`DELETE FROM call_tags WHERE call_id IN (${chunk})`, [cutoff]);
      return (await tx.run(`DELETE FROM calls WHERE id IN (${chunk})`, [cutoff])).changes;
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
