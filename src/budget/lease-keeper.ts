import { randomUUID } from 'node:crypto';
import { sharedBudgetId, sharedRowKey, type BudgetLeaseStore, type SharedRow } from '../store/budget-leases.js';
import type { NanoUsd } from '../lib/money.js';
import type { BudgetState } from './types.js';
import type { BudgetCounter } from './counter.js';
import type { ShareHooks, ShareHost } from './lease-host.js';
import { LeaseShare } from './lease-share.js';
import { errorMessage } from '../lib/errors.js';

/** Lease lifetime on the database's clock: a dead replica's headroom is back within this (plus one heartbeat). */
export const LEASE_TTL_MS = 5000;
/** Every lease held is renewed (and unreported spend written back) this often. */
export const LEASE_HEARTBEAT_MS = 1000;
/** A replica stops using a lease this long before the database may expire it (clock drift, a slow answer). */
export const LEASE_MARGIN_MS = 1500;
/** A budget stays "contended" this long after a replica last found no headroom for a call. */
export const LEASE_CONTEND_MS = 500;
/** A replica that found no headroom asks again after this, unless freed headroom is announced first. */
export const LEASE_RETRY_MS = 25;
/** A lease unused this long goes back to the shared row at the next heartbeat. */
export const LEASE_IDLE_MS = 10_000;
/**
 * Longest wait of `close` for the last syncs, ms: as long as a lease lives (past it the
 * leases are back in the rows anyway; a database that took that long is taken as away).
 */
export const LEASE_CLOSE_MS = LEASE_TTL_MS;
/** Least ms between two log lines about failing lease syncs. */
const FAILURE_LOG_MS = 60_000;

export interface LeaseKeeperOptions {
  store: BudgetLeaseStore;
  /** Writes one warning line. */
  log: (line: string) => void;
  /** This replica's id in the lease rows (default: a random UUID per process). */
  replica?: string;
  heartbeatMs?: number;
  ttlMs?: number;
  /** Monotonic ms (default performance.now). */
  now?: () => number;
  /** Longest wait of `close` for the last syncs, ms (default LEASE_CLOSE_MS). */
  closeWaitMs?: number;
}

/**
 * One replica's side of the shared budgets (lease-policy.ts): a LeaseShare per budget
 * instance in use, a heartbeat that renews every lease held and writes back settled
 * spend (and gives back leases idle for LEASE_IDLE_MS), and a LISTEN on the channel
 * where replicas announce freed headroom (the heartbeat and LEASE_RETRY_MS retries are
 * the fallback when an announcement is lost).
 *
 * Invariant: no two shares that may still sync use the same lease row (budget, period,
 * replica id): the row holds ONE lease per replica id, and a share releasing or renewing
 * it would overwrite a lease another share admits on. A budget instance dropped and made
 * again (a key budget removed and re-added; a `per` tag instance swept with no spend while
 * its share held a lease) gets a new counter and a new share while the old share may still
 * hold a lease, have calls in flight or spend to report; the new share then syncs as
 * `<replica>#<n>`, a row of its own (to the row, another holder). A share that may sync
 * is tracked here (from its first sync until it is idle); an untracked share whose
 * counter was dropped never syncs again.
 */
export class LeaseKeeper {
  readonly replica: string;
  /** The shares tracked, by budget id: one, or more while dropped budgets' shares live on beside the new one. */
  private readonly shares = new Map<string, LeaseShare[]>();
  /** Lease rows of their own handed out so far (`<replica>#<n>`). */
  private ownRows = 0;
  private readonly host: ShareHost<LeaseShare>;
  private timer: ReturnType<typeof setInterval> | null = null;
  private stopListening: (() => Promise<void>) | null = null;
  private failedLoggedAt = -Infinity;
  private beating = false;
  /** The shutdown, once `close` was called. */
  private closing: Promise<void> | null = null;
  /** The newest reprice change this replica's counters hold (lease-share.ts sends it as a new row's seed). */
  private repricedThrough = 0;

  constructor(private readonly o: LeaseKeeperOptions) {
    this.replica = o.replica ?? randomUUID();
    const now = o.now ?? (() => performance.now());
    const ttlMs = o.ttlMs ?? LEASE_TTL_MS;
    this.host = {
      replica: this.replica,
      ttlMs,
      marginMs: Math.min(LEASE_MARGIN_MS, ttlMs / 2),
      contendMs: LEASE_CONTEND_MS,
      retryMs: LEASE_RETRY_MS,
      now,
      repricedThrough: () => this.repricedThrough,
      sync: (ref, request) => o.store.sync(ref, request),
      track: (share) => {
        const list = this.shares.get(share.id);
        if (list === undefined) this.shares.set(share.id, [share]);
        else if (!list.includes(share)) list.push(share);
      },
      failed: (error) => {
        const at = now();
        if (at - this.failedLoggedAt < FAILURE_LOG_MS) return;
        this.failedLoggedAt = at;
        o.log(`could not sync shared budget leases (calls go on within the leases held until they lapse, then wait): ${errorMessage(error)}`);
      },
    };
  }

  /** Starts the heartbeat and the LISTEN; resolves once listening (a LISTEN that fails is logged: retries still apply). */
  async start(): Promise<void> {
    const interval = this.o.heartbeatMs ?? LEASE_HEARTBEAT_MS;
    this.timer = setInterval(() => void this.beat(), interval);
    (this.timer as { unref?: () => void }).unref?.();
    try {
      this.stopListening = await this.o.store.listen(
        (id) => {
          for (const s of this.shares.get(id) ?? []) s.announced();
        },
        () => {
          for (const list of this.shares.values()) for (const s of list) s.announced();
        },
      );
    } catch (error) {
      this.host.failed(error);
    }
  }

