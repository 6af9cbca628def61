import { describe, expect, it } from 'vitest';
import type { BudgetState } from '../../src/budget/types.js';
import { budgetView } from '../../src/tui/view/budget-view.js';
import type { Line } from '../../src/tui/view/text.js';

/**
 * A hard budget blocks once its spend reaches the limit. A gauge that reads "100%" says
 * it has: at $9.96 of $10.00 the cap is not reached, calls still go through, yet the
 * percentage rounds up to 100% (beside a gauge without BLOCKED).
 */
const text = (l: Line) => l.map((c) => c.text).join('');
const USD = 1e9;
const budget = (spentNano: number): BudgetState => ({
  name: 'summarizer', kind: 'key', tagValue: null, per: null, spentNano, reservedNano: 0, inFlight: 0, waiting: 0,
  limitNano: 10 * USD, period: 'month', periodStart: 0, resetAt: Date.parse('2026-12-01T00:00:00Z'), soft: false, blocked: spentNano >= 10 * USD,
});

describe('budget gauge percentage', () => {
  it('reads 100% only once the limit is reached', () => {
    const below = text(budgetView([budget(9.96 * USD)], { rows: 3, width: 100, timeZone: 'UTC' }).rows[0]!);
    expect(below).not.toMatch(/\b100%/);
    expect(below).toMatch(/\b99%/);
    const at = text(budgetView([budget(10 * USD)], { rows: 3, width: 100, timeZone: 'UTC' }).rows[0]!);
    expect(at).toMatch(/\b100%.*BLOCKED/);
  });
});
