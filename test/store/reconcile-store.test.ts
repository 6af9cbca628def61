import { describe, expect, it } from 'vitest';
import { sqliteDb } from '../../src/store/db.js';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import { meteredUsage, rawCallsSince } from '../../src/store/read/metered-usage.js';
import { insertReconcileRun, latestReconcileRuns, type ReconcileRunRecord } from '../../src/store/reconcile-runs.js';
import { testStore } from '../support/store.js';
import { DAY, SINCE, record } from '../audit/helpers.js';

/** The store modules behind `reconcile`: metered usage per UTC day × model, and run outcomes. */

describe('meteredUsage', () => {
  it('sums one provider per UTC day × model, counting only calls with metered usage', async () => {
    const store = testStore(openDriver(':memory:'));
    store.insertCalls(
      [
        { at: SINCE + 1000, input: 1000, cached: 200, output: 100, cost: 3_000 },
        { at: SINCE + DAY - 1, input: 500, write5m: 50, output: 10, cost: 1_000 },
        { at: SINCE + DAY, input: 7, output: 7, cost: 7 },
        { at: SINCE + 2000, model: 'gpt-4o-mini', input: 10, output: 1, cost: null },
        { at: SINCE + 3000, usage: false, cost: null },
        { at: SINCE + 4000, outcome: 'refused' as const, usage: false, usageSource: 'not_metered' as const, cost: 0 },
        { at: SINCE + 5000, provider: 'anthropic', model: 'claude-haiku-4-5', input: 99, output: 9, cost: 99 },
        { at: SINCE - 1, input: 1, output: 1, cost: 1 },
      ]
        .map(record)
        // Searches count where their fee is in the cost: the unpriced call's do not.
        .map((c, i) => (c.usage && (i === 0 || i === 3) ? { ...c, usage: { ...c.usage, webSearches: i + 2, fileSearches: i + 5, ...(i === 0 ? { webSearchPreview: true } : {}) } } : c)),
    );
    const db = sqliteDb(store.driver);
    const rows = await meteredUsage(db, { providers: ['openai'], since: SINCE, until: SINCE + 2 * DAY });
    expect(rows).toEqual([
      { day: SINCE, model: 'gpt-4o', calls: 3, usageUnknown: 1, unpriced: 0, inputTokens: 1500, cachedInputTokens: 200, cacheWrite5mTokens: 50, cacheWrite1hTokens: 0, outputTokens: 110, costNano: 4_000, webSearches: 2, previewWebSearches: 2, fileSearches: 5 },
      { day: SINCE, model: 'gpt-4o-mini', calls: 1, usageUnknown: 0, unpriced: 1, inputTokens: 10, cachedInputTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, outputTokens: 1, costNano: 0, webSearches: 0, previewWebSearches: 0, fileSearches: 0 },
      { day: SINCE + DAY, model: 'gpt-4o', calls: 1, usageUnknown: 0, unpriced: 0, inputTokens: 7, cachedInputTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, outputTokens: 7, costNano: 7, webSearches: 0, previewWebSearches: 0, fileSearches: 0 },
    ]);
    expect(await rawCallsSince(db)).toBe(0);
    await store.prune(32, SINCE + 40 * DAY);
    expect(await rawCallsSince(db)).toBeGreaterThan(SINCE);
    await store.close();
  });
});

describe('reconcile runs', () => {
  it('keeps every run and answers the newest per provider', async () => {
    const store = testStore(openDriver(':memory:'));
    const db = sqliteDb(store.driver);
    const run = (provider: string, ranAt: number, unmeteredRows: number, unmeteredRequests: number | null): ReconcileRunRecord => ({
      provider, ranAt, since: SINCE, until: SINCE + 7 * DAY, rows: 6, differing: unmeteredRows, unmeteredRows, unmeteredRequests, unmeteredNano: unmeteredRows * 672_000_000, meterNano: 1, billNano: 2,
    });
    await insertReconcileRun(db, run('openai', SINCE + DAY, 1, 12));
    await insertReconcileRun(db, run('openai', SINCE + 2 * DAY, 0, 0));
    await insertReconcileRun(db, run('anthropic', SINCE + DAY, 2, null));
    expect(await latestReconcileRuns(db)).toEqual([run('anthropic', SINCE + DAY, 2, null), run('openai', SINCE + 2 * DAY, 0, 0)]);
    await store.close();
  });
});
