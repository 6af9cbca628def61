import { afterEach, describe, expect, it } from 'vitest';
import { BudgetService } from '../../src/budget/service.js';
import { hashSecret, keyPrefix, newMeteringKey } from '../../src/lib/ids.js';
import { createPricer } from '../../src/pricing/pricer.js';
import { KeyResolver } from '../../src/proxy/auth.js';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import type { Store } from '../../src/store/facade.js';
import { HoldingWriter } from '../../src/store/held-writes.js';
import type { KeyBudget } from '../../src/store/types.js';
import { makeCall } from '../store/fixtures.js';
import { manualWriter } from '../support/manual-writer.js';
import { testStore, type TestStore } from '../support/store.js';
import { USD, keyBudget } from './helpers.js';

const NOW = Date.parse('2026-11-20T12:00:00Z');

/** A promise and its resolve, to hold a read until the test lets it go. */
function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** The proxy's record writer, reduced: records wait in `pending` until `write()` (its timer) or a flush stores them. */
function innerWriter(store: TestStore) {
  return manualWriter((records) => store.insertCalls(records));
}

/**
 * A key `k` with stored calls; a budget service whose store's period spend read waits for
 * `holdReads`' promise (when set); calls through its ledger whose records go to the
 * proxy's writer (a HoldingWriter over `innerWriter`) as the proxy's calls do.
 */
async function world(budget: KeyBudget) {
  const store: TestStore = testStore(openDriver(':memory:'));
  const secret = newMeteringKey();
  await store.keys.create({ name: 'k', prefix: keyPrefix(secret), hash: hashSecret(secret), budget, createdAt: NOW });
  store.insertCalls([
    makeCall(0, { ts: Date.parse('2026-11-02T10:00:00Z'), keyName: 'k', tags: {}, costNano: 3 * USD }),
    makeCall(1, { ts: Date.parse('2026-11-20T01:00:00Z'), keyName: 'k', tags: {}, costNano: 0.25 * USD }),
  ]);
  let hold: Promise<void> | null = null;
  let reads = 0;
  const budgets = {
    ...store.budgets,
    periodSpend: async (...a: Parameters<Store['budgets']['periodSpend']>) => {
      reads++;
      if (hold !== null) await hold;
      return store.budgets.periodSpend(...a);
    },
  };
  const inner = innerWriter(store);
  const writer = new HoldingWriter(inner.writer);
  const keys = new KeyResolver(store, {});
  await keys.reload();
  const svc = await BudgetService.create({
    store: { ...store, budgets },
    keys,
    tagBudgets: [],
    timeZone: 'UTC',
    pricer: createPricer(),
    clock: () => NOW,
    log: () => {},
    holdWrites: () => writer.hold(),
  });
  let n = 10;
  /** Admits a call of `usd` now; settling it counts it in the ledger and hands its record to the writer. */
  const admit = (usd: number) => {
    const r = svc.ledger.reserve({ keyName: 'k', tags: {}, estimateNano: 1 });
    if (!r.ok) throw new Error('refused');
    return () => {
      svc.ledger.settle(r, Math.round(usd * USD));
      writer.enqueue(makeCall(n++, { ts: NOW, keyName: 'k', tags: {}, costNano: Math.round(usd * USD) }));
    };
  };
  const spent = () => svc.snapshot().find((s) => s.name === 'k')!.spentNano;
  const stored = async (period: 'day' | 'month', start: string, end: string) => {
    const [row] = await store.budgets.periodSpend({ kind: 'key', name: 'k' }, { period, start: Date.parse(start), end: Date.parse(end) });
    return row?.costNano ?? 0;
  };
  return { store, keys, svc, admit, writer, tick: inner.write, spent, stored, holdReads: (p: Promise<void> | null) => (hold = p), reads: () => reads };
}

describe('a key budget whose period changes while calls settle', () => {
  let store: TestStore | undefined;
  afterEach(() => store?.close());

  it('counts the calls settled while the new window is read from the store, each once (month -> day)', async () => {
    const w = await world(keyBudget(10, { period: 'month' }));
    store = w.store;
    expect(w.spent()).toBe(3.25 * USD);
    w.admit(0.1)(); // settled, its record not written yet
    const inFlightA = w.admit(0.2);
    const inFlightB = w.admit(0.4);
    const read = deferred();
    w.holdReads(read.promise);
    await w.store.keys.update('k', { budget: keyBudget(10, { period: 'day' }) });
    const reloading = w.keys.reload();
    while (w.reads() === 0) await new Promise((r) => setImmediate(r));
    // The read is on: calls settle (one admitted before the change), their records not written yet.
    w.admit(0.5)();
    inFlightA();
    w.admit(0.5)();
    read.resolve();
    await reloading;
    expect(w.svc.snapshot()[0]).toMatchObject({ period: 'day' });
    inFlightB();
    // Today: $0.25 stored, $0.1 settled before the change, $1.2 during the read (lost before the fix: $0.65), $0.4 after.
    expect(w.spent()).toBe(1.95 * USD);
    // The same as the store, once every record is written (as a restart would count it).
    await w.writer.flush();
    expect(await w.stored('day', '2026-11-20T00:00:00Z', '2026-11-21T00:00:00Z')).toBe(w.spent());
  });

  it('day -> month: the calls settled during the read count once, also when the writer writes meanwhile', async () => {
    const w = await world(keyBudget(10, { period: 'day' }));
    store = w.store;
    expect(w.spent()).toBe(0.25 * USD);
    const read = deferred();
    w.holdReads(read.promise);
    await w.store.keys.update('k', { budget: keyBudget(10, { period: 'month' }) });
    const reloading = w.keys.reload();
    while (w.reads() === 0) await new Promise((r) => setImmediate(r));
    // The writer's timer fires during the read: the records of these calls are held back, not written.
    for (let i = 0; i < 5; i++) w.admit(0.3)();
    w.tick();
    read.resolve();
    await reloading;
    expect(w.spent()).toBe(4.75 * USD);
    await w.writer.flush();
    expect(await w.stored('month', '2026-11-01T00:00:00Z', '2026-12-01T00:00:00Z')).toBe(w.spent());
  });
});
