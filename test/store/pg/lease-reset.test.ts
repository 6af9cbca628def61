import { describe, expect, it } from 'vitest';
import { LeaseKeeper } from '../../../src/budget/lease-keeper.js';
import { BudgetLedger, type Reservation } from '../../../src/budget/ledger.js';
import { budgetLeaseStore, type BudgetLeaseStore } from '../../../src/store/budget-leases.js';
import type { PostgresDb } from '../../../src/store/drivers/postgres.js';
import { pgDatabases } from '../../support/pg-databases.js';
import { BUDGET, closedAfterEach, NOW, PERIOD_START } from './lease-fixtures.js';

const pg = pgDatabases();
const USD = 1e9;
const keepers = closedAfterEach();

const turns = async (n = 10) => {
  for (let i = 0; i < n; i++) await new Promise<void>((resolve) => setImmediate(resolve));
};
/** Until every sync sent has its answer (and a few turns more for follow-ups). */
const answered = async (wire: { sent: number; answered: number }) => {
  for (let i = 0; i < 300 && (await turns(), wire.answered < wire.sent); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(wire.answered).toBe(wire.sent);
};

/**
 * One replica (keeper and ledger, key budget `k` of `capUsd` a month, no heartbeat in the
 * test's time) on `db`. While `wire.before` is set its syncs wait there before reaching
 * PostgreSQL; while `wire.after` is set their answers wait there (the statement ran).
 */
function replica(db: PostgresDb, name: string, capUsd: number) {
  const store = budgetLeaseStore(db);
  const wire = { before: null as Promise<void> | null, after: null as Promise<void> | null, sent: 0, answered: 0 };
  const own: BudgetLeaseStore = {
    ...store,
    async sync(ref, request) {
      wire.sent++;
      if (wire.before !== null) await wire.before;
      const result = await store.sync(ref, request);
      if (wire.after !== null) await wire.after;
      wire.answered++;
      return result;
    },
  };
  const keeper = new LeaseKeeper({ store: own, log: () => {}, replica: name, heartbeatMs: 60_000 });
  keepers.push(keeper);
  const ledger = new BudgetLedger({ clock: () => NOW, timeZone: 'UTC', keyBudgets: new Map([['k', { limitNano: capUsd * USD, period: 'month' as const, alertAt: [], soft: false }]]), sharing: keeper });
  const admit = async (usd: number) => {
    const r = ledger.admit({ keyName: 'k', tags: {}, estimateNano: usd * USD }, { waitMs: 5000 });
    const got = r instanceof Promise ? await r : r;
    expect(got.ok).toBe(true);
    return got as Reservation;
  };
  const spend = async (usd: number) => ledger.settle(await admit(usd), usd * USD);
  /** BudgetService.reset's two steps: the ledger at once, then the shared row. */
  const resetLedger = () => ledger.resetSpend({ kind: 'key', name: 'k' }, NOW);
  const resetRow = () => store.reset('key', 'k', null, PERIOD_START, NOW);
  const spent = () => ledger.snapshot()[0]!.spentNano;
  return { store, keeper, ledger, wire, admit, spend, resetLedger, resetRow, spent };
}

function gate() {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

describe('admin reset of a shared budget on PostgreSQL (reset_at, migration 9)', () => {
  it.each(['ran before the reset, its answer still on the wire', 'reaching PostgreSQL after the reset'] as const)(
    'a sync sent before the reset and %s: the spend made after the reset stays, the spend cleared does not come back',
    async (when) => {
      const r = replica(await pg.db(`reset_wire_${when.startsWith('ran') ? 'answer' : 'request'}`), 'r0', 10);
      // Near the cap for $1 calls: each settle syncs at once (reports its cost).
      const call = await r.admit(1);
      const held = gate();
      if (when.startsWith('ran')) r.wire.after = held.promise;
      else r.wire.before = held.promise;
      const sent = r.wire.sent;
      r.ledger.settle(call, 1 * USD);
      await turns();
      expect(r.wire.sent).toBe(sent + 1);
      if (when.startsWith('ran')) expect(await r.store.sharedSpent(BUDGET, PERIOD_START)).toBe(1 * USD);
      r.resetLedger();
      await r.resetRow();
      await r.spend(0.5);
      await turns();
      r.wire.after = r.wire.before = null;
      held.open();
      await r.keeper.close();
      expect({ ledger: r.spent(), row: await r.store.sharedSpent(BUDGET, PERIOD_START) }).toEqual({ ledger: 0.5 * USD, row: 0.5 * USD });
    },
  );

  it('a sync sent after the reset that reaches PostgreSQL before the reset statement clears the row itself; the statement then changes nothing', async () => {
    const r = replica(await pg.db('reset_sync_first'), 'r0', 10);
    await r.spend(1);
    await answered(r.wire);
    expect(await r.store.sharedSpent(BUDGET, PERIOD_START)).toBe(1 * USD);
    r.resetLedger();
    await r.spend(0.5);
    await answered(r.wire);
    expect(await r.store.sharedSpent(BUDGET, PERIOD_START)).toBe(0.5 * USD);
    await r.resetRow();
    await r.keeper.close();
    expect({ ledger: r.spent(), row: await r.store.sharedSpent(BUDGET, PERIOD_START) }).toEqual({ ledger: 0.5 * USD, row: 0.5 * USD });
  });

  it("another replica's spend from before the reset, reported after it, does not come back; that replica then counts from the reset", async () => {
    const db = await pg.db('reset_other_replica');
    const a = replica(db, 'a', 100);
    const b = replica(db, 'b', 100);
    // Far from the cap: b's $1 is reported at its next heartbeat (or at shutdown), not now.
    await b.spend(1);
    await a.spend(2);
    await turns();
    expect(await a.store.sharedSpent(BUDGET, PERIOD_START)).toBe(0);
    a.resetLedger();
    await a.resetRow();
    await a.spend(0.25);
    await a.keeper.close();
    expect(await a.store.sharedSpent(BUDGET, PERIOD_START)).toBe(0.25 * USD);
    // b writes back its $1 (shutdown): not counted; its ledger takes the row's spend.
    await b.keeper.close();
    expect({ row: await b.store.sharedSpent(BUDGET, PERIOD_START), b: b.spent() }).toEqual({ row: 0.25 * USD, b: 0.25 * USD });
  });

  it('a reset of a budget no replica has synced yet makes its row: a first sync does not seed it with the spend cleared', async () => {
    const db = await pg.db('reset_no_row');
    const a = replica(db, 'a', 100);
    const b = replica(db, 'b', 100);
    // Both replicas know $3 from the call log (seed); a resets before either synced.
    for (const r of [a, b]) r.ledger.seed([{ ref: { kind: 'key', name: 'k' }, periodStart: PERIOD_START, spentNano: 3 * USD }]);
    a.resetLedger();
    await a.resetRow();
    await b.spend(1);
    await b.keeper.close();
    expect(await b.store.sharedSpent(BUDGET, PERIOD_START)).toBe(1 * USD);
    expect(b.spent()).toBe(1 * USD);
  });
});
