import { afterEach, describe, expect, it } from 'vitest';
import { LeaseKeeper } from '../../../src/budget/lease-keeper.js';
import { BudgetLedger, type Blocked, type Reservation } from '../../../src/budget/ledger.js';
import { budgetLeaseStore, sharedBudgetId } from '../../../src/store/budget-leases.js';
import { pgDatabases } from '../../support/pg-databases.js';

const pg = pgDatabases();
const NOW = Date.parse('2026-11-20T12:00:00Z');
const CAP = 2_000_000;
const keepers: LeaseKeeper[] = [];
afterEach(async () => {
  await Promise.all(keepers.splice(0).map((k) => k.close()));
});

/** Three replicas' ledgers sharing one key budget through one PostgreSQL database. */
async function replicas(label: string, count = 3, options: { ttlMs?: number; heartbeatMs?: number } = {}, cap = CAP) {
  const store = budgetLeaseStore(await pg.db(label));
  /** Per replica: set to cut it off from the database (as seen from the row, the same as a kill -9). */
  const cut = Array.from({ length: count }, () => false);
  const list = await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const own = { ...store, sync: (...a: Parameters<typeof store.sync>) => (cut[i] ? Promise.reject(new Error('replica killed')) : store.sync(...a)) };
      const keeper = new LeaseKeeper({ store: own, log: () => {}, replica: `r${i}`, ...options });
      keepers.push(keeper);
      await keeper.start();
      const ledger = new BudgetLedger({
        clock: () => NOW,
        timeZone: 'UTC',
        keyBudgets: new Map([['k', budgetOf(cap)]]),
        sharing: keeper,
      });
      return { keeper, ledger };
    }),
  );
  return { store, list, cut };
}

function budgetOf(limitNano: number) {
  return { limitNano, period: 'month' as const, alertAt: [], soft: false };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('ledgers of several replicas on one PostgreSQL', () => {
  it('60 concurrent calls over three replicas against a $0.002 cap: spend within one call of the cap, every refusal true', async () => {
    const { store, list } = await replicas('shared_60');
    const EST = 600_000;
    const REAL = 450_000;
    let spent = 0;
    const refusals: Blocked[] = [];
    await Promise.all(
      Array.from({ length: 60 }, async (_, i) => {
        const { ledger } = list[i % 3]!;
        const r = ledger.admit({ keyName: 'k', tags: {}, estimateNano: EST }, { waitMs: 20_000 });
        const result = r instanceof Promise ? await r : r;
        if (!result.ok) return void refusals.push(result as Blocked);
        await sleep(5 + (i % 7) * 3);
        spent += REAL;
        ledger.settle(result as Reservation, REAL);
      }),
    );
    expect(refusals.length).toBeGreaterThan(0);
    for (const r of refusals) expect(r.blocked).toMatchObject({ reason: 'exhausted' });
    expect(refusals.every((r) => r.blocked.spentNano >= CAP && r.blocked.spentNano <= spent)).toBe(true);
    expect(spent).toBeGreaterThanOrEqual(CAP - REAL);
    expect(spent).toBeLessThanOrEqual(CAP + REAL);
    await Promise.all(list.map(({ keeper }) => keeper.close()));
    // Everything settled was written back, and no lease is left.
    expect(await store.sharedSpent(sharedBudgetId('key', 'k', null), Date.parse('2026-11-01T00:00:00Z'))).toBe(spent);
    expect(await store.leases()).toEqual([]);
  });

  it('far from the cap, calls are admitted at once on the lease a replica holds (no database on the request path)', async () => {
    const { list } = await replicas('shared_far', 2);
    const { ledger } = list[0]!;
    const first = ledger.admit({ keyName: 'k', tags: {}, estimateNano: 1000 }, { waitMs: 5000 });
    expect(first).toBeInstanceOf(Promise); // the first call on a replica waits for its first lease
    ledger.settle((await first) as Reservation, 900);
    let immediate = 0;
    for (let i = 0; i < 100; i++) {
      const r = ledger.admit({ keyName: 'k', tags: {}, estimateNano: 1000 }, { waitMs: 5000 });
      if (!(r instanceof Promise)) immediate++;
      ledger.settle((r instanceof Promise ? await r : r) as Reservation, 900);
    }
    expect(immediate).toBeGreaterThanOrEqual(98);
  });

  it('a replica that dies holding a lease: its headroom comes back within the lease TTL plus a heartbeat', async () => {
    const { store, list, cut } = await replicas('shared_dead', 2, { ttlMs: 600, heartbeatMs: 100 });
    const [dead, alive] = list;
    // The dying replica takes most of the cap in one call and never settles it.
    const big = dead!.ledger.admit({ keyName: 'k', tags: {}, estimateNano: CAP - 100_000 }, { waitMs: 5000 });
    expect(((big instanceof Promise ? await big : big) as Reservation).ok).toBe(true);
    expect((await store.leases()).map((l) => l.replica)).toEqual(['r0']);
    cut[0] = true;
    const started = performance.now();
    const r = alive!.ledger.admit({ keyName: 'k', tags: {}, estimateNano: 500_000 }, { waitMs: 5000 });
    const result = r instanceof Promise ? await r : r;
    expect(result.ok).toBe(true);
    expect(performance.now() - started).toBeLessThan(600 + 100 + 500);
    expect((await store.leases()).map((l) => l.replica)).toEqual(['r1']);
  });

  it('a key budget removed and re-added on a replica: the replicas together still admit no more than the cap', async () => {
    // The old budget's lease share lived on beside the new one, both on the replica's one
    // lease row: another replica's NOTIFY made the old share give the row's lease back while
    // the new share went on admitting on it (12,501,000 nano admitted against 10,000,000).
    const BIG = 10_000_000;
    const EST = 500_000;
    const { store, list } = await replicas('shared_readd', 2, {}, BIG);
    const [a, b] = list.map((r) => r.ledger) as [BudgetLedger, BudgetLedger];
    const admit = async (ledger: BudgetLedger, estimateNano: number, waitMs: number) => {
      const r = ledger.admit({ keyName: 'k', tags: {}, estimateNano }, { waitMs });
      return r instanceof Promise ? await r : r;
    };
    // Replica a takes a lease (a chunk of the room) on the budget, which then goes away and comes back.
    a.settle((await admit(a, 1000, 5000)) as Reservation, 1000);
    a.setKeyBudget('k', null);
    a.setKeyBudget('k', budgetOf(BIG));
    let admitted = 1000;
    const held: Array<[BudgetLedger, Reservation]> = [];
    const take = async (ledger: BudgetLedger, waitMs: number, once = false) => {
      do {
        const r = await admit(ledger, EST, waitMs);
        if (!r.ok) return;
        held.push([ledger, r as Reservation]);
        admitted += EST;
      } while (!once);
    };
    // a admits under its new budget; b takes what is left (its waits for room are announced to a).
    await take(a, 5000, true);
    await take(b, 1000);
    await take(a, 0);
    expect(admitted).toBeLessThanOrEqual(BIG + EST);
    for (const [ledger, r] of held) ledger.settle(r, EST);
    // At once: close waits for the syncs these settles scheduled (test/store/pg/lease-close.test.ts).
    await Promise.all(list.map(({ keeper }) => keeper.close()));
    expect(await store.sharedSpent(sharedBudgetId('key', 'k', null), Date.parse('2026-11-01T00:00:00Z'))).toBe(admitted);
    expect(await store.leases()).toEqual([]);
  });
});
