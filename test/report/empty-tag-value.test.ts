import { afterAll, describe, expect, it } from 'vitest';
import { renderTable } from '../../src/report/format/table.js';
import { spendReport } from '../../src/report/query.js';
import { parseWhere } from '../../src/report/where.js';
import { buildDb } from './dataset.js';

/**
 * `X-Metering-Tags: {"feature": ""}` is a valid header (SPEC §4: string values, at most
 * 256 characters), and "" is its own group, apart from `(none)` (no feature tag). The
 * table prints that group's label as nothing: a row of money under a blank label, which
 * reads as a continuation line of the row above, not as a group of its own.
 */
const db = buildDb([
  { at: '2026-11-02T00:00:00Z', cost: 5e9, tags: { feature: 'chat' } },
  { at: '2026-11-02T00:00:00Z', cost: 3e9, tags: { feature: '' } },
  { at: '2026-11-02T00:00:00Z', cost: 1e9 },
]);
afterAll(() => db.close());

describe('report table with an empty tag value', () => {
  it('labels the empty value visibly, apart from (none)', async () => {
    const r = await spendReport(db.reads, { since: Date.parse('2026-11-01T00:00:00Z'), until: Date.parse('2026-12-01T00:00:00Z'), by: ['feature'], where: [], timeZone: 'UTC' });
    expect(r.rows.map((x) => x.group.feature)).toEqual(['chat', '', '(none)']);
    const lines = renderTable(r, { color: false }).split('\n');
    const row = lines.find((l) => l.includes('$3.00'))!;
    expect(row).toMatch(/^\S/);
  });

  it('is selected with --where feature="" (and left out with !=""), apart from (none)', async () => {
    const total = async (w: string) =>
      (await spendReport(db.reads, { since: Date.parse('2026-11-01T00:00:00Z'), until: Date.parse('2026-12-01T00:00:00Z'), by: ['feature'], where: [parseWhere(w, '--where')], timeZone: 'UTC' })).total.costNano;
    expect(await total('feature=""')).toBe(3e9);
    expect(await total('feature!=""')).toBe(6e9);
    expect(await total('feature=(none)')).toBe(1e9);
  });
});
