import { afterEach, describe, expect, it } from 'vitest';
import { createDbSource } from '../../src/tui/data/db-source.js';
import { initialState } from '../../src/tui/state.js';
import type { DashboardSnapshot } from '../../src/tui/types.js';
import { buildView } from '../../src/tui/view/dashboard-view.js';
import type { Line } from '../../src/tui/view/text.js';
import { NOW, readStore, seedDb, type SeededDb } from './fixtures.js';

/**
 * The figures line's "projected month" and "so far" are spends too: `—` when none of the
 * calls behind them has a cost (unknown, not $0: report/known-cost.ts) and marked `*` when
 * only some do, as the line's own spend is. The projection stands on the period's calls and
 * the month's so far; "so far" on the month's.
 */
const text = (l: Line) => l.map((c) => c.text).join('');
const WIDE = { columns: 160, rows: 40 };

function snapshot(header: Partial<DashboardSnapshot['header']>): DashboardSnapshot {
  return {
    range: { since: Date.parse('2026-10-21T12:00:00Z'), until: NOW, timeZone: 'UTC' },
    header: {
      costNano: 0,
      calls: 3,
      activeUsers: 1,
      unpricedCalls: 3,
      unknownUsageCalls: 0,
      excludedCalls: 0,
      monthToDateNano: 0,
      monthToDateCalls: 3,
      monthToDatePricedCalls: 0,
      projectedMonthNano: 0,
      ...header,
    },
    dimensions: ['feature', 'model'],
    table: { dimension: 'feature', rows: [], totalNano: 0, totalCalls: 0 },
    trend: [],
    budgets: [],
    tail: [],
    alerts: [],
    notes: [],
  };
}

const figures = (s: DashboardSnapshot) => text(buildView({ snapshot: s, state: initialState(), size: WIDE, sourceLabel: 'tokometer.db', error: null }).figures);

describe('TUI projected month and month so far', () => {
  it('read — when none of the calls behind them has a cost', () => {
    const line = figures(snapshot({}));
    expect(line).toContain('projected month — (so far —)');
    expect(line).not.toContain('$0.00');
  });

  it('carry * when only some of their calls have a cost, as the spend does', () => {
    // The period: 3 calls, 1 priced ($0.002), 1 unpriced, 1 usage unknown. The month so far: 5 calls, 4 priced ($0.004).
    const line = figures(
      snapshot({ costNano: 2_000_000, unpricedCalls: 1, unknownUsageCalls: 1, monthToDateNano: 4_000_000, monthToDateCalls: 5, monthToDatePricedCalls: 4, projectedMonthNano: 10_000_000 }),
    );
    expect(line).toContain('Spend $0.002*  3 calls');
    expect(line).toContain('projected month $0.010* (so far $0.004*)');
  });

  it('a projection over a priced period marks a month so far none of whose calls has a cost', () => {
    // 1d on screen, all priced; the month's 2 calls of earlier days, both unpriced: so far unknown, the projection a lower bound.
    const line = figures(
      snapshot({ costNano: 2_000_000, calls: 1, unpricedCalls: 0, monthToDateNano: 2_000_000, monthToDateCalls: 3, monthToDatePricedCalls: 1, projectedMonthNano: 20_000_000 }),
    );
    expect(line).toContain('Spend $0.002  1 calls');
    expect(line).toContain('projected month $0.020* (so far $0.002*)');
    const none = figures(snapshot({ costNano: 0, calls: 0, unpricedCalls: 0, monthToDateNano: 0, monthToDateCalls: 2, monthToDatePricedCalls: 0, projectedMonthNano: 0 }));
    expect(none).toContain('projected month — (so far —)');
  });

  it('read plain amounts when every call has a cost', () => {
    const line = figures(snapshot({ costNano: 2_000_000, unpricedCalls: 0, monthToDateNano: 4_000_000, monthToDatePricedCalls: 3, projectedMonthNano: 10_000_000 }));
    expect(line).toContain('Spend $0.002  3 calls');
    expect(line).toContain('projected month $0.010 (so far $0.004)');
  });
});

describe('TUI db source: the month so far of a database whose calls are all unpriced', () => {
  let db: SeededDb | undefined;
  afterEach(() => db?.close());

  it('counts the month calls and their priced ones, and the figures line reads —', async () => {
    const DAY = 86_400_000;
    db = seedDb([
      { at: NOW - DAY, model: 'mystery-model', cost: null },
      { at: NOW - 2 * DAY, model: 'mystery-model', cost: null },
      { at: NOW - 40 * DAY, model: 'gpt-4o-mini', cost: 5_000_000 },
    ]);
    const source = createDbSource({ store: readStore(db.path), label: db.path, clock: () => NOW, timeZone: 'UTC', configKeyBudgets: new Map(), tagBudgets: [] });
    try {
      const snap = await source.load({ since: '7d', dimension: 'feature', filters: [], drill: [] });
      expect(snap.header).toMatchObject({ calls: 2, unpricedCalls: 2, monthToDateNano: 0, monthToDateCalls: 2, monthToDatePricedCalls: 0 });
      const line = figures(snap);
      expect(line).toContain('Spend —');
      expect(line).toContain('projected month — (so far —)');
    } finally {
      source.close();
    }
  });
});
