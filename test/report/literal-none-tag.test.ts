import { afterAll, describe, expect, it } from 'vitest';
import { planQuery } from '../../src/report/plan.js';
import { spendReport } from '../../src/report/query.js';
import type { ReportQuery } from '../../src/report/types.js';
import { parseWhere } from '../../src/report/where.js';
import { USD, buildDb } from './dataset.js';

/**
 * The header accepts any tag value up to 256 characters, the text `(none)` included. The
 * report's `(none)` group (calls without the tag, store/read/scope.ts COALESCE) takes a
 * call tagged `feature: "(none)"` too, and so do rollups; `--where feature=(none)` is
 * documented to select that group. From rollups it does; from raw rows (a second tag key,
 * a demoted key, a database without rollups) it matches only calls without the tag. So
 * one filter gives two totals depending on which source the plan picks.
 */
const db = buildDb([
  { at: '2026-11-02T10:00:00Z', cost: 1 * USD, tags: { tenant_id: 't1' } },
  { at: '2026-11-02T10:00:00Z', cost: 2 * USD, tags: { feature: '(none)', tenant_id: 't1' } },
  { at: '2026-11-02T10:00:00Z', cost: 4 * USD, tags: { feature: 'chat', tenant_id: 't1' } },
]);
afterAll(() => db.close());

const NOVEMBER = { since: Date.parse('2026-11-01T00:00:00Z'), until: Date.parse('2026-12-01T00:00:00Z'), timeZone: 'UTC' };

describe('a tag whose value is the text (none)', () => {
  it('--where feature=(none) selects the calls of the (none) row, from rollups and from raw rows alike', async () => {
    const grouped = await spendReport(db.reads, { ...NOVEMBER, by: ['feature'], where: [] });
    // The (none) row: the untagged $1 call and the "(none)"-tagged $2 call.
    expect(grouped.rows.map((r) => [r.group.feature, r.costNano])).toEqual([
      ['chat', 4 * USD],
      ['(none)', 3 * USD],
    ]);

    const where = [parseWhere('feature=(none)', '--where')];
    const fromRollups: ReportQuery = { ...NOVEMBER, by: ['model'], where };
    const fromRaw: ReportQuery = { ...NOVEMBER, by: ['tenant_id'], where };
    const rollups = await db.reads.rollupState();
    expect(planQuery({ ...fromRollups, reach: 'reached' }, { rollups }).source).toBe('rollups');
    expect(planQuery({ ...fromRaw, reach: 'reached' }, { rollups }).source).toBe('raw');

    expect((await spendReport(db.reads, fromRollups)).total.costNano).toBe(3 * USD);
    expect((await spendReport(db.reads, fromRaw)).total.costNano).toBe(3 * USD);
  });
});
