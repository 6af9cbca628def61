import { afterAll, describe, expect, it } from 'vitest';
import { renderCsv } from '../../src/report/format/csv.js';
import { reportToJson } from '../../src/report/format/json.js';
import { renderTable } from '../../src/report/format/table.js';
import { planQuery } from '../../src/report/plan.js';
import { spendReport } from '../../src/report/query.js';
import type { ReportQuery } from '../../src/report/types.js';
import { parseWhere } from '../../src/report/where.js';
import { USD, buildDb } from './dataset.js';

/**
 * `(other)` (the groups past --top N, summed) and the total are rows the report makes up;
 * a tag value may be the same text (SPEC §4 takes any string up to 256 characters). A
 * call tagged `feature: "(other)"` must keep its own row beside the pooled one, and every
 * format must tell the made-up rows from the groups: JSON and CSV by a field saying the
 * row's kind (group, other, total), the table by labelling a value that reads like a
 * made-up row's label apart (quoted, as the empty value is shown `""`).
 */
const db = buildDb([
  { at: '2026-11-02T10:00:00Z', cost: 5 * USD, tags: { feature: '(other)', tenant_id: 't1' } },
  { at: '2026-11-02T10:00:00Z', cost: 3 * USD, tags: { feature: '(total)', tenant_id: 't1' } },
  { at: '2026-11-02T10:00:00Z', cost: 1 * USD, tags: { feature: 'total', tenant_id: 't1' } },
  { at: '2026-11-02T10:00:00Z', cost: USD / 2, tags: { feature: 'chat', tenant_id: 't1' } },
]);
afterAll(() => db.close());

const NOVEMBER = { since: Date.parse('2026-11-01T00:00:00Z'), until: Date.parse('2026-12-01T00:00:00Z'), timeZone: 'UTC' };
const TOP1: ReportQuery = { ...NOVEMBER, by: ['feature'], where: [], top: 1 };
/** The same report read from raw calls (a filter on a second tag key). */
const TOP1_RAW: ReportQuery = { ...TOP1, where: [parseWhere('tenant_id=t1', '--where')] };

describe('a tag value that reads like a synthetic row: (other), (total), total', () => {
  it('the plan reads TOP1 from rollups and TOP1_RAW from raw calls', async () => {
    const rollups = await db.reads.rollupState();
    expect(planQuery({ ...TOP1, reach: 'reached' }, { rollups }).source).toBe('rollups');
    expect(planQuery({ ...TOP1_RAW, reach: 'reached' }, { rollups }).source).toBe('raw');
  });

  for (const [source, q] of [['rollups', TOP1], ['raw calls', TOP1_RAW]] as const) {
    it(`--top 1 (from ${source}): the call tagged "(other)" keeps its row, the rest is pooled apart`, async () => {
      const r = await spendReport(db.reads, q);
      expect(r.rows.map((x) => [x.kind, x.group.feature, x.costNano])).toEqual([
        ['group', '(other)', 5 * USD],
        ['other', '(other)', 4.5 * USD],
      ]);
    });
  }

  it('JSON: each row has kind group or other, the total kind total', async () => {
    const doc = reportToJson(await spendReport(db.reads, TOP1)) as { rows: Array<{ kind: string; group: Record<string, string>; cost_usd: number }>; total: { kind: string; cost_usd: number } };
    expect(doc.rows.map((x) => [x.kind, x.group.feature, x.cost_usd])).toEqual([
      ['group', '(other)', 5],
      ['other', '(other)', 4.5],
    ]);
    expect(doc.total).toMatchObject({ kind: 'total', cost_usd: 9.5 });
  });

  it('CSV: a row_kind column; one total row, the last, while the call tagged "(total)" is a group', async () => {
    const csv = renderCsv(await spendReport(db.reads, { ...NOVEMBER, by: ['feature'], where: [] }));
    const lines = csv.trimEnd().split('\r\n').map((l) => l.split(','));
    const kind = lines[0]!.indexOf('row_kind');
    expect(kind).toBeGreaterThan(0);
    expect(lines.slice(1).map((l) => [l[0], l[kind]])).toEqual([
      ['(other)', 'group'],
      ['(total)', 'group'],
      ['total', 'group'],
      ['chat', 'group'],
      ['(total)', 'total'],
    ]);
    const top = renderCsv(await spendReport(db.reads, TOP1)).trimEnd().split('\r\n').map((l) => l.split(','));
    expect(top.slice(1).map((l) => [l[0], l[kind]])).toEqual([
      ['(other)', 'group'],
      ['(other)', 'other'],
      ['(total)', 'total'],
    ]);
  });

  it('table: a group whose value reads like a synthetic label is shown quoted, the synthetic rows bare', async () => {
    const all = renderTable(await spendReport(db.reads, { ...NOVEMBER, by: ['feature'], where: [] }), { color: false });
    const labels = (out: string) => out.split('\n').filter((l) => l.includes('$')).map((l) => [l.split(/\s{2,}/)[0], l.match(/\$\d+\.\d\d/)![0]]);
    expect(labels(all)).toEqual([
      ['"(other)"', '$5.00'],
      ['(total)', '$3.00'],
      ['"total"', '$1.00'],
      ['chat', '$0.50'],
      ['total', '$9.50'],
    ]);
    const top = renderTable(await spendReport(db.reads, TOP1), { color: false });
    expect(labels(top)).toEqual([
      ['"(other)"', '$5.00'],
      ['(other)', '$4.50'],
      ['total', '$9.50'],
    ]);
  });
});
