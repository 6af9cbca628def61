import type { NanoUsd } from '../lib/money.js';
import type { LeaseSyncRequest, LeaseSyncResult, SharedBudgetRef } from '../store/budget-leases.js';

/**
 * The two sides a budget's lease share (lease-share.ts LeaseShare) works between: its
 * replica (`ShareHost`, lease-keeper.ts: lease times, the store, the tracking of shares)
 * and its counter's ledger (`ShareHooks`, ledger.ts). `ShareHost` takes the share's type
 * as a parameter so this module imports none (no import cycle).
 */

/** What a share needs from its replica (lease-keeper.ts). */
export interface ShareHost<Share> {
  /** This replica's id in the lease rows. */
  readonly replica: string;
  /** Lease lifetime on the database's clock, ms. */
  readonly ttlMs: number;
  /** How long before its expiry on the database this replica stops using a lease, ms. */
  readonly marginMs: number;
  /** How long a `short` answer marks a budget contended, ms. */
  readonly contendMs: number;
  /** ms before a replica whose request came back `short` asks again (when no announcement came first). */
  readonly retryMs: number;
  /** Monotonic ms (performance.now). */
  now(): number;
  /** The newest reprice change the replica's counters hold (a new shared row's seed holds it too). */
  repricedThrough(): number;
  sync(ref: SharedBudgetRef, request: LeaseSyncRequest): Promise<LeaseSyncResult>;
  /** The share wants its heartbeat (renewal) from now on, and may sync (lease-keeper.ts: one share per lease row). */
  track(share: Share): void;
  /** A sync failed (database away): logged by the keeper, at most once a minute. */
  failed(error: unknown): void;
}

/** What a share does to its counter's ledger. */
export interface ShareHooks {
  /** Decides this budget's waiters again (lease granted, headroom freed). */
  wake(): void;
  /** The spend known now (the row's, plus what is not reported yet): the counter moves to it (alerts fire). */
  spend(knownNano: NanoUsd): void;
  /** An admin reset at `at` (ms) made on another replica, learned from the shared row: calls before it no longer count here, and the alerts it re-armed there are re-armed here. */
  resetElsewhere(at: number): void;
}
