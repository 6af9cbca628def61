import { describe, expect, it } from 'vitest';
import { readSpend, spendGroups } from '../../src/tui/data/admin-json.js';
import { tableView } from '../../src/tui/view/table-view.js';
import type { Line } from '../../src/tui/view/text.js';

/**
 * `report` shows a group none of whose calls has a cost (all unpriced, or usage unknown) as
 * `—`, and /admin/spend gives its cost_usd and share as null (report/known-cost.ts). The TUI
 * read those nulls as $0.00 and 0.0% (a review): unknown is not $0.
 */
const text = (l: Line) => l.map((c) => c.text).join('');

describe('TUI spend table: a group whose cost is unknown', () => {
  it('shows — for spend and share, read from /admin/spend nulls', () => {
    const doc = {
      since: '2026-12-01T00:00:00Z',
      until: '2026-12-02T00:00:00Z',
      rows: [
        { group: { model: 'gpt-4o' }, cost_usd: 0.006, calls: 2, share: 1, priced_calls: 2, unpriced_calls: 0 },
        { group: { model: 'gpt-9-turbo' }, cost_usd: null, calls: 3, share: null, priced_calls: 0, unpriced_calls: 3 },
      ],
      total: { cost_usd: 0.006, calls: 5, priced_calls: 2, unpriced_calls: 3 },
    };
    const rows = spendGroups(readSpend(doc), 'model');
    const v = tableView({ dimension: 'model', rows, totalNano: 6_000_000, totalCalls: 5 }, { selected: 0, rows: 10, width: 80, drill: [], dimensions: ['model'] });
    const [priced, unknown] = v.rows.map((r) => text(r.line));
    expect(priced).toContain('$0.006');
    expect(unknown).not.toContain('$0.00');
    expect(unknown).not.toContain('0.0%');
    expect(unknown).toMatch(/gpt-9-turbo\s+—\s+—/);
  });
});
