import { afterAll, describe, expect, it } from 'vitest';
import { reportToJson } from '../../src/report/format/json.js';
import { spendReport } from '../../src/report/query.js';
import { buildDb } from './dataset.js';
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
});
