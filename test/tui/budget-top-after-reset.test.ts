import { afterAll, describe, expect, it } from 'vitest';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import { budgetStates, MAX_INSTANCES_PER_BUDGET } from '../../src/tui/data/db-budgets.js';
import { record } from '../report/dataset.js';
import { testStore } from '../support/store.js';

/**
 * The dashboard keeps the MAX_INSTANCES_PER_BUDGET (20) most spent instances of a `per`
 * budget, each at its spend in the period after resets (store periodSpend). The 20 were
 * picked by the spend since the period start, before resets were applied: an instance
 * reset this month (its spend now $0) took a place, and an instance that spent more after
 * resets was left out.
 */
const USD = 1_000_000_000;
const DECEMBER = Date.parse('2026-12-01T00:00:00Z');
const NOW = Date.parse('2026-12-06T12:00:00Z');

const store = testStore(openDriver(':memory:'));
afterAll(() => store.close());

// u01..u19 spend $1 each, u20 $5.90 of its $6 cap; "big" spent $50, then an admin reset its month.
const users = Array.from({ length: 19 }, (_, i) => `u${String(i + 1).padStart(2, '0')}`);
store.insertCalls([
  ...users.map((u, i) => record({ at: DECEMBER + (i + 1) * 3_600_000, cost: 1 * USD, tags: { user_id: u } })),
  record({ at: DECEMBER + 30 * 3_600_000, cost: 5.9 * USD, tags: { user_id: 'u20' } }),
  record({ at: DECEMBER + 3_600_000, cost: 50 * USD, tags: { user_id: 'big' } }),
]);

describe('TUI budget gauges of a per-user budget with a reset instance', () => {
  it('show the 20 most spent instances after resets, not the reset one at $0', async () => {
    await store.budgets.recordReset({ kind: 'tag', budget: 'per-user', tagValue: 'big', allValues: false, period: 'month', periodStart: DECEMBER, resetAt: DECEMBER + 2 * 3_600_000, by: 'admin' });
    const states = await budgetStates(
      store.budgets,
      { keyBudgets: new Map(), tagBudgets: [{ name: 'per-user', match: {}, per: 'user_id', limitNano: 6 * USD, period: 'month', alertAt: [0.8], soft: false }] },
      NOW,
      'UTC',
    );
    expect(MAX_INSTANCES_PER_BUDGET).toBe(20);
    const shown = states.map((s) => [s.tagValue, s.spentNano]);
    expect(shown).toHaveLength(20);
    expect(shown[0]).toEqual(['u20', 5.9 * USD]);
    expect(shown).toContainEqual(['u19', 1 * USD]);
    expect(shown).not.toContainEqual(['big', 0]);
  });
});
