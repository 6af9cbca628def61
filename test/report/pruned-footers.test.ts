import { afterAll, describe, expect, it } from 'vitest';
import { reportToJson } from '../../src/report/format/json.js';
import { spendReport } from '../../src/report/query.js';
import { buildDb, record } from './dataset.js';
import { NOVEMBER, NOVEMBER_CALLS } from './november.js';

/**
 * A cross of two tag keys needs raw calls; once retention pruned some of the range, the
 * rows and the total cover calls from the cutoff on only, and the report says so
 * (raw_calls_pruned_before). The unpriced footer is read from rollups, which cover the
 * whole range: it then counts unpriced calls that the rows and the total do not hold, so
 * total.unpriced_calls and the footer's list disagree within one document.
 */
const db = buildDb(NOVEMBER_CALLS);
afterAll(() => db.close());

describe('a report partly answered from pruned raw calls', () => {
  it('counts the same unpriced calls in its footer as in its total', async () => {
    // Raw calls before 2026-11-10 00:00 are gone (mystery-1's two calls, on Nov 8 and 9, with them).
    const { cutoff } = await db.store.prune(1, Date.parse('2026-11-11T00:30:00Z'));
    expect(cutoff).toBe(Date.parse('2026-11-10T00:00:00Z'));
    const r = await spendReport(db.reads, { ...NOVEMBER, by: ['feature', 'user_tier'], where: [], timeZone: 'UTC' });
    const doc = reportToJson(r) as { total: { unpriced_calls: number }; unpriced: Array<{ model: string; calls: number }>; raw_calls_pruned_before?: string };
    expect(doc.raw_calls_pruned_before).toBe('2026-11-10T00:00:00.000Z');
    const listed = doc.unpriced.reduce((a, u) => a + u.calls, 0);
    expect(listed).toBe(doc.total.unpriced_calls);
  });

  it('counts in its "Not counted" footer only calls of the time its rows cover', async () => {
    const refused = (at: string) => ({ ...record({ at, tags: { feature: 'chatbot', user_tier: 'free' }, cost: 0 }), status: 429, outcome: 'refused' as const, usage: null, usageSource: 'not_metered' as const });
    const pruned = buildDb(NOVEMBER_CALLS);
    try {
      // Two calls refused by a budget: one before the retention cutoff, one after it.
      pruned.store.insertCalls([refused('2026-11-05T08:00:00Z'), refused('2026-11-20T08:00:00Z')]);
      await pruned.store.prune(1, Date.parse('2026-11-11T00:30:00Z'));
      const r = await spendReport(pruned.reads, { ...NOVEMBER, by: ['feature', 'user_tier'], where: [], timeZone: 'UTC' });
      expect(r.prunedBefore).toBe(Date.parse('2026-11-10T00:00:00Z'));
      expect(r.excluded).toEqual([{ outcome: 'refused', calls: 1 }]);
    } finally {
      pruned.close();
    }
  });
});
