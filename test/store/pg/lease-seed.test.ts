import { beforeAll, describe, expect, it } from 'vitest';
import { budgetLeaseStore, sharedBudgetId, type BudgetLeaseStore, type LeaseSyncRequest, type SharedBudgetRef } from '../../../src/store/budget-leases.js';
import type { PostgresDb } from '../../../src/store/drivers/postgres.js';
import { pgDatabases } from '../../support/pg-databases.js';
import { PERIOD_START } from './lease-fixtures.js';

const pg = pgDatabases();
let n = 0;
const ref = (): SharedBudgetRef => {
  const name = `k${++n}`;
  return { id: sharedBudgetId('key', name, null), kind: 'key', name, tagValue: null, periodStart: PERIOD_START };
};
/** A sync that asks for nothing: only the seed, the report, the reset and the reprices it carries move the row. */
const base: Omit<LeaseSyncRequest, 'replica'> = { limitNano: 10_000, seedNano: 0, reportedNano: 0, floorNano: 0, needNano: 0, wantNano: 0, inFlightNano: 0, ttlMs: 60_000, contendMs: 500 };

/**
 * The seed a share sends with its first sync of a period (its call log's spend, after the
 * reset it knows) on a shared row that already exists: tokometer_lease_sync takes the
 * larger of the row's spend and the seed (budget/lease-policy.ts meetSeed). A budget
 * removed and re-added on a replica: the calls made meanwhile are in its call log, not in
 * the row; the row must not stay below them.
 */
describe('a seed on an existing shared row (tokometer_lease_sync, PostgreSQL schema v11)', () => {
  let db: PostgresDb;
  let store: BudgetLeaseStore;
  beforeAll(async () => {
    db = await pg.db('lease_seed');
    store = budgetLeaseStore(db);
  });

  it('lifts a row below it, and never counts what the row already holds twice', async () => {
    const r = ref();
    // Replica a made the row and reported: the row holds 500.
    await store.sync(r, { ...base, replica: 'a', seedNano: 400 });
    expect((await store.sync(r, { ...base, replica: 'a', reportedNano: 100 })).spentNano).toBe(500);
    // A seed holding the same 500 (the calls the row holds): the row stays at 500.
    expect((await store.sync(r, { ...base, replica: 'b', seedNano: 500 })).spentNano).toBe(500);
    // A seed of 900 (400 more recorded while the budget was gone here): the row is lifted to 900, not 1400.
    expect((await store.sync(r, { ...base, replica: 'c', seedNano: 900 })).spentNano).toBe(900);
    // A lower seed (a log that lags the row) lowers nothing; the reports still add.
    expect((await store.sync(r, { ...base, replica: 'd', seedNano: 300, reportedNano: 50 })).spentNano).toBe(950);
    expect(await store.sharedSpent(r.id, PERIOD_START)).toBe(950);
  });

  it('the lifted row refuses what the cap no longer has room for', async () => {
    const r = ref();
    await store.sync(r, { ...base, replica: 'a', seedNano: 2000, reportedNano: 1000 });
    // The row holds 3000; the replica's call log holds 10,500 (the cap of 10,000 is spent).
    const got = await store.sync(r, { ...base, replica: 'a2', seedNano: 10_500, needNano: 500, wantNano: 500 });
    expect(got).toMatchObject({ status: 'spent', spentNano: 10_500, leaseNano: 0 });
  });

  it("a seed from before the row's reset lifts nothing; one that knows the reset does", async () => {
    const r = ref();
    const at = PERIOD_START + 1000;
    await store.sync(r, { ...base, replica: 'a', seedNano: 300 });
    await store.reset('key', r.name, null, PERIOD_START, at);
    // This seed may hold spend the reset cleared.
    expect((await store.sync(r, { ...base, replica: 'b', seedNano: 900, resetAt: 0 })).spentNano).toBe(0);
    expect((await store.sync(r, { ...base, replica: 'c', seedNano: 200, resetAt: at })).spentNano).toBe(200);
    // A seed that knows a newer reset than the row clears it first, then lifts it.
    expect((await store.sync(r, { ...base, replica: 'd', seedNano: 70, resetAt: at + 1 })).spentNano).toBe(70);
  });

  it('a lifting seed holds the reprice changes up to its own: those are not added again', async () => {
    const through = async (id: string) => Number((await db.get<{ through: string }>('SELECT repriced_through AS through FROM budget_shares WHERE budget_id = ?', [id]))?.through);
    const r = ref();
    await store.sync(r, { ...base, replica: 'a', seedNano: 1000, seedRepricedThrough: 7 });
    // The seed (1800: the row's 1000, 300 never reported, changes 8 and 9) holds 8 and 9; change 10 is new.
    const b = await store.sync(r, { ...base, replica: 'b', seedNano: 1800, seedRepricedThrough: 9, reprices: [[8, 300], [9, 200], [10, 50]] });
    expect(b.spentNano).toBe(1850);
    expect(await through(r.id)).toBe(10);
    // A seed below the row changes nothing of it: the row's changes stand, the new ones add.
    const s = ref();
    await store.sync(s, { ...base, replica: 'a', seedNano: 1000, seedRepricedThrough: 7 });
    expect((await store.sync(s, { ...base, replica: 'b', seedNano: 500, seedRepricedThrough: 9, reprices: [[8, 300]] })).spentNano).toBe(1300);
  });
});
