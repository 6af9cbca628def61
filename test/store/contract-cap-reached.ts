import assert from 'node:assert/strict';
import { storeCase, type FacadeCase } from './contract-facade.js';
import { makeCall } from './fixtures.js';

/** BudgetStore.capReachedAt: when an instance's spend reached its cap (the call that crossed it), for the audit's budget table. */

const T0 = 1_750_000_000_000;
const HOUR = 3_600_000;

const call = (at: number, id: number, keyName: string | null, cost: number | null, tags: Record<string, string> = {}) =>
  makeCall(id, { ts: T0 + at, keyName, costNano: cost, tags });

export const capReachedCases: FacadeCase[] = [
  storeCase('budgets.capReachedAt: the time of the call whose cost brought the running spend to the cap, per instance, from where it counts', async (s) => {
    await s.insertCalls([
      call(-HOUR, 1, 'k', 500, { user: 'u1' }), // before `from`: not counted
      call(1 * HOUR, 2, 'k', 40, { user: 'u1' }),
      call(2 * HOUR, 3, 'k', null, { user: 'u1' }), // unpriced: spends nothing
      call(3 * HOUR, 4, 'k', 60, { user: 'u2' }),
      call(4 * HOUR, 5, 'k', 60, { user: 'u1' }), // u1: 40 + 60 = 100, the cap
      call(5 * HOUR, 6, 'k', 30, { user: 'u1' }),
      call(6 * HOUR, 7, 'other', 1000, {}),
      call(7 * HOUR, 8, 'k', 50, {}), // lacks the per tag, as the `other` call: the (none) instance
    ]);
    const key = { kind: 'key' as const, name: 'k' };
    const perUser = { kind: 'tag' as const, name: 'per-user', match: {}, per: 'user' };
    const end = T0 + 24 * HOUR;
    assert.equal(await s.budgets.capReachedAt(perUser, 'u1', T0, end, 100), T0 + 4 * HOUR);
    assert.equal(await s.budgets.capReachedAt(perUser, 'u1', T0, end, 101), T0 + 5 * HOUR);
    assert.equal(await s.budgets.capReachedAt(perUser, 'u1', T0, end, 131), null);
    assert.equal(await s.budgets.capReachedAt(perUser, 'u2', T0, end, 60), T0 + 3 * HOUR);
    assert.equal(await s.budgets.capReachedAt(perUser, null, T0, end, 1000), T0 + 6 * HOUR);
    assert.equal(await s.budgets.capReachedAt(perUser, null, T0, end, 1050), T0 + 7 * HOUR);
    // Counted from a reset: only the calls from `from` on.
    assert.equal(await s.budgets.capReachedAt(perUser, 'u1', T0 + 4 * HOUR, end, 90), T0 + 5 * HOUR);
    // A key budget sums the key's calls of every instance: 40 + 60 + 60 = 160 at 4 h.
    assert.equal(await s.budgets.capReachedAt(key, null, T0, end, 150), T0 + 4 * HOUR);
    assert.equal(await s.budgets.capReachedAt({ kind: 'tag', name: 'shared', match: { user: 'u1' } }, null, T0, end, 130), T0 + 5 * HOUR);
  }),
];
