import { hourOf, utcMonthOf } from '../rollup-policy.js';
import type { Db } from '../db.js';
import type { PruneResult } from '../types.js';
import { dropMonthsBefore, ensureMonthsAhead } from './partitions.js';

const DAY_MS = 86_400_000;

/**
 * Retention on PostgreSQL: whole months of the call log go at once (their calls
 * partition is dropped), never row by row, so a table taking millions of
 * rows a day does not bloat. The cutoff is therefore the start of the UTC month that
 * holds `now - retentionDays` days: raw calls are kept up to a month longer than on
 * SQLite, never shorter. rollup_state.raw_since is raised to it first (reports answer
 * earlier hours from rollups, which stay, as do the per-entity month rows). Also makes
 * sure the months ahead have their partitions (serve prunes every hour).
 *
 * @throws RangeError when retentionDays is not a positive whole number.
 */
export async function pruneMonths(db: Db, retentionDays: number, now: number): Promise<PruneResult> {
  if (!Number.isInteger(retentionDays) || retentionDays < 1) {
    throw new RangeError(`retention_days must be a whole number ≥ 1 (got ${retentionDays})`);
  }
  await ensureMonthsAhead(db, now);
  const cutoff = utcMonthOf(hourOf(now - retentionDays * DAY_MS));
  await db.run("UPDATE rollup_state SET value = ? WHERE name = 'raw_since' AND value < ?", [cutoff, cutoff]);
  const { calls } = await dropMonthsBefore(db, cutoff);
  return { cutoff, calls, done: true };
}
