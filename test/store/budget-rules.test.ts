import { describe, expect, it } from 'vitest';
import { resetInPeriod, spendStart, type BudgetPeriodRef } from '../../src/store/read/budgets.js';
import type { BudgetResetRecord } from '../../src/store/types.js';

/** The rule "the current period's spend after resets" (store/read/budgets.ts), without a database. */

const DAY = Date.parse('2026-11-20T00:00:00Z');
const daily: BudgetPeriodRef = { kind: 'tag', name: 'free', period: 'day', periodStart: DAY };
const reset = (over: Partial<BudgetResetRecord>): BudgetResetRecord => ({
  kind: 'tag',
  budget: 'free',
  tagValue: 'u1',
  allValues: false,
  period: 'day',
  periodStart: DAY,
  resetAt: DAY + 1000,
  by: 'admin',
  ...over,
});

describe('resets of the current period', () => {
  it('match only the same budget (kind and name), period length and period start', () => {
    expect(resetInPeriod(reset({}), daily)).toBe(true);
    expect(resetInPeriod(reset({ kind: 'key' }), daily)).toBe(false);
    expect(resetInPeriod(reset({ budget: 'other' }), daily)).toBe(false);
    expect(resetInPeriod(reset({ period: 'month' }), daily)).toBe(false);
    expect(resetInPeriod(reset({ periodStart: DAY - 86_400_000 }), daily)).toBe(false);
  });

  it('move an instance\'s start to its latest reset, or every instance\'s for an all-values reset', () => {
    const resets = [reset({ resetAt: DAY + 5000 }), reset({ resetAt: DAY + 3000 }), reset({ tagValue: 'u2', resetAt: DAY + 9000 }), reset({ tagValue: null, allValues: true, resetAt: DAY + 4000 })];
    expect(spendStart(resets, daily, 'u1')).toBe(DAY + 5000);
    expect(spendStart(resets, daily, 'u2')).toBe(DAY + 9000);
    expect(spendStart(resets, daily, 'u3')).toBe(DAY + 4000);
    expect(spendStart(resets, daily, null)).toBe(DAY + 4000);
    expect(spendStart([], daily, 'u1')).toBe(DAY);
  });

  it('a reset of the `(none)` instance (tag value null) is not a reset of every instance', () => {
    const none = [reset({ tagValue: null, allValues: false, resetAt: DAY + 7000 })];
    expect(spendStart(none, daily, null)).toBe(DAY + 7000);
    expect(spendStart(none, daily, 'u1')).toBe(DAY);
  });

  it('ignore resets of another period, budget or length', () => {
    const stale = [reset({ periodStart: DAY - 86_400_000, resetAt: DAY + 1 }), reset({ budget: 'x' }), reset({ period: 'week' })];
    expect(spendStart(stale, daily, 'u1')).toBe(DAY);
  });
});
