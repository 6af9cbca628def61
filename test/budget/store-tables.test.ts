import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import { createStore } from '../../src/store/sqlite-store.js';
import type { AlertRecord, Store } from '../../src/store/types.js';
import { makeCall } from '../store/fixtures.js';

describe('store: alerts, budget resets, key events, spend for the ledger', () => {
  let store: Store;
  beforeEach(() => {
    store = createStore(openDriver(':memory:'));
  });
  afterEach(() => store.close());

  const alert = (over: Partial<AlertRecord>): AlertRecord => ({
    kind: 'key',
    budget: 'k',
    tagValue: null,
    threshold: 0.5,
    period: 'month',
    periodStart: 1000,
    spentNano: 5,
    limitNano: 10,
    soft: false,
    firedAt: 1500,
    ...over,
  });

  it('stores alerts and lists them by period start, oldest first, newest `limit`', () => {
    store.insertAlert(alert({}));
    store.insertAlert(alert({ kind: 'tag', budget: 'free', tagValue: 'u1', threshold: 0.8, soft: true, periodStart: 2000 }));
    store.insertAlert(alert({ threshold: 1, periodStart: 3000 }));
    expect(store.listAlerts()).toHaveLength(3);
    expect(store.listAlerts({ periodStartFrom: 2000 })).toEqual([alert({ kind: 'tag', budget: 'free', tagValue: 'u1', threshold: 0.8, soft: true, periodStart: 2000 }), alert({ threshold: 1, periodStart: 3000 })]);
    expect(store.listAlerts({ limit: 1 }).map((a) => a.threshold)).toEqual([1]);
  });

  it('stores budget resets and lists those made since a time', () => {
    store.insertBudgetReset({ kind: 'tag', budget: 'free', tagValue: null, allValues: true, period: 'day', periodStart: 0, resetAt: 50, by: 'admin' });
    store.insertBudgetReset({ kind: 'key', budget: 'k', tagValue: null, allValues: false, period: 'month', periodStart: 0, resetAt: 100, by: 'cli' });
    expect(store.listBudgetResets(60)).toEqual([{ kind: 'key', budget: 'k', tagValue: null, allValues: false, period: 'month', periodStart: 0, resetAt: 100, by: 'cli' }]);
    expect(store.listBudgetResets(-Infinity)).toHaveLength(2);
  });

  it('appends key events and lists them per key or all, oldest first', () => {
    store.appendKeyEvent({ ts: 1, actor: 'cli', action: 'create', keyName: 'a', details: { prefix: 'mk_Ab12' } });
    store.appendKeyEvent({ ts: 2, actor: 'admin', action: 'set', keyName: 'b', details: {} });
    store.appendKeyEvent({ ts: 3, actor: 'config', action: 'revoke', keyName: 'a', details: {} });
    expect(store.listKeyEvents({ keyName: 'a' }).map((e) => [e.ts, e.actor, e.action])).toEqual([
      [1, 'cli', 'create'],
      [3, 'config', 'revoke'],
    ]);
    expect(store.listKeyEvents({ limit: 2 }).map((e) => e.ts)).toEqual([2, 3]);
    expect(store.listKeyEvents()[0]!.details).toEqual({ prefix: 'mk_Ab12' });
  });

  it('sums priced spend per (key, tag set) over a time range, and per key', () => {
    store.insertCalls([
      makeCall(0, { ts: 100, keyName: 'a', tags: { u: '1' }, costNano: 10 }),
      makeCall(1, { ts: 150, keyName: 'a', tags: { u: '1' }, costNano: 5 }),
      makeCall(2, { ts: 160, keyName: 'a', tags: { u: '2' }, costNano: 7 }),
      makeCall(3, { ts: 170, keyName: null, tags: {}, costNano: 1 }),
      makeCall(4, { ts: 180, keyName: 'a', tags: { u: '1' }, costNano: null }),
      makeCall(5, { ts: 190, keyName: 'a', tags: { u: '1' }, costNano: 0 }),
      makeCall(6, { ts: 300, keyName: 'a', tags: { u: '1' }, costNano: 1000 }),
    ]);
    const groups = store.spendGroups(100, 300).sort((x, y) => x.ts - y.ts);
    expect(groups).toEqual([
      { keyName: 'a', tags: { u: '1' }, ts: 100, costNano: 15 },
      { keyName: 'a', tags: { u: '2' }, ts: 160, costNano: 7 },
      { keyName: null, tags: {}, ts: 170, costNano: 1 },
    ]);
    expect(store.spendGroups(0, Infinity).reduce((s, g) => s + g.costNano, 0)).toBe(1023);
    expect(store.keySpend('a', 150, Infinity)).toBe(1012);
    expect(store.keySpend('nobody', 0, Infinity)).toBe(0);
  });
});
