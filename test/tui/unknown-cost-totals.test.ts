import { describe, expect, it } from 'vitest';
import { initialState } from '../../src/tui/state.js';
import type { DashboardSnapshot } from '../../src/tui/types.js';
import { buildView } from '../../src/tui/view/dashboard-view.js';
import type { Line } from '../../src/tui/view/text.js';

/**
 * A period or scope none of whose calls has a cost (all unpriced, or usage unknown) did not
 * cost $0: the figures line's spend and the table title's total are `—`, as `report` shows
 * such a total (report/known-cost.ts). Here 3 calls: 2 unpriced, 1 with unknown usage.
 */
const text = (l: Line) => l.map((c) => c.text).join('');

function snapshot(): DashboardSnapshot {
  return {
    range: { since: Date.parse('2026-11-01T00:00:00Z'), until: Date.parse('2026-11-30T00:00:00Z'), timeZone: 'UTC' },
    header: { costNano: 0, calls: 3, activeUsers: 1, unpricedCalls: 2, unknownUsageCalls: 1, excludedCalls: 0, monthToDateNano: 0, monthToDateCalls: 3, monthToDatePricedCalls: 0, projectedMonthNano: 0 },
    dimensions: ['feature', 'model'],
    table: {
      dimension: 'feature',
      rows: [
        { value: 'chat', kind: 'group' as const, costNano: 0, calls: 2, pricedCalls: 0, share: 0 },
        { value: 'search', kind: 'group' as const, costNano: 0, calls: 1, pricedCalls: 0, share: 0 },
      ],
      totalNano: 0,
      totalCalls: 3,
    },
    trend: [],
    budgets: [],
    tail: [],
    alerts: [],
    notes: [],
  };
}

describe('TUI totals none of whose calls has a cost', () => {
  it('show — for the spend in the figures line and the table title, not $0.00', () => {
    const v = buildView({ snapshot: snapshot(), state: initialState(), size: { columns: 160, rows: 40 }, sourceLabel: 'tokometer.db', error: null });
    expect(text(v.figures)).toContain('Spend —  3 calls');
    expect(text(v.table.title)).toContain('  — · 3 calls');
    expect(text(v.table.title)).not.toContain('$0.00');
  });

  it('a period with 1 priced call of $0.002 among 3 keeps its sum, marked * as a lower bound', () => {
    const s = snapshot();
    s.header = { ...s.header, costNano: 2_000_000, unpricedCalls: 1 };
    s.table = { ...s.table, rows: [{ value: 'chat', kind: 'group' as const, costNano: 2_000_000, calls: 2, pricedCalls: 1, share: 1 }, s.table.rows[1]!], totalNano: 2_000_000 };
    const v = buildView({ snapshot: s, state: initialState(), size: { columns: 160, rows: 40 }, sourceLabel: 'tokometer.db', error: null });
    expect(text(v.figures)).toContain('Spend $0.002*  3 calls');
    expect(text(v.table.title)).toContain('  $0.002* · 3 calls');
  });
});
