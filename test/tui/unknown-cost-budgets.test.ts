import { afterEach, describe, expect, it } from 'vitest';
import type { BudgetState } from '../../src/budget/types.js';
import { createDbSource } from '../../src/tui/data/db-source.js';
import type { BudgetGauge } from '../../src/tui/types.js';
import { budgetView } from '../../src/tui/view/budget-view.js';
import type { Line } from '../../src/tui/view/text.js';
import { KEY_BUDGETS, NOW, readStore, seedDb, type SeededDb } from './fixtures.js';

/**
 * A budget gauge's spend reads as report's totals (report/known-cost.ts): `—` when none of
 * the period's calls has a cost (unknown, not $0), and so does its share of the limit; the
 * known sum marked `*` when only some do. A source that cannot tell (the admin API) shows
 * the ledger's sum as before.
 */
const text = (l: Line) => l.map((c) => c.text).join('');
const USD = 1e9;
const ctx = { rows: 5, width: 100, timeZone: 'UTC' };

function gauge(p: Partial<BudgetGauge>): BudgetGauge {
  const state: BudgetState = { name: 'b', kind: 'key', tagValue: null, per: null, spentNano: 0, reservedNano: 0, inFlight: 0, waiting: 0, limitNano: USD, period: 'month', periodStart: 0, resetAt: Date.parse('2026-12-01T00:00:00Z'), soft: false, blocked: false };
  return { ...state, ...p };
}

describe('TUI budget gauges of calls that have no cost', () => {
  it('read — for the spend and its share when none of the calls has a cost', () => {
    const [row] = budgetView([gauge({ name: 'chatbot', counts: { calls: 3, pricedCalls: 0 } })], ctx).rows.map(text);
    expect(row).toMatch(/^chatbot\s.*\s—\s+—\/\$1\.00 month/);
    expect(row).not.toContain('$0.00');
  });

  it('mark the spend * when only some calls have a cost, and keep plain amounts otherwise', () => {
    const rows = budgetView(
      [gauge({ name: 'partly', spentNano: 0.5 * USD, counts: { calls: 4, pricedCalls: 2 } }), gauge({ name: 'priced', spentNano: 0.25 * USD, counts: { calls: 2, pricedCalls: 2 } }), gauge({ name: 'remote', spentNano: 0.1 * USD })],
      ctx,
    ).rows.map(text);
    expect(rows[0]).toMatch(/^partly\s.*\s50%\s+\$0\.500\*\/\$1\.00 month/);
    expect(rows[1]).toMatch(/^priced\s.*\s25%\s+\$0\.250\/\$1\.00 month/);
    expect(rows[2]).toMatch(/^remote\s.*\s10%\s+\$0\.100\/\$1\.00 month/);
  });
});

describe('TUI db source: a key budget whose calls are all unpriced', () => {
  let db: SeededDb | undefined;
  afterEach(() => db?.close());

  it('counts the period calls and their priced ones, and the gauge reads —', async () => {
    db = seedDb([
      { at: NOW - 86_400_000, model: 'mystery-model', key: 'chatbot', cost: null },
      { at: NOW - 2 * 86_400_000, model: 'mystery-model', key: 'chatbot', cost: null },
      { at: NOW - 2 * 86_400_000, model: 'gpt-4o-mini', key: 'summarizer', cost: 5e8 },
    ]);
    const source = createDbSource({ store: readStore(db.path), label: db.path, clock: () => NOW, timeZone: 'UTC', configKeyBudgets: new Map(Object.entries(KEY_BUDGETS)), tagBudgets: [] });
    try {
      const snap = await source.load({ since: '30d', dimension: 'feature', filters: [], drill: [] });
      const chatbot = snap.budgets.find((b) => b.name === 'chatbot')!;
      expect(chatbot).toMatchObject({ spentNano: 0, counts: { calls: 2, pricedCalls: 0 } });
      expect(snap.budgets.find((b) => b.name === 'summarizer')).toMatchObject({ spentNano: 5e8, counts: { calls: 1, pricedCalls: 1 } });
      const rows = budgetView(snap.budgets, ctx).rows.map(text);
      expect(rows.find((r) => r.startsWith('chatbot'))).toMatch(/—\/\$5\.00 month/);
    } finally {
      source.close();
    }
  });
});
