import type { NanoUsd } from '../lib/money.js';
import type { BudgetPeriod } from './records.js';

/**
 * The shapes of the budget spend reads (BudgetStore in types.ts, which re-exports these;
 * store/read/budgets.ts, store/read/pruned-spend.ts): whose calls a budget sums, over
 * which period, and what each instance spent.
 */

/**
 * Whose calls a budget sums: a metering key's, or a tag budget's (calls whose tags
 * match every `match` pair; with `per`, one instance per value of that tag).
 */
export type BudgetTarget =
  | { kind: 'key'; name: string }
  | { kind: 'tag'; name: string; match: Readonly<Record<string, string>>; per?: string };

/** A budget period: calls with start <= ts < end count (ms; end is Infinity for `total`). */
export interface PeriodBounds {
  period: BudgetPeriod;
  start: number;
  end: number;
}

/** What one budget instance spent. Money in nano-USD; unknown usage counts 0 tokens. */
export interface InstanceSpend {
  /** The `per` tag value; null for key budgets, shared tag budgets and calls lacking the tag. */
  tagValue: string | null;
  /** The calls that reached the provider (store/reached.ts), as reports count them: not those a budget refused. */
  calls: number;
  /**
   * Of `calls`, those with a cost (priced, or not metered at 0): none of them (with calls)
   * makes the spend unknown, fewer a lower bound (report/known-cost.ts). Counts raw calls
   * only, as `calls` does.
   */
  pricedCalls: number;
  costNano: NanoUsd;
  inputTokens: number;
  outputTokens: number;
}

/** What one budget instance spent in its current period after resets (BudgetStore.periodSpend). */
export interface PeriodInstanceSpend extends InstanceSpend {
  /** Where that spend counts from, ms: the period start, or the instance's latest admin reset in the period (read/budgets.ts spendStart). */
  countsFrom: number;
}

/** What one budget instance spent, as far as the sums retention keeps tell (store/read/pruned-spend.ts). */
export interface InstanceCost {
  /** The `per` tag value; null for key budgets, shared tag budgets and calls lacking the tag. */
  tagValue: string | null;
  /** Integer nano-USD; never less than was spent. */
  costNano: NanoUsd;
}
