import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { grantLease, meetReset } from '../../../src/budget/lease-policy.js';
import { budgetLeaseStore, sharedBudgetId, sharedRowKey, type BudgetLeaseStore, type SharedBudgetRef } from '../../../src/store/budget-leases.js';
import type { PostgresDb } from '../../../src/store/drivers/postgres.js';
import { pgDatabases } from '../../support/pg-databases.js';

const pg = pgDatabases();
const PERIOD = Date.parse('2026-11-01T00:00:00Z');
const sync = { ttlMs: 60_000, contendMs: 500 };
let n = 0;
const ref = (): SharedBudgetRef => {
  const name = `k${++n}`;
  return { id: sharedBudgetId('key', name, null), kind: 'key', name, tagValue: null, periodStart: PERIOD };
};

describe('shared budget counters on PostgreSQL (tokometer_lease_sync)', () => {
  let db: PostgresDb;
  let store: BudgetLeaseStore;
  beforeAll(async () => {
    db = await pg.db('budget_leases');
    store = budgetLeaseStore(db);
  });

  it('applies the same rules as lease-policy.ts meetReset and grantLease, for random rows and requests', async () => {
    const amount = fc.integer({ min: 0, max: 2000 });
    const reset = fc.constantFrom(0, PERIOD + 5, PERIOD + 9);
    await fc.assert(
      fc.asyncProperty(
        fc.record({ limit: fc.integer({ min: 1, max: 3000 }), spent: amount, held: amount, otherA: amount, otherB: amount, reported: amount, floor: amount, need: amount, want: amount, inFlight: amount, rowReset: reset, reqReset: reset }),
        async (x) => {
          const r = ref();
          await db.run('INSERT INTO budget_shares (budget_id, period_start, kind, name, tag_value, spent_nano, reset_at) VALUES (?, ?, ?, ?, NULL, ?, ?)', [r.id, PERIOD, 'key', r.name, x.spent, x.rowReset]);
          const far = Date.now() + 60_000;
          for (const [replica, lease] of [['me', x.held], ['a', x.otherA], ['b', x.otherB]] as const) {
            if (lease > 0) await db.run('INSERT INTO budget_leases (budget_id, period_start, replica, lease_nano, expires_at) VALUES (?, ?, ?, ?, ?)', [r.id, PERIOD, replica, lease, far]);
          }
          const request = { reportedNano: x.reported, floorNano: x.floor, needNano: x.need, wantNano: x.want, inFlightNano: x.inFlight };
          const got = await store.sync(r, { ...request, replica: 'me', limitNano: x.limit, seedNano: 0, resetAt: x.reqReset, ...sync });
          const met = meetReset({ spentNano: x.spent, resetAt: x.rowReset }, { resetAt: x.reqReset, reportedNano: x.reported });
          const expected = grantLease({ limitNano: x.limit, spentNano: met.spentNano, heldNano: x.held, othersNano: x.otherA + x.otherB }, { ...request, reportedNano: met.reportedNano });
          expect({ status: got.status, leaseNano: got.leaseNano, spentNano: got.spentNano, othersNano: got.othersNano, resetAt: got.resetAt }).toEqual({ ...expected, othersNano: x.otherA + x.otherB, resetAt: met.resetAt });
          expect(await store.sharedSpent(r.id, PERIOD)).toBe(expected.spentNano);
          const mine = (await store.leases(r.id)).filter((l) => l.replica === 'me');
          expect(mine.map((l) => l.leaseNano)).toEqual(expected.leaseNano > 0 ? [expected.leaseNano] : []);
        },
      ),
      { numRuns: 80 },
    );
  });

  it('a new row starts from the seed; a lease not renewed in time goes back to the room', async () => {
    const r = ref();
    const ask = (replica: string, need: number, ttlMs: number) =>
      store.sync(r, { replica, limitNano: 1000, seedNano: 400, reportedNano: 0, floorNano: 0, needNano: need, wantNano: need, inFlightNano: 0, ttlMs, contendMs: 500 });
    expect(await ask('dies', 500, 150)).toMatchObject({ status: 'granted', leaseNano: 500, spentNano: 400, holders: 1 });
    expect(await ask('lives', 300, 60_000)).toMatchObject({ status: 'short', leaseNano: 0, othersNano: 500 });
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(await ask('lives', 300, 60_000)).toMatchObject({ status: 'granted', leaseNano: 300, othersNano: 0, holders: 1 });
    expect((await store.leases(r.id)).map((l) => l.replica)).toEqual(['lives']);
  });

  it('announces on tokometer_leases when a replica finds no room, and when headroom is freed while someone waits', async () => {
    const r = ref();
    const heard: string[] = [];
    const stop = await store.listen(
      (id) => heard.push(id),
      () => {},
    );
    try {
      const ask = (replica: string, o: { need?: number; floor?: number; reported?: number }) =>
        store.sync(r, { replica, limitNano: 1000, seedNano: 0, reportedNano: o.reported ?? 0, floorNano: o.floor ?? 0, needNano: o.need ?? 0, wantNano: o.need ?? 0, inFlightNano: o.floor ?? 0, ...sync });
      await ask('a', { need: 900, floor: 0 });
      expect(heard).toEqual([]);
      expect(await ask('b', { need: 200 })).toMatchObject({ status: 'short' });
      await until(() => heard.length === 1);
      // a's call settled at 700: reported, and the rest given back.
      expect(await ask('a', { reported: 700, floor: 0 })).toMatchObject({ status: 'granted', leaseNano: 0, spentNano: 700, contended: true });
      await until(() => heard.length === 2);
      expect(heard).toEqual([r.id, r.id]);
      expect(await ask('b', { need: 200 })).toMatchObject({ status: 'granted', leaseNano: 200 });
    } finally {
      await stop();
    }
  });

  it('sharedRows reads many rows at once (spend and last reset), by instance and period; instances without a row are absent', async () => {
    const [a, b, none] = [ref(), ref(), ref()];
    const insert = (id: string, name: string, period: number, spent: number, resetAt = 0) =>
      db.run('INSERT INTO budget_shares (budget_id, period_start, kind, name, tag_value, spent_nano, reset_at) VALUES (?, ?, ?, ?, NULL, ?, ?)', [id, period, 'key', name, spent, resetAt]);
    const before = PERIOD - 30 * 86_400_000;
    await insert(a.id, a.name, PERIOD, 1_234);
    await insert(a.id, a.name, before, 999);
    await insert(b.id, b.name, PERIOD, 5_000_000_000_000, PERIOD + 42);
    const got = await store.sharedRows([a, b, none].map((r) => ({ budgetId: r.id, periodStart: PERIOD })).concat([{ budgetId: b.id, periodStart: before }]));
    expect([...got.entries()].sort()).toEqual(
      [
        [sharedRowKey(a.id, PERIOD), { spentNano: 1_234, resetAt: 0 }],
        [sharedRowKey(b.id, PERIOD), { spentNano: 5_000_000_000_000, resetAt: PERIOD + 42 }],
      ].sort(),
    );
    // 1 200 instances: three statements of at most 500.
    const many = Array.from({ length: 1200 }, (_, i) => ({ budgetId: i === 1100 ? a.id : `nobody-${i}`, periodStart: PERIOD }));
    expect([...(await store.sharedRows(many)).values()]).toEqual([{ spentNano: 1_234, resetAt: 0 }]);
    expect((await store.sharedRows([])).size).toBe(0);
  });

  it('a reset clears the shared spend of the current period (one instance, or every instance of a per budget), and answers what each row held', async () => {
    const at = PERIOD + 1000;
    const r = ref();
    await store.sync(r, { replica: 'a', limitNano: 1000, seedNano: 0, reportedNano: 600, floorNano: 0, needNano: 0, wantNano: 0, inFlightNano: 0, ...sync });
    const tagged = (value: string): SharedBudgetRef => ({ id: sharedBudgetId('tag', 'team', value), kind: 'tag', name: 'team', tagValue: value, periodStart: PERIOD });
    for (const v of ['x', 'y']) await store.sync(tagged(v), { replica: 'a', limitNano: 1000, seedNano: 0, reportedNano: 300, floorNano: 0, needNano: 0, wantNano: 0, inFlightNano: 0, ...sync });
    expect(await store.reset('key', r.name, null, PERIOD, at)).toEqual(new Map([[r.id, 600]]));
    expect(await store.sharedSpent(r.id, PERIOD)).toBe(0);
    // The same reset again (a row already at it) clears nothing more.
    expect(await store.reset('key', r.name, null, PERIOD, at)).toEqual(new Map());
    expect(await store.reset('tag', 'team', 'x', PERIOD, at)).toEqual(new Map([[tagged('x').id, 300]]));
    expect([await store.sharedSpent(tagged('x').id, PERIOD), await store.sharedSpent(tagged('y').id, PERIOD)]).toEqual([0, 300]);
    // An instance without a row gets one, cleared of nothing.
    expect(await store.reset('tag', 'team', 'z', PERIOD, at)).toEqual(new Map([[tagged('z').id, 0]]));
    expect(await store.reset('tag', 'team', undefined, PERIOD, at + 1)).toEqual(new Map([[tagged('x').id, 0], [tagged('y').id, 300], [tagged('z').id, 0]]));
    expect(await store.sharedSpent(tagged('y').id, PERIOD)).toBe(0);
  });

  it('sharedInstances lists every instance of a budget with a row in a period, by tag value', async () => {
    const tagged = (value: string | null, period = PERIOD): SharedBudgetRef => ({ id: sharedBudgetId('tag', 'users', value), kind: 'tag', name: 'users', tagValue: value, periodStart: period });
    for (const [v, spent] of [['u2', 200], ['u1', 100], [null, 50]] as const) await store.sync(tagged(v), { replica: 'a', limitNano: 1000, seedNano: 0, reportedNano: spent, floorNano: 0, needNano: 0, wantNano: 0, inFlightNano: 0, ...sync });
    await store.sync(tagged('old', PERIOD - 86_400_000), { replica: 'a', limitNano: 1000, seedNano: 0, reportedNano: 7, floorNano: 0, needNano: 0, wantNano: 0, inFlightNano: 0, ...sync });
    await store.reset('tag', 'users', 'u2', PERIOD, PERIOD + 5);
    expect(await store.sharedInstances('tag', 'users', PERIOD)).toEqual([
      { tagValue: 'u1', spentNano: 100, resetAt: 0 },
      { tagValue: 'u2', spentNano: 0, resetAt: PERIOD + 5 },
      { tagValue: null, spentNano: 50, resetAt: 0 },
    ]);
    expect(await store.sharedInstances('tag', 'nobody', PERIOD)).toEqual([]);
  });

  it('repriced cost changes count once in the row whichever replicas send them; a new row skips what its seed holds', async () => {
    const base = { limitNano: 10_000, reportedNano: 0, floorNano: 0, needNano: 0, wantNano: 0, inFlightNano: 0, ...sync };
    const r = ref();
    await store.sync(r, { ...base, replica: 'a', seedNano: 1000, seedRepricedThrough: 7 });
    // Change 7 is in the seed; 8 and 9 are not.
    const a = await store.sync(r, { ...base, replica: 'a', seedNano: 0, reprices: [[7, 500], [8, 300], [9, -100]] });
    expect(a.spentNano).toBe(1200);
    // Replica b saw the same changes (and one more): only 10 is new to the row.
    const b = await store.sync(r, { ...base, replica: 'b', seedNano: 0, reprices: [[8, 300], [9, -100], [10, 50]] });
    expect(b.spentNano).toBe(1250);
    // Sent again after a lost answer: nothing moves.
    expect((await store.sync(r, { ...base, replica: 'b', seedNano: 0, reprices: [[10, 50]] })).spentNano).toBe(1250);
    // A cheaper reprice never takes the spend below 0.
    expect((await store.sync(r, { ...base, replica: 'a', seedNano: 0, reprices: [[11, -5000]] })).spentNano).toBe(0);
    expect((await db.get<{ through: number }>('SELECT repriced_through::int AS through FROM budget_shares WHERE budget_id = ?', [r.id]))?.through).toBe(11);
  });
});

async function until(ok: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
