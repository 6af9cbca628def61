import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/facade.js';
import type { AlertRecord } from '../../src/store/types.js';
import { keyBudget } from './support.js';
import { call, world } from './service-world.js';

/**
 * A budget alert is stored so a restarted proxy neither repeats it nor forgets it (the book
 * reloads stored alerts). A store that is down when the alert fires (PostgreSQL restarting, a
 * full disk: errors that are not "busy", which store/budgets.ts retries itself) must not lose
 * it: the alert is written once the store is back.
 */

/** `store` whose recordAlert fails with a connection error while `down()` is true. */
function flaky(store: Store, down: () => boolean): { store: Store; attempts: () => number } {
  let attempts = 0;
  const budgets = Object.create(store.budgets) as Store['budgets'];
  budgets.recordAlert = (a: AlertRecord) => {
    attempts++;
    return down() ? Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432')) : store.budgets.recordAlert(a);
  };
  const wrapped = Object.create(store) as Store;
  Object.defineProperty(wrapped, 'budgets', { value: budgets });
  return { store: wrapped, attempts: () => attempts };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a budget alert that fires while the store is down', () => {
  const w = world();
  afterEach(() => w.close());

  it('is stored once the store is back, and a restart does not fire it again', async () => {
    await w.addKey('k', keyBudget(1, { alertAt: [0.5] }));
    let isDown = true;
    const f = flaky(w.store, () => isDown);
    const svc = await w.service([], f.store, { alertStoreRetryMs: 20 });
    // $0.60 of a $1 budget crosses 50 %.
    expect(call(svc, 'k', 0.6)).toBe(true);
    await sleep(100);
    expect(f.attempts()).toBeGreaterThan(1);
    expect(await w.store.budgets.alerts()).toEqual([]);
    isDown = false;
    const deadline = Date.now() + 2000;
    while ((await w.store.budgets.alerts()).length === 0 && Date.now() < deadline) await sleep(10);
    expect((await w.store.budgets.alerts()).map((a) => [a.budget, a.threshold])).toEqual([['k', 0.5]]);
    expect(w.lines.some((l) => l.includes('could not store a budget alert') && l.includes('ECONNREFUSED'))).toBe(true);
    await svc.close();

    // A restart reloads it: another $0.10 crosses nothing new.
    const again = await w.service();
    expect(call(again, 'k', 0.1)).toBe(true);
    expect(again.recentAlerts()).toEqual([]);
    await again.close();
  });
});
