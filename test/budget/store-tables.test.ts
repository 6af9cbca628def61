import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import type { AlertRecord, BudgetLimitRecord } from '../../src/store/types.js';
import { makeCall } from '../store/fixtures.js';
import { testStore, type TestStore } from '../support/store.js';

describe('store: alerts, budget resets, key events, spend for the ledger', () => {
  let store: TestStore;
  beforeEach(() => {
    store = testStore(openDriver(':memory:'));
  });
  afterEach(() => store.close());

  const alert = (over: Partial<AlertRecord>): AlertRecord => ({
    kind: 'key',
    budget: 'k',
    tagValue: null,
    threshold: 0.5,
    period: 'month',
    periodStart: 1000,
    armedFrom: 1000,
    spentNano: 5,
    limitNano: 10,
    soft: false,
    firedAt: 1500,
    ...over,
  });

  it('stores alerts and lists them by period start, oldest first, newest `limit`', async () => {
    await store.budgets.recordAlert(alert({}));
    await store.budgets.recordAlert(alert({ kind: 'tag', budget: 'free', tagValue: 'u1', threshold: 0.8, soft: true, periodStart: 2000 }));
    await store.budgets.recordAlert(alert({ threshold: 1, periodStart: 3000 }));
    expect(await store.budgets.alerts()).toHaveLength(3);
    expect(await store.budgets.alerts({ periodStartFrom: 2000 })).toEqual([alert({ kind: 'tag', budget: 'free', tagValue: 'u1', threshold: 0.8, soft: true, periodStart: 2000 }), alert({ threshold: 1, periodStart: 3000 })]);
    expect((await store.budgets.alerts({ limit: 1 })).map((a) => a.threshold)).toEqual([1]);
  });

  it('stores budget resets and lists those made since a time', async () => {
    await store.budgets.recordReset({ kind: 'tag', budget: 'free', tagValue: null, allValues: true, period: 'day', periodStart: 0, resetAt: 50, by: 'admin' });
    await store.budgets.recordReset({ kind: 'key', budget: 'k', tagValue: null, allValues: false, period: 'month', periodStart: 0, resetAt: 100, by: 'cli' });
    expect(await store.budgets.resets(60)).toEqual([{ kind: 'key', budget: 'k', tagValue: null, allValues: false, period: 'month', periodStart: 0, resetAt: 100, by: 'cli' }]);
    expect(await store.budgets.resets(-Infinity)).toHaveLength(2);
  });

  it('keeps the limit each budget last ran with: one row per (kind, budget), replaced, and forgotten, in one call', async () => {
    const row = (over: Partial<BudgetLimitRecord>): BudgetLimitRecord => ({ kind: 'key', budget: 'k', per: null, limitNano: 10, period: 'month', alertAt: [0.8, 1], seenAt: 1, ...over });
    await store.budgets.recordBudgetLimits([row({}), row({ kind: 'tag', per: 'user', alertAt: [] }), row({ budget: 'other' })], []);
    expect(await store.budgets.budgetLimits()).toHaveLength(3);
    await store.budgets.recordBudgetLimits([row({ limitNano: 5, alertAt: [1, 0.5], seenAt: 2 })], [{ kind: 'tag', budget: 'k' }, { kind: 'key', budget: 'gone' }]);
    expect(await store.budgets.budgetLimits()).toEqual([row({ limitNano: 5, alertAt: [1, 0.5], seenAt: 2 }), row({ budget: 'other' })]);
  });

  it('appends key events and lists them per key or all, oldest first', async () => {
    await store.history.append({ ts: 1, actor: 'cli', action: 'create', keyName: 'a', details: { prefix: 'mk_Ab12' } });
    await store.history.append({ ts: 2, actor: 'admin', action: 'set', keyName: 'b', details: {} });
    await store.history.append({ ts: 3, actor: 'config', action: 'revoke', keyName: 'a', details: {} });
    expect((await store.history.list({ keyName: 'a' })).map((e) => [e.ts, e.actor, e.action])).toEqual([
      [1, 'cli', 'create'],
      [3, 'config', 'revoke'],
    ]);
    expect((await store.history.list({ limit: 2 })).map((e) => e.ts)).toEqual([2, 3]);
    expect((await store.history.list())[0]!.details).toEqual({ prefix: 'mk_Ab12' });
  });

  it('sums priced spend per (key, tag set) over a time range, and per key', async () => {
    store.insertCalls([
      makeCall(0, { ts: 100, keyName: 'a', tags: { u: '1' }, costNano: 10 }),
      makeCall(1, { ts: 150, keyName: 'a', tags: { u: '1' }, costNano: 5 }),
      makeCall(2, { ts: 160, keyName: 'a', tags: { u: '2' }, costNano: 7 }),
      makeCall(3, { ts: 170, keyName: null, tags: {}, costNano: 1 }),
      makeCall(4, { ts: 180, keyName: 'a', tags: { u: '1' }, costNano: null }),
      makeCall(5, { ts: 190, keyName: 'a', tags: { u: '1' }, costNano: 0 }),
      makeCall(6, { ts: 300, keyName: 'a', tags: { u: '1' }, costNano: 1000 }),
    ]);
    const groups = (await store.budgets.spendGroups(100, 300)).sort((x, y) => x.ts - y.ts);
    expect(groups).toEqual([
      { keyName: 'a', tags: { u: '1' }, ts: 100, costNano: 15 },
      { keyName: 'a', tags: { u: '2' }, ts: 160, costNano: 7 },
      { keyName: null, tags: {}, ts: 170, costNano: 1 },
    ]);
    expect((await store.budgets.spendGroups(0, Infinity)).reduce((s, g) => s + g.costNano, 0)).toBe(1023);
    expect((await store.budgets.spend({ kind: 'key', name: 'a' }, 150, Infinity)).map((s) => s.costNano)).toEqual([1012]);
    expect(await store.budgets.spend({ kind: 'key', name: 'nobody' }, 0, Infinity)).toEqual([]);
  });
});
