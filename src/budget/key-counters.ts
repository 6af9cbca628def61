import type { NanoUsd } from '../lib/money.js';
import type { BudgetPeriod, KeyBudget } from '../store/types.js';
import { BudgetCounter } from './counter.js';
import type { PeriodWindows } from './periods.js';
import { SpendWatch } from './spend-watch.js';

/**
 * The counters of the key budgets, one per key name, kept for BudgetLedger in
 * budget-instances.ts (beside tag-instances.ts, the tag budgets'). Adding, changing and
 * removing a key's budget happen here; the ledger decides its waiters again.
 */
export class KeyCounters {
  private readonly byName = new Map<string, BudgetCounter>();

  constructor(private readonly windows: PeriodWindows) {}

  get(name: string): BudgetCounter | undefined {
    return this.byName.get(name);
  }

  all(): IterableIterator<BudgetCounter> {
    return this.byName.values();
  }

  /** Removes a key's budget. @returns its counter (undefined when it had none). */
  remove(name: string): BudgetCounter | undefined {
    const c = this.byName.get(name);
    this.byName.delete(name);
    return c;
  }

  /**
   * Adds or changes a key's budget at `at` (ms). A new budget starts at `spentNano` (or 0),
   * its thresholds already reached marked fired; a changed one keeps its counter (counter.ts
   * `apply`: a changed period re-windows it and takes `spentNano`). `countsFrom` (ms): the
   * admin reset in the (new) window that `spentNano` counts from, if any: calls before it
   * do not count here, and a shared row knows this replica saw that reset.
   * @returns the counter, and the thresholds a raised limit re-armed (usually none).
   */
  set(name: string, budget: KeyBudget, at: number, spentNano?: NanoUsd, countsFrom?: number): { counter: BudgetCounter; rearmed: number[] } {
    const c = this.byName.get(name);
    if (c === undefined) {
      const created = new BudgetCounter(name, 'key', null, null, budget, this.windows, at);
      if (spentNano !== undefined) created.spentNano = spentNano;
      if (countsFrom !== undefined) created.countsFrom = Math.max(created.countsFrom, countsFrom);
      created.markCrossedSilently();
      this.byName.set(name, created);
      return { counter: created, rearmed: [] };
    }
    c.roll(at);
    const rearmed = c.apply(budget, at, spentNano);
    if (countsFrom !== undefined) c.countsFrom = Math.max(c.countsFrom, countsFrom);
    return { counter: c, rearmed };
  }

  /**
   * Counts from now on the cost of the calls settling on key `name`'s counter that were
   * admitted in the window of `period` containing `at` (ms): what a read of the store's
   * spend in that window, cut now, leaves out. Replaces a watch already on the counter.
   * Null when the key has no budget.
   */
  watch(name: string, period: BudgetPeriod, at: number): SpendWatch | null {
    const c = this.byName.get(name);
    if (c === undefined) return null;
    const w = this.windows.get(period, at);
    return new SpendWatch(w.start, w.end, c);
  }
}
