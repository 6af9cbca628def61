import { describe, expect, it } from 'vitest';
import { initialState } from '../../src/tui/state.js';
import type { DashboardSnapshot } from '../../src/tui/types.js';
import { buildView } from '../../src/tui/view/dashboard-view.js';
import type { Line } from '../../src/tui/view/text.js';

/**
 * The header's spend leaves out unpriced calls and the calls the provider did not serve;
 * the figures line says so with "N unpriced" and "N refused/failed not counted". Those
 * caveats come last on the line, and the line is cut at the terminal's width: with
 * realistic five-figure amounts an 80-column terminal (the size the layout is designed
 * for) shows "Spend $12,345.67 …" and loses the caveat that it is incomplete.
 */
const text = (l: Line) => l.map((c) => c.text).join('');
const USD = 1e9;

function snapshot(): DashboardSnapshot {
  const since = Date.parse('2026-10-21T12:00:00Z');
  const until = Date.parse('2026-11-20T12:00:00Z');
  return {
    range: { since, until, timeZone: 'UTC' },
    header: {
      costNano: 12_345.67 * USD,
      calls: 123_456,
      activeUsers: 1_234,
      unpricedCalls: 3,
      excludedCalls: 12,
      monthToDateNano: 8_000 * USD,
      monthToDateCalls: 80_000,
      monthToDatePricedCalls: 79_998,
      projectedMonthNano: 23_456.78 * USD,
    },
    dimensions: ['feature', 'model', 'provider', 'key'],
    table: { dimension: 'feature', rows: [{ value: 'summarizer', kind: 'group' as const, costNano: 12_345.67 * USD, calls: 123_456, pricedCalls: 123_453, share: 1 }], totalNano: 12_345.67 * USD, totalCalls: 123_456 },
    trend: [],
    budgets: [],
    tail: [],
    alerts: [],
    notes: [],
  };
}

describe('dashboard figures line', () => {
  it('keeps the unpriced and not-counted caveats on an 80-column terminal', () => {
    const v = buildView({ snapshot: snapshot(), state: initialState(), size: { columns: 80, rows: 24 }, sourceLabel: 'tokometer.db', error: null });
    const figures = text(v.figures);
    expect(figures).toContain('Spend $12,345.67');
    expect(figures).toContain('3 unpriced');
    expect(figures).toContain('12 refused/failed not counted');
  });
});
