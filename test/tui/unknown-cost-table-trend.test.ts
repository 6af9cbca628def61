import { describe, expect, it } from 'vitest';
import { readSpend, spendGroups, spendTrend } from '../../src/tui/data/admin-json.js';
import type { GroupRow, TrendPoint } from '../../src/tui/types.js';
import { trendView } from '../../src/tui/view/feed-view.js';
import { tableView } from '../../src/tui/view/table-view.js';
import type { Line } from '../../src/tui/view/text.js';

/**
 * The spend table and the daily trend show spends as report does (report/known-cost.ts,
 * report/format/text.ts spendText): a group none of whose calls has a cost is `—`, a group
 * whose sum leaves calls out is marked `*` (the others end with a space so the digits line
 * up), and so is the table's total; the trend's peak is `—` when none of the period's calls
 * has a cost and marked `*` when some have none (the real peak may be any day's).
 */
const text = (l: Line) => l.map((c) => c.text).join('');
const ctx = { selected: 0, rows: 10, width: 100, drill: [], dimensions: ['feature'] };

describe('TUI spend table: groups whose sum leaves calls out', () => {
  const rows: GroupRow[] = [
    { value: 'chat', kind: 'group' as const, costNano: 2_000_000, calls: 2, pricedCalls: 1, share: 2 / 3 },
    { value: 'docs', kind: 'group' as const, costNano: 1_000_000, calls: 1, pricedCalls: 1, share: 1 / 3 },
    { value: 'search', kind: 'group' as const, costNano: 0, calls: 1, pricedCalls: 0, share: 0 },
  ];

  it('marks a partly priced group and the total with *, and shows — for a group without a cost', () => {
    const v = tableView({ dimension: 'feature', rows, totalNano: 3_000_000, totalCalls: 4 }, ctx);
    expect(text(v.title)).toContain('  $0.003* · 4 calls');
    const [chat, docs, search] = v.rows.map((r) => text(r.line));
    expect(chat).toMatch(/chat\s+\$0\.002\*\s+66\.7%/);
    expect(docs).toMatch(/docs\s+\$0\.001 \s+33\.3%/);
    expect(search).toMatch(/search\s+— \s+—/);
    expect(search).not.toContain('$0.00');
  });

  it('reads — for the total when no group has a cost, and plain amounts when every call has one', () => {
    const none = tableView({ dimension: 'feature', rows: [rows[2]!], totalNano: 0, totalCalls: 1 }, ctx);
    expect(text(none.title)).toContain('  — · 1 calls');
    const all = tableView({ dimension: 'feature', rows: [rows[1]!], totalNano: 1_000_000, totalCalls: 1 }, ctx);
    expect(text(all.title)).toContain('  $0.001 · 1 calls');
    expect(text(all.rows[0]!.line)).toMatch(/docs\s+\$0\.001  \s*33\.3%/);
    expect(text(all.rows[0]!.line)).not.toContain('*');
  });

  it('reads priced_calls of /admin/spend rows', () => {
    const doc = {
      since: '2026-11-01T00:00:00Z',
      until: '2026-11-03T00:00:00Z',
      rows: [
        { group: { day: '2026-11-01' }, cost_usd: 0.002, calls: 2, share: 1, priced_calls: 1, unpriced_calls: 1 },
        { group: { day: '2026-11-02' }, cost_usd: null, calls: 3, share: null, priced_calls: 0, unpriced_calls: 3 },
      ],
      total: { cost_usd: 0.002, calls: 5, priced_calls: 1, unpriced_calls: 4 },
    };
    const spend = readSpend(doc);
    expect(spendGroups(spend, 'day').map((g) => [g.value, g.calls, g.pricedCalls])).toEqual([
      ['2026-11-01', 2, 1],
      ['2026-11-02', 3, 0],
    ]);
    expect(spendTrend(spend)).toEqual([
      { day: '2026-11-01', costNano: 2_000_000, calls: 2, pricedCalls: 1 },
      { day: '2026-11-02', costNano: 0, calls: 3, pricedCalls: 0 },
    ]);
  });
});

describe('TUI daily trend: the peak of days whose calls have no cost', () => {
  const day = (d: string, costNano: number, calls: number, pricedCalls: number): TrendPoint => ({ day: d, costNano, calls, pricedCalls });

  it('reads peak — when none of the calls has a cost', () => {
    const [line] = trendView([day('2026-11-01', 0, 2, 0), day('2026-11-02', 0, 0, 0), day('2026-11-03', 0, 1, 0)], { width: 80, split: false });
    expect(text(line!)).toContain('peak —');
    expect(text(line!)).not.toContain('$0.00');
  });

  it('marks the peak * when some calls have no cost, and not when all do', () => {
    const partly = trendView([day('2026-11-01', 1_000_000, 1, 1), day('2026-11-02', 2_000_000, 3, 1)], { width: 80, split: false });
    expect(text(partly[0]!)).toContain('peak $0.002* (11-02)');
    const priced = trendView([day('2026-11-01', 1_000_000, 1, 1), day('2026-11-02', 2_000_000, 1, 1)], { width: 80, split: false });
    expect(text(priced[0]!)).toContain('peak $0.002 (11-02)');
  });
});
