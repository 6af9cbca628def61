import { afterEach } from 'vitest';
import type { LeaseKeeper } from '../../../src/budget/lease-keeper.js';
import { sharedBudgetId } from '../../../src/store/budget-leases.js';

/** The clock of the lease tests: 2026-11-20 12:00 UTC, in the month budget period that starts on 2026-11-01. */
export const NOW = Date.parse('2026-11-20T12:00:00Z');
export const PERIOD_START = Date.parse('2026-11-01T00:00:00Z');
/** The shared row of key `k`'s budget. */
export const BUDGET = sharedBudgetId('key', 'k', null);

/** A list the test puts its LeaseKeepers in; each is closed after every test of the file. */
export function closedAfterEach(): LeaseKeeper[] {
  const keepers: LeaseKeeper[] = [];
  afterEach(async () => {
    await Promise.all(keepers.splice(0).map((k) => k.close()));
  });
  return keepers;
}
