import type { NanoUsd } from '../lib/money.js';
import type { BudgetPeriod, BudgetStore } from '../store/types.js';
import { periodWindow } from './periods.js';

/** A key's stored spend in a period window (nano-USD), counted from `countsFrom` (ms: the window's start or its last reset). */
export interface StoredKeySpend {
  spentNano: NanoUsd;
  countsFrom: number;
}

/**
 * The key's stored spend in the `period` window at `now` (ms, in `timeZone`) after that
 * window's last reset, and where it counts from (that reset, or the window's start), both
 * from one read of the resets (store periodSpend): a re-added budget's shared row is
 * lifted by this spend only when the reset it knows is the row's (lease-policy.ts meetSeed).
 */
export async function storedKeySpend(store: Pick<BudgetStore, 'periodSpend'>, name: string, period: BudgetPeriod, now: number, timeZone: string): Promise<StoredKeySpend> {
  const w = periodWindow(period, now, timeZone);
  // A key budget always has its one entry; the window's start stands in should it lack it.
  const [spent] = await store.periodSpend({ kind: 'key', name }, { period, start: w.start, end: w.end });
  return { spentNano: spent?.costNano ?? 0, countsFrom: spent?.countsFrom ?? w.start };
}
