import { storedKeySpend } from '../budget/stored-key-spend.js';
import { NANO_PER_USD, formatSpentBeside, type NanoUsd } from '../lib/money.js';
import type { BudgetStore, KeyBudget } from '../store/types.js';

/**
 * A key's spend in its budget's current period, as `keys list` shows it: what the stored
 * calls cost since the period began (or since the budget's last reset, when later), against
 * the budget serve enforces. Calls still in a running serve's write queue are not counted yet.
 */
export interface KeySpend {
  budget: KeyBudget;
  /** nano-USD spent in the period after its last reset. */
  spentNano: NanoUsd;
  /** ms: the period's start, or the last reset when later; 0 for a `total` budget never reset. */
  countsFrom: number;
  /** spent / limit; Infinity for a zero limit with some spend, 0 with none. */
  fraction: number;
  /** A hard budget whose spend reached its limit: serve refuses the key's calls until the period ends (or a reset). */
  blocked: boolean;
}

/** The spend of key `name` against `budget` at `now` (ms), periods in `timeZone`; null without a budget. */
export async function keySpend(store: Pick<BudgetStore, 'periodSpend'>, name: string, budget: KeyBudget | null, now: number, timeZone: string): Promise<KeySpend | null> {
  if (budget === null) return null;
  const { spentNano, countsFrom } = await storedKeySpend(store, name, budget.period, now, timeZone);
  const fraction = budget.limitNano > 0 ? spentNano / budget.limitNano : spentNano > 0 ? Infinity : 0;
  return { budget, spentNano, countsFrom, fraction, blocked: !budget.soft && spentNano >= budget.limitNano };
}

/**
 * `$0.0042 of $0.01/day (42 %)`, `blocked` after it at a hard cap; `budgetText` is the budget
 * as the list shows it. The spend is written as the 429 writes it beside the limit (lib/money.ts
 * formatSpentBeside: under $1 to three significant digits, `$0.0617 of $0.05/day`, not `$0.06`).
 */
export function keySpendText(s: KeySpend, budgetText: string): string {
  const percent = Number.isFinite(s.fraction) ? ` (${Math.round(s.fraction * 100)} %)` : '';
  return `${formatSpentBeside(s.spentNano, s.budget.limitNano)} of ${budgetText}${percent}${s.blocked ? ' blocked' : ''}`;
}

/** `keys list --json`'s `spend`: USD and ISO time, null fraction for a zero limit with spend. */
export function keySpendJson(s: KeySpend | null): Record<string, unknown> | null {
  if (s === null) return null;
  return {
    period: s.budget.period,
    period_start: s.countsFrom > 0 ? new Date(s.countsFrom).toISOString() : null,
    spent_usd: s.spentNano / NANO_PER_USD,
    limit_usd: s.budget.limitNano / NANO_PER_USD,
    fraction: Number.isFinite(s.fraction) ? s.fraction : null,
    blocked: s.blocked,
  };
}
