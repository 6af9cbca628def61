import { afterAll, describe, expect, it } from 'vitest';
import { renderTable } from '../../src/report/format/table.js';
import { spendReport } from '../../src/report/query.js';
import { buildDb } from './dataset.js';

/**
 * `--compare previous` answers "what changed": a feature that spent $100 last period and
 * nothing this period is the largest change of all. The report lists only this period's
 * groups, so that feature has no row: the prev column's rows no longer add up to the
 * total's prev, and the drop to zero is nowhere on the table.
 */
const db = buildDb([
  { at: '2026-10-10T00:00:00Z', cost: 100e9, tags: { feature: 'legacy' } },
  { at: '2026-10-10T00:00:00Z', cost: 4e9, tags: { feature: 'chat' } },
  { at: '2026-11-10T00:00:00Z', cost: 5e9, tags: { feature: 'chat' } },
]);
afterAll(() => db.close());

describe('report --compare previous', () => {
  it('lists a group that spent only in the previous period', async () => {
    const r = await spendReport(db.reads, { since: Date.parse('2026-11-01T00:00:00Z'), until: Date.parse('2026-12-01T00:00:00Z'), by: ['feature'], where: [], timeZone: 'UTC', compare: 'previous' });
    expect(r.total.prevCostNano).toBe(104e9);
    expect(r.rows.reduce((a, x) => a + (x.prevCostNano ?? 0), 0)).toBe(r.total.prevCostNano);
    expect(r.rows.find((x) => x.group.feature === 'legacy')).toMatchObject({ costNano: 0, calls: 0, prevCostNano: 100e9, change: -1 });
    expect(renderTable(r, { color: false })).toMatch(/^legacy\s+\$0\.00\s.*\$100\.00\s+-100\.0%/m);
  });
});
