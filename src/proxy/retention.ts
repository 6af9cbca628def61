import type { Clock } from '../lib/clock.js';
import type { Store } from '../store/facade.js';
import { PRUNE_CHUNK } from '../store/prune.js';
import type { Logger } from './log.js';

/** ms between retention passes. */
const RETENTION_INTERVAL_MS = 60 * 60 * 1000;
/**
 * Raw calls deleted per step: one chunk of store/prune.ts (5,000 calls, one transaction on
 * the main thread's connection). A pass continues on the next event-loop turn, so requests
 * wait for at most one chunk: 200,000 calls of 1,000 users on bun:sqlite, the longest
 * event-loop block ~88 ms, where steps of 50,000 blocked it ~750 ms at a time (smaller
 * chunks do not help: each rewrites the postings of every user it cuts into).
 */
const CALLS_PER_STEP = PRUNE_CHUNK;
/**
 * Budgets rebuild their spend from raw calls at start, so raw calls of the current month
 * (plus a day of slack for time zones) are always kept, whatever `retention_days` says.
 */
export const MIN_RETENTION_DAYS_WITH_BUDGETS = 32;

/**
 * Prunes raw calls older than `retentionDays` once at start and hourly, in small steps;
 * rollups stay, so old reports still add up. Returns a stop function for shutdown.
 */
export function startRetention(o: { store: Store; retentionDays: number; clock: Clock; log: Logger }): () => void {
  const days = Math.max(o.retentionDays, MIN_RETENTION_DAYS_WITH_BUDGETS);
  if (days !== o.retentionDays) {
    o.log.warn(`retention_days ${o.retentionDays} raised to ${days}: budgets rebuild their spend from the raw calls of the current period`);
  }
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let removed = 0;
  const step = async () => {
    if (stopped) return;
    try {
      const result = await o.store.prune(days, o.clock(), { maxCalls: CALLS_PER_STEP });
      removed += result.calls;
      if (!result.done) {
        setImmediate(() => void step());
        return;
      }
      if (removed > 0) o.log.info('retention: pruned raw calls (rollups kept)', { calls: removed, cutoff: new Date(result.cutoff).toISOString() });
    } catch (error) {
      o.log.error('retention: pruning failed', { error: error instanceof Error ? error.message : String(error) });
    }
    removed = 0;
    if (stopped) return;
    timer = setTimeout(() => void step(), RETENTION_INTERVAL_MS);
    timer.unref?.();
  };
  setImmediate(() => void step());
  return () => {
    stopped = true;
    if (timer !== undefined) clearTimeout(timer);
  };
}
