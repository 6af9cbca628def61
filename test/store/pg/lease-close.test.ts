import { describe, expect, it } from 'vitest';
import { LeaseKeeper } from '../../../src/budget/lease-keeper.js';
import { BudgetLedger, type Reservation } from '../../../src/budget/ledger.js';
import { budgetLeaseStore, type BudgetLeaseStore } from '../../../src/store/budget-leases.js';
import { pgDatabases } from '../../support/pg-databases.js';
import { BUDGET, closedAfterEach, NOW, PERIOD_START } from './lease-fixtures.js';

const pg = pgDatabases();
const keepers = closedAfterEach();

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * One replica (keeper and ledger, key budget `k` of `capNano` a month) on a new database.
 * While `wire.gate` is set, its syncs wait there before reaching PostgreSQL (`wire.arrived`
 * resolves when one does); while `wire.refused` is set, they fail with it at once (a
 * server that refuses connections); `unlistened` resolves once its LISTEN is stopped.
 */
async function replica(label: string, capNano: number, closeWaitMs?: number) {
  const store = budgetLeaseStore(await pg.db(label));
  const wire = { gate: null as Promise<void> | null, arrived: deferred(), refused: null as Error | null };
  const unlistened = deferred();
  const own: BudgetLeaseStore = {
    ...store,
    async sync(ref, request) {
      if (wire.refused !== null) throw wire.refused;
      if (wire.gate !== null) {
        wire.arrived.resolve();
        await wire.gate;
      }
      return store.sync(ref, request);
    },
    async listen(onFreed, onReconnect) {
      const stop = await store.listen(onFreed, onReconnect);
      return async () => {
        await stop();
        unlistened.resolve();
      };
    },
  };
  const log: string[] = [];
  const keeper = new LeaseKeeper({ store: own, log: (line) => log.push(line), replica: 'r0', ...(closeWaitMs === undefined ? {} : { closeWaitMs }) });
  keepers.push(keeper);
  await keeper.start();
  const ledger = new BudgetLedger({ clock: () => NOW, timeZone: 'UTC', keyBudgets: new Map([['k', { limitNano: capNano, period: 'month' as const, alertAt: [], soft: false }]]), sharing: keeper });
  const admit = async (estimateNano: number) => {
    const r = ledger.admit({ keyName: 'k', tags: {}, estimateNano }, { waitMs: 5000 });
    const result = r instanceof Promise ? await r : r;
    expect(result.ok).toBe(true);
    return result as Reservation;
  };
  return { store, keeper, ledger, admit, wire, unlistened: unlistened.promise, log };
}

describe('LeaseKeeper.close on PostgreSQL', () => {
  it.each(['scheduled', 'on the wire'] as const)(
    'spend settled just before close, its sync %s: close waits for that sync, and the shared row holds the spend after it (no lease left)',
    async (when) => {
      // Near this cap a replica leases single calls: the settle schedules a sync that reports its cost and gives the lease back.
      const { store, keeper, admit, ledger, wire, unlistened } = await replica(`close_${when.replace(/ /g, '_')}`, 2_000_000);
      const call = await admit(600_000);
      const gate = deferred();
      wire.gate = gate.promise;
      ledger.settle(call, 450_000);
      if (when === 'on the wire') await wire.arrived.promise;
      let closed = false;
      const closing = keeper.close().then(() => void (closed = true));
      // The settle's sync waits at the gate; close has stopped listening and had a whole turn.
      await wire.arrived.promise;
      await unlistened;
      await turn();
      expect(closed).toBe(false);
      gate.resolve();
      await closing;
      expect(await store.sharedSpent(BUDGET, PERIOD_START)).toBe(450_000);
      expect(await store.leases()).toEqual([]);
    },
  );

  it.each(['does not answer', 'refuses connections'] as const)(
    'PostgreSQL %s: close ends within closeWaitMs and logs the spend the shared row may miss',
    { timeout: 10_000 },
    async (how) => {
      // Far from the cap a settle syncs nothing (the heartbeat would report it): close's own last sync is what fails.
      const { keeper, admit, ledger, wire, log } = await replica(`close_${how.replace(/ /g, '_')}`, 1_000_000_000, 200);
      ledger.settle(await admit(1000), 900);
      if (how === 'does not answer') wire.gate = new Promise<void>(() => {});
      else wire.refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
      const started = performance.now();
      await keeper.close();
      expect(performance.now() - started).toBeLessThan(how === 'does not answer' ? 200 + 1000 : 200);
      expect(log.at(-1)).toMatch(how === 'does not answer' ? /did not answer within 200 ms; 900 nano-USD/ : /the last syncs failed; 900 nano-USD/);
    },
  );
});
