import { describe, expect, it } from 'vitest';
import { budgetRefusal } from '../../src/budget/errors.js';
import { refusalLine } from '../../src/budget/refusal-log.js';
import { LeaseKeeper } from '../../src/budget/lease-keeper.js';
import { SYNC_UNANSWERED_MS } from '../../src/budget/lease-share.js';
import { BudgetLedger, type Reservation } from '../../src/budget/ledger.js';
import type { BlockInfo } from '../../src/budget/types.js';
import { USD } from './helpers.js';
import { MemoryLeases } from './memory-leases.js';

const NOW = Date.parse('2026-11-20T12:00:00Z');

/** A ledger of one tag budget, 'shared' ($0.20 a day over every call), shared with other replicas through `keeper`. */
function sharedLedger(keeper: LeaseKeeper): BudgetLedger {
  return new BudgetLedger({ clock: () => NOW, timeZone: 'UTC', tagBudgets: [{ name: 'shared', match: {}, limitNano: 0.2 * USD, period: 'day', alertAt: [], soft: false }], sharing: keeper });
}

const call = (usd: number) => ({ keyName: 'k', tags: {}, estimateNano: usd * USD });

/** Admits a call (waiting up to `waitMs`): the reservation, or the budget that refused it. */
async function admit(ledger: BudgetLedger, usd: number, waitMs: number): Promise<Reservation | BlockInfo> {
  const r = ledger.admit(call(usd), { waitMs });
  const got = r instanceof Promise ? await r : r;
  if (got.ok) return got as Reservation;
  if ('blocked' in got) return got.blocked;
  throw new Error(`unexpected answer: ${JSON.stringify(got)}`);
}

/** The reservation `admit` answered; a refusal fails the test. */
function admitted(r: Reservation | BlockInfo): Reservation {
  if (!('ok' in r)) throw new Error(`refused: ${JSON.stringify(r)}`);
  return r;
}

/**
 * A new-user trial on PostgreSQL: while PostgreSQL was stopped a call that fits ($0.06 of
 * $0.20 spent, estimated $0.08) was answered budget_busy "…found no room within 5 s.";
 * only serve's log said why ("could not sync shared budget leases … CONNECT_TIMEOUT").
 * And on a replica, "held by 0 calls in flight and 14 waiting" while the call in flight was
 * on the other replica: the counts are this replica's.
 */
describe('budget_busy on a budget shared by replicas (PostgreSQL)', () => {
  it('says the shared state could not be reached when the store does not answer, not that there was no room', async () => {
    const store = new MemoryLeases();
    const lines: string[] = [];
    // Short leases: the one taken for the first call lapses before the store goes away.
    const keeper = new LeaseKeeper({ store, log: (l) => lines.push(l), replica: 'a', ttlMs: 100, heartbeatMs: 100_000 });
    try {
      const ledger = sharedLedger(keeper);
      const first = admitted(await admit(ledger, 0.06, 1000));
      ledger.settle(first, 0.06 * USD);
      await new Promise((r) => setTimeout(r, 150));
      store.down = true;
      const block = await admit(ledger, 0.08, 300);
      expect(block).toMatchObject({ reason: 'reserved', spentNano: 0.06 * USD });
      const error = budgetRefusal(block as BlockInfo, 300);
      expect(error.kind).toBe('budget_busy');
      expect(lines.join('\n')).toContain('CONNECT_TIMEOUT');
      expect(error.message).not.toContain('found no room');
      expect(error.message).toContain("Budget 'shared' busy: its shared spend could not be read from the database (PostgreSQL did not answer");
      expect((error.details as { budget: Record<string, unknown> }).budget).toMatchObject({ name: 'shared', spent_usd: 0.06, store_unreachable: true });
      // serve's refusal line says the same.
      expect(refusalLine(block as BlockInfo, 0)).toContain("budget busy: tag budget 'shared' could not admit a call in time: its shared spend could not be read from the database");
    } finally {
      store.down = false;
      await keeper.close();
    }
  });

  it('says the same when the store takes the call (a sync on the wire unanswered for 2 s), and not before', async () => {
    const store = new MemoryLeases();
    store.hold = true; // PostgreSQL took the sync and does not answer (a connect that hangs)
    let now = 1000;
    const keeper = new LeaseKeeper({ store, log: () => {}, replica: 'a', heartbeatMs: 100_000, now: () => now });
    try {
      const ledger = sharedLedger(keeper);
      const quick = await admit(ledger, 0.08, 50);
      expect(quick).toMatchObject({ reason: 'reserved', shared: { unreachable: false } });
      now += SYNC_UNANSWERED_MS;
      const late = await admit(ledger, 0.08, 50);
      expect(late).toMatchObject({ reason: 'reserved', shared: { unreachable: true } });
      expect(budgetRefusal(late as BlockInfo, 50).message).toContain('its shared spend could not be read from the database');
    } finally {
      store.hold = false;
      store.answer();
      await keeper.close();
    }
  });

  it('names the calls in flight and waiting as this replica\'s', async () => {
    const store = new MemoryLeases();
    const keeper = new LeaseKeeper({ store, log: () => {}, replica: 'a', heartbeatMs: 100_000 });
    try {
      const ledger = sharedLedger(keeper);
      const first = admitted(await admit(ledger, 0.15, 1000));
      const block = await admit(ledger, 0.1, 100);
      expect(block).toMatchObject({ reason: 'reserved', inFlight: 1 });
      const error = budgetRefusal(block as BlockInfo, 100);
      expect(error.message).toContain('$0.15 held by 1 call in flight on this replica; this call');
      expect(error.message).toContain('found no room within 0.1 s');
      expect((error.details as { budget: Record<string, unknown> }).budget).not.toHaveProperty('store_unreachable');
      ledger.settle(first, 0.15 * USD);
    } finally {
      await keeper.close();
    }
  });
});