  /** Reads the newest reprice change in the store: call before the counters are seeded from the call log. */
  async readRepricedThrough(): Promise<void> {
    this.noteRepriced(await this.o.store.latestRepriceChange());
  }

  /** The counters now hold the reprice change `id` (and every earlier one). */
  noteRepriced(id: number): void {
    if (id > this.repricedThrough) this.repricedThrough = id;
  }

  /** The share of a hard budget's counter (the ledger attaches it on first use); a lease row of its own while an older share of the same budget is tracked. */
  attach(counter: BudgetCounter, hooks: ShareHooks): LeaseShare {
    const taken = this.shares.has(sharedBudgetId(counter.kind, counter.name, counter.tagValue));
    return new LeaseShare(counter, taken ? { ...this.host, replica: `${this.replica}#${++this.ownRows}` } : this.host, hooks);
  }

  /**
   * `states` (the ledger's snapshot) with each hard budget's spend, and `blocked`, as the
   * replicas share it, read now (GET /admin/budgets): its shared row's spend in the
   * instance's period plus what this replica settled and has not sent yet, or this replica's
   * counter when it knows more (spend seeded from the call log that the row has not been
   * told of yet). The counter alone learns the row only when this replica syncs that budget
   * (a replica that makes no calls on it showed spend 0 while the others refused it). A row
   * reset after the reset the counter counts from (`countsFrom`: an admin reset through
   * another replica that this one has not synced since) gives its own spend: the counter's,
   * and what this replica has not sent yet, are older than the reset and cleared by it
   * (lease-policy.ts meetReset); a trial saw the old spend for over a minute. An instance without a
   * row in its period (no replica synced it yet), a soft budget (not shared), and every one
   * while PostgreSQL does not answer keep the counter's figures. Every replica answers the
   * same once its own spend is written back (at the latest at its next heartbeat).
   */
  async withSharedSpend(states: readonly BudgetState[]): Promise<BudgetState[]> {
    const refs = states.map((s) => ({ budgetId: sharedBudgetId(s.kind, s.name, s.tagValue), periodStart: s.periodStart }));
    let rows: Map<string, SharedRow>;
    try {
      rows = await this.o.store.sharedRows(refs.filter((_, i) => !states[i]!.soft));
    } catch {
      return [...states];
    }
    return states.map((s, i) => {
      const { budgetId, periodStart } = refs[i]!;
      const row = s.soft ? undefined : rows.get(sharedRowKey(budgetId, periodStart));
      if (row === undefined) return s;
      if (row.resetAt > (s.countsFrom ?? s.periodStart)) return { ...s, spentNano: row.spentNano, blocked: row.spentNano >= s.limitNano };
      // The row can lag this replica's own knowledge too (spend seeded from the call log that
      // another replica has not reported yet): the larger of the two is the spend known here.
      const shared = row.spentNano + this.unsentOf(s);
      const spentNano = Math.max(shared, s.spentNano);
      return { ...s, spentNano, blocked: spentNano >= s.limitNano };
    });
  }

  /** Cost of `s`'s period settled here and not yet sent to its shared row (LeaseShare.unsentIn, over its shares), nano-USD. */
  unsentOf(s: Pick<BudgetState, 'kind' | 'name' | 'tagValue' | 'periodStart'>): NanoUsd {
    return (this.shares.get(sharedBudgetId(s.kind, s.name, s.tagValue)) ?? []).reduce((sum, share) => sum + share.unsentIn(s.periodStart), 0);
  }

  /**
   * Writes back the spend settled here and gives every lease back, then stops (heartbeat,
   * LISTEN): waits for each share's sync on the wire or scheduled, then sends its last
   * (LeaseShare.close). Call once no call is in flight and before the store closes; a
   * second call gets the first's promise. Waits at most `closeWaitMs` (PostgreSQL away or
   * not answering), then logs the spend the shared rows may miss and resolves: the other
   * replicas (and this one restarted: it takes the row's spend) do not count that spend
   * this period, so they may admit up to that much beyond the cap; the leases held lapse
   * within the lease TTL. Never rejects.
   */
  close(): Promise<void> {
    return (this.closing ??= this.shutdown());
  }

  private async shutdown(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    const stop = this.stopListening;
    this.stopListening = null;
    const shares = [...this.shares.values()].flat();
    const waitMs = this.o.closeWaitMs ?? LEASE_CLOSE_MS;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const inTime = await Promise.race([
      Promise.allSettled([stop?.(), ...shares.map((s) => s.close())]).then(() => true),
      new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), waitMs))),
    ]);
    clearTimeout(timer);
    this.shares.clear();
    const missing = shares.reduce((sum, s) => sum + s.unreportedNano, 0);
    if (inTime && missing === 0) return;
    this.o.log(
      `closing the shared budget leases: ${inTime ? 'the last syncs failed' : `PostgreSQL did not answer within ${waitMs} ms`}; ${missing} nano-USD of spend settled here may be missing from the shared budget rows (the replicas may admit up to that much beyond the caps this period); the leases held lapse within ${this.host.ttlMs} ms`,
    );
  }

  /** One heartbeat: renew what is held, write back spend, release idle leases, forget idle shares. */
  private async beat(): Promise<void> {
    if (this.beating) return;
    this.beating = true;
    try {
      const idleBefore = this.host.now() - LEASE_IDLE_MS;
      const work: Array<Promise<void>> = [];
      for (const [id, list] of this.shares) {
        for (const s of list) if (s.holding) work.push(s.heartbeat(idleBefore));
        const kept = list.filter((s) => !s.idle || s.holding);
        if (kept.length === 0) this.shares.delete(id);
        else if (kept.length < list.length) this.shares.set(id, kept);
      }
      await Promise.allSettled(work);
    } finally {
      this.beating = false;
    }
  }
}
