import type { BudgetCounter, CounterShare } from './counter.js';
import type { ShareHooks } from './lease-host.js';
import type { AlertEvent } from './types.js';

/**
 * How the ledger's counters take part in budgets shared with other replicas (PostgreSQL):
 * each hard budget instance gets this replica's lease (lease-share.ts) when a call first
 * counts against it, and what the lease learns from the shared row (a grant, the spend of
 * every replica, a reset made elsewhere) moves that counter and its waiters here.
 */

/** Budgets shared with other replicas (lease-keeper.ts LeaseKeeper): a lease per hard budget instance. */
export interface BudgetSharing {
  attach(counter: BudgetCounter, hooks: ShareHooks): CounterShare;
  /** This replica's counters now hold the reprice change `id` (and every earlier one). */
  noteRepriced(id: number): void;
}

/** What the ledger does for a shared counter when its lease learns something (built once per ledger). */
export interface SharedCounterHost {
  /** Decides the waiters of `counter` again (admission.ts `wake`). */
  wake(counter: BudgetCounter): void;
  /** Read only when an alert fires (counter.ts `syncSpend`). */
  clock: () => number;
  /** The ledger's alert sink (ledger.ts BudgetLedgerOptions `onCross`). */
  onCross: ((e: AlertEvent) => void) | undefined;
  /** The alerts of a reset made on another replica fire again (BudgetLedgerOptions `onResetElsewhere`). */
  onResetElsewhere: ((c: Pick<BudgetCounter, 'kind' | 'name' | 'tagValue' | 'periodStart'>) => void) | undefined;
}

/**
 * Attaches this replica's lease to each hard counter in `counters` that has none yet.
 * Runs on every call: allocates only for a counter attached now (its hooks, once).
 */
export function attachShares(counters: readonly BudgetCounter[], sharing: BudgetSharing, host: SharedCounterHost): void {
  for (const c of counters) if (c.share === null && !c.soft) c.share = sharing.attach(c, shareHooks(c, host));
}

/** The hooks of `c`'s lease: wake its waiters, move its spend to the row's (alerts fire), take a reset made elsewhere. */
function shareHooks(c: BudgetCounter, host: SharedCounterHost): ShareHooks {
  return {
    wake: () => host.wake(c),
    spend: (known) => c.syncSpend(known, host.clock, host.onCross),
    resetElsewhere: (at) => {
      c.resetElsewhere(at);
      host.onResetElsewhere?.(c);
    },
  };
}
