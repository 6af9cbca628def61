import { afterAll, describe, expect, it } from 'vitest';
import { renderTable } from '../../src/report/format/table.js';
import { spendReport } from '../../src/report/query.js';
import { buildDb } from './dataset.js';

/**
 * A call the provider served whose answer could not be read (usage_source `unknown`,
 * SPEC §11) is recorded with cost_usd = null: the provider billed it, tokometer does not
 * know how much. It is neither priced nor "unpriced" (store/unpriced.ts), so the spend
 * column leaves it out; the table must say so, as it does for unpriced models, or the
 * spend reads as complete while a call's money is missing.
 */
const db = buildDb([
  { at: '2026-11-02T10:00:00Z', model: 'gpt-4o-mini', cost: 8e6, tags: { feature: 'chatbot' } },
  { at: '2026-11-03T10:00:00Z', model: 'gpt-4o-mini', cost: null, usage: false, tags: { feature: 'chatbot' } },
]);
afterAll(() => db.close());

describe('report table with a call of unknown usage', () => {
  it('says that call\'s cost is not in the spend', async () => {
    const r = await spendReport(db.reads, { since: Date.parse('2026-11-01T00:00:00Z'), until: Date.parse('2026-12-01T00:00:00Z'), by: ['feature'], where: [], timeZone: 'UTC' });
    expect(r.total.calls - r.total.pricedCalls - r.total.unpricedCalls).toBe(1);
    const text = renderTable(r, { color: false });
    // The row reads "2 calls, $0.008, avg $0.008": nothing on screen says one call's cost is missing.
    const notes = text.split('\n').filter((l) => /unknown/i.test(l));
    expect(notes.join(' ')).toMatch(/\b1 call\b.*not included in spend/);
    // One line, ending with what to do: where the calls are, and the usual cause.
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/not the provider's JSON; --by provider,model tells whose calls they are\.$/);
  });
});
