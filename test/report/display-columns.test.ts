import { afterAll, describe, expect, it } from 'vitest';
import { renderTable } from '../../src/report/format/table.js';
import { spendReport } from '../../src/report/query.js';
import { buildDb } from './dataset.js';

/**
 * `tokometer report --by tenant_id` with tag values whose terminal width differs from their
 * UTF-16 length: two CJK ideographs (2 code units, 4 columns), a precomposed ü (6 code
 * units, 6 columns), an e followed by a combining acute accent (5 code units, 4 columns)
 * and a rocket emoji (a surrogate pair: 9 code units, 9 columns). Every right-aligned
 * column must end at the same terminal column on the header, each row and the total.
 */
const TOKYO = '\u6771\u4eac';
const ZURICH = 'z\u00fcrich';
const CAFE = 'cafe\u0301';
const LAUNCH = '\u{1f680}-launch';

/** Terminal columns of each first-column label, counted by hand (not by the code under test). */
const LABEL_COLUMNS: ReadonlyArray<[string, number]> = [
  [TOKYO, 4],
  [ZURICH, 6],
  [CAFE, 4],
  [LAUNCH, 9],
  ['tenant_id', 9],
  ['total', 5],
];

const db = buildDb([
  { at: '2026-11-02T00:00:00Z', cost: 4e9, tags: { tenant_id: TOKYO } },
  { at: '2026-11-02T00:00:00Z', cost: 3e9, tags: { tenant_id: ZURICH } },
  { at: '2026-11-02T00:00:00Z', cost: 2e9, tags: { tenant_id: CAFE } },
  { at: '2026-11-02T00:00:00Z', cost: 1e9, tags: { tenant_id: LAUNCH } },
]);
afterAll(() => db.close());

/**
 * The terminal column where each field after the label ends. The rest of the line is ASCII
 * plus `$` and `%` (one column each), so its columns are the label's width plus the index;
 * fields are separated by two or more spaces ("input tok" and "100 ms" are one field each).
 */
function fieldEnds(line: string): number[] {
  const found = LABEL_COLUMNS.find(([label]) => line.startsWith(label));
  if (!found) throw new Error(`no known label at the start of ${JSON.stringify(line)}`);
  const [label, columns] = found;
  const rest = line.slice(label.length);
  expect(rest).toMatch(/^[\x20-\x7e]*$/);
  return [...rest.matchAll(/\S+(?: \S+)*/g)].map((m) => columns + m.index + m[0].length);
}

describe('report table with tag values of different terminal widths', () => {
  it('ends every column at the same terminal column on every line', async () => {
    const r = await spendReport(db.reads, { since: Date.parse('2026-11-01T00:00:00Z'), until: Date.parse('2026-12-01T00:00:00Z'), by: ['tenant_id'], where: [], timeZone: 'UTC' });
    const lines = renderTable(r, { color: false }).split('\n');
    const header = lines.find((l) => l.startsWith('tenant_id'))!;
    const rows = lines.filter((l) => [TOKYO, ZURICH, CAFE, LAUNCH, 'total'].some((v) => l.startsWith(`${v} `)));
    expect(rows.map((l) => l.slice(0, l.indexOf('$')).trimEnd())).toEqual([TOKYO, ZURICH, CAFE, LAUNCH, 'total']);
    // The label column is as wide as its widest entry, 🚀-launch (9), and the spend column
    // is as wide as "$10.00" (6): after the two-space gap, spend ends at 9 + 2 + 6 = 17.
    const ends = fieldEnds(header);
    expect(ends[0]).toBe(17);
    for (const row of rows) expect(fieldEnds(row)).toEqual(ends);
  });
});
