import { afterAll, describe, expect, it } from 'vitest';
import { renderTable } from '../../src/report/format/table.js';
import { spendReport } from '../../src/report/query.js';
import { buildDb } from './dataset.js';

/**
 * Tag values are any text (SPEC §4): a feature named in Japanese or with an emoji is two
 * terminal columns per such character. The table pads by code points, so such a row's
 * figures sit one or two columns right of the other rows' and of their headers: the
 * spend and % columns no longer line up.
 */
const db = buildDb([
  { at: '2026-11-02T00:00:00Z', cost: 5e9, tags: { feature: '要約' } },
  { at: '2026-11-02T00:00:00Z', cost: 3e9, tags: { feature: 'chat' } },
  { at: '2026-11-02T00:00:00Z', cost: 1e9, tags: { feature: '🤖bot' } },
]);
afterAll(() => db.close());

/** Terminal columns of the characters this test uses: CJK ideographs and the emoji are two wide. */
const columns = (s: string) => [...s].reduce((n, ch) => n + (/[\u4e00-\u9fff]|\u{1f916}/u.test(ch) ? 2 : 1), 0);

describe('report table with wide characters in tag values', () => {
  it('keeps the columns aligned on the terminal', async () => {
    const r = await spendReport(db.reads, { since: Date.parse('2026-11-01T00:00:00Z'), until: Date.parse('2026-12-01T00:00:00Z'), by: ['feature'], where: [], timeZone: 'UTC' });
    const lines = renderTable(r, { color: false }).split('\n');
    const header = lines.find((l) => l.startsWith('feature'))!;
    const rows = lines.filter((l) => /^(要約|chat|🤖bot|total)\s/u.test(l));
    expect(rows).toHaveLength(4);
    // Where each line's "%" column ends, in terminal columns: the same on every line.
    const end = (l: string) => columns(l.slice(0, l.indexOf('%') + 1));
    for (const row of rows) expect(end(row)).toBe(end(header));
  });
});
