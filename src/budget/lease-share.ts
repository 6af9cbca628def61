import type { NanoUsd } from '../lib/money.js';
import type { LeaseSyncResult, SharedBudgetRef } from '../store/budget-leases.js';
import { sharedBudgetId } from '../store/budget-leases.js';
import type { BudgetCounter, CounterShare } from './counter.js';
import { admitOnLease, leaseChunk, singleCalls, syncRequest, type LocalLease } from './lease-policy.js';
import type { ShareHooks, ShareHost } from './lease-host.js';
import { LeaseGrant } from './lease-grant.js';
import { SyncBackoff } from './lease-sync-backoff.js';
import { SyncTurns, type SyncKind } from './lease-sync-turns.js';
import type { Decision } from './policy.js';

/** A sync unanswered this long (ms) means the shared row cannot be reached now (`unreachable`), as a failed one does. */
export const SYNC_UNANSWERED_MS = 2000;

/**
 * The lease of ONE budget instance held by this replica (lease-policy.ts), attached to
 * its BudgetCounter when the budgets are shared. `decide` is synchronous and never
 * touches the database; syncs run in the background, one at a time per budget
 * (lease-sync-turns.ts).
 *
 * State: `grant` (lease-grant.ts: ℓ_i as last granted, usable until it lapses, less what
 * the limit was lowered by since, and while a sync is on the wire only up to its cap; the
 * row's spend and contention at the last sync), `used` (settled cost not yet reported).
 * `reserved` is the counter's own `reservedNano`. After a `short` or failed answer,
 * requests wait (lease-sync-backoff.ts).
 *
 * Admin resets (lease-policy.ts `meetReset`): the newest reset known here is the
 * counter's `countsFrom` when past the period start. A reset here clears `used`, so the
 * answer of a sync sent before it takes nothing more off `used` (what it reported is gone
 * already), and its spend, older than the reset, is not taken. An answer with a newer reset
 * than known here (made elsewhere; the row did not count this sync's report) is adopted.
 */
export class LeaseShare implements CounterShare {
  readonly id: string;
  private periodStart = Number.NaN;
  /** The lease as the row last granted it. */
  private readonly grant = new LeaseGrant();
  private used = 0;
  private largest = 0;
  private head = 0;
  /** One sync at a time, and the follow-up noted meanwhile. */
  private readonly turns = new SyncTurns((kind) => this.sync(kind));
  /** The need the sync on the wire asked for. */
  private asked = 0;
  /** The spend the sync on the wire reports (0 when none is): the row may count it already. */
  private reporting = 0;
  /** After a `short` or failed answer: no new request for a while unless headroom is announced. */
  private readonly backoff: SyncBackoff;
  private seeded = false;
  /** Monotonic ms of the last admission or settle. */
  lastActive = 0;
  /** Repriced calls' cost changes of this period not yet acknowledged by the row: [change id, delta]. */
  private reprices: Array<[number, NanoUsd]> = [];
  /** The last sync failed (the store did not answer); cleared by the next answer. */
  private lastFailed = false;
  /** Monotonic ms the sync on the wire was sent; null when none is. */
  private sentAt: number | null = null;

  constructor(
    readonly counter: BudgetCounter,
    private readonly host: ShareHost<LeaseShare>,
    private readonly hooks: ShareHooks,
  ) {
    this.id = sharedBudgetId(counter.kind, counter.name, counter.tagValue);
    // When a back-off's time is up, the waiters are decided again.
    this.backoff = new SyncBackoff(host, () => {
      if (this.counter.waiting > 0) this.hooks.wake();
    });
  }

  /** The admission decision (lease-policy.ts admitOnLease); asks for more lease when it says `wait`. */
  decide(estimateNano: NanoUsd): Decision {
    this.onPeriod();
    const c = this.counter;
    const d = admitOnLease({ limitNano: c.limitNano, knownSpentNano: c.spentNano, leaseNano: this.grant.usable(this.host.now(), c.limitNano), usedNano: this.used, reservedNano: c.reservedNano }, estimateNano);
    if (d === 'wait') this.want(estimateNano);
    else if (d === 'block') {
      // A spend read more than a second ago may predate a reset elsewhere: read it again before refusing.
      if (!this.fresh) {
        this.want(estimateNano);
        return 'wait';
      }
      // Refused for the spent cap: keep looking at the row for a while (heartbeat).
      if (this.grant.noteRefusal(this.host.now())) this.host.track(this);
    }
    return d;
  }

  /** The budget's spend was cleared here (admin reset; the shared row is cleared by the caller). */
  resetSpend(): void {
    this.used = 0;
    this.grant.rowSpent = 0;
    // What the sync on the wire reports was cleared with it: nothing of `used` is on the wire now.
    this.reporting = 0;
  }

  /** The limit changed: a lowered one holds on the lease at once (lease-grant.ts `now`); the row hears of it soon. */
  limitChanged(): void {
    if (this.grant.lease === 0) return;
    this.host.track(this);
    this.turns.soon('sync');
  }

  /** A repriced call's cost change moved the counter: the row gets it at the next sync (it counts each change once). */
  repriced(changeId: number, deltaNano: NanoUsd): void {
    this.onPeriod();
    this.reprices.push([changeId, deltaNano]);
    this.host.track(this);
    this.turns.soon('sync');
  }

  /** An admitted call's estimate is held (after the counter's hold). */
  held(estimateNano: NanoUsd): void {
    this.largest = Math.max(estimateNano, Math.floor(this.largest * 0.95));
    this.lastActive = this.host.now();
    this.host.track(this);
  }

  /** A call of this period settled (after the counter's release): its cost is used lease until reported. */
  released(costNano: NanoUsd): void {
    this.onPeriod();
    this.used += costNano;
    this.lastActive = this.host.now();
    const local = this.local();
    if (singleCalls(local)) return this.turns.soon('release');
    const free = local.leaseNano - this.used - this.counter.reservedNano;
    if (free < leaseChunk(local.limitNano, local.rowSpentNano + local.usedNano, local.holders) / 2) this.turns.soon('sync');
  }

  /** Another replica freed headroom (or asks for some): waiters ask again; idle lease goes back when someone waits. */
  announced(): void {
    this.backoff.lift();
    if (this.counter.waiting > 0) this.hooks.wake();
    else if (this.grant.lease > this.counter.reservedNano + this.used) this.turns.soon('release');
  }

  /** The spend known here was read from the shared row within the last second (a refusal on it is true). */
  get fresh(): boolean {
    return this.grant.fresh(this.host.now());
  }

  /**
   * The shared row cannot be reached now: the last sync failed, or the one on the wire has
   * had no answer for SYNC_UNANSWERED_MS. Calls that wait for lease then wait for the
   * database, not for room (the budget_busy message says so: errors.ts).
   */
  get unreachable(): boolean {
    return this.lastFailed || (this.sentAt !== null && this.host.now() - this.sentAt >= SYNC_UNANSWERED_MS);
  }

  /** True when this share holds nothing worth a heartbeat. */
  get idle(): boolean {
    return this.grant.lease === 0 && this.used === 0 && this.reprices.length === 0 && this.counter.inFlight === 0 && this.counter.waiting === 0 && !this.turns.active;
  }

  /**
   * Holds a lease, has unreported spend, has callers waiting, or refused calls for a spent
   * cap lately (the heartbeat then learns of a reset or a raised cap elsewhere): renewed.
   */
  get holding(): boolean {
    return this.grant.lease > 0 || this.used > 0 || this.reprices.length > 0 || this.counter.waiting > 0 || this.grant.refusedLately(this.host.now());
  }

  /** Renews (heartbeat), or gives everything back when idle since `idleBefore` (monotonic ms). */
  heartbeat(idleBefore: number): Promise<void> {
    const release = this.counter.inFlight === 0 && this.counter.waiting === 0 && this.lastActive < idleBefore;
    return this.sync(release ? 'release' : 'sync');
  }

  /**
   * Shutdown (nothing in flight any more): waits for the sync on the wire or scheduled and
   * its follow-ups, then reports what is left and gives the lease back (a `release` sync).
   * Resolves once that answered or failed; `unreportedNano` is then what the row misses.
   */
  async close(): Promise<void> {
    this.backoff.cancel();
    await this.turns.settled();
    if (this.grant.lease > 0 || this.used > 0 || this.reprices.length > 0) await this.sync('release');
  }

  /** Cost settled here and not yet acknowledged by the shared row, nano-USD. */
  get unreportedNano(): NanoUsd {
    return this.used;
  }

  /** Cost of period `periodStart` settled here and not yet sent to the shared row (the sync on the wire's report left out), nano-USD. */
  unsentIn(periodStart: number): NanoUsd {
    return periodStart === this.periodStart ? Math.max(0, this.used - this.reporting) : 0;
  }

  /** The period rolled (or was re-windowed): the lease and unreported spend of the old one are void here. */
  private onPeriod(): void {
    if (this.counter.periodStart === this.periodStart) return;
    this.periodStart = this.counter.periodStart;
    this.grant.endPeriod();
    this.used = 0;
    this.reporting = 0;
    this.seeded = false;
    this.reprices = [];
  }

  /** The newest admin reset of this period known here, ms (0: none). */
  private get resetAt(): number {
    const c = this.counter;
    return c.countsFrom > c.periodStart ? c.countsFrom : 0;
  }

  /** A caller does not fit: ask the row for a lease that admits it (or note it for the sync on the wire). */
  private want(estimateNano: NanoUsd): void {
    this.head = estimateNano;
    const need = this.counter.reservedNano + estimateNano;
    if (this.turns.active) {
      if (need > this.asked) this.turns.follow('sync');
      return;
    }
    if (this.backoff.quiet) return;
    void this.sync('sync');
  }

  private local(): LocalLease {
    const c = this.counter;
    return {
      limitNano: c.limitNano,
      rowSpentNano: this.grant.rowSpent,
      leaseNano: this.grant.now(this.host.now(), c.limitNano),
      usedNano: this.used,
      reservedNano: c.reservedNano,
      headNano: c.waiting > 0 || this.head > 0 ? this.head : 0,
      holders: this.grant.holders,
      contended: this.grant.contended,
      largestNano: this.largest,
      waiting: c.waiting,
    };
  }

  /** Sends a sync; while one is on the wire or scheduled, notes one to send after it (resolves at once). */
  private sync(kind: SyncKind): Promise<void> {
    if (this.turns.follow(kind)) return Promise.resolve();
    this.onPeriod();
    if (this.counter.soft) return Promise.resolve();
    this.host.track(this); // from its first sync until idle: the keeper gives no other share this lease row
    return this.turns.run(() => this.send(kind));
  }

  private async send(kind: SyncKind): Promise<void> {
    const local = this.local();
    const { request, localCapNano } = syncRequest(local, kind === 'release');
    this.head = 0;
    this.asked = request.needNano;
    this.reporting = request.reportedNano;
    this.grant.capUntilAnswer(localCapNano);
    const periodStart = this.periodStart;
    const c = this.counter;
    const ref: SharedBudgetRef = { id: this.id, kind: c.kind, name: c.name, tagValue: c.tagValue, periodStart };
    const sentAt = this.host.now();
    this.sentAt = sentAt;
    const reprices = this.reprices.length;
    const { limitNano } = c;
    const resetAt = this.resetAt;
    let result: LeaseSyncResult | null = null;
    try {
      result = await this.host.sync(ref, {
        ...request,
        replica: this.host.replica,
        limitNano,
        // First sync of the period: the call log's spend (`used` is reported apart) starts a new row, lifts a lower one (lease-policy.ts meetSeed).
        seedNano: this.seeded ? 0 : Math.max(0, c.spentNano - this.used),
        ttlMs: this.host.ttlMs,
        contendMs: this.host.contendMs,
        seedRepricedThrough: this.host.repricedThrough(),
        reprices: this.reprices.slice(0, reprices),
        resetAt,
      });
    } catch (error) {
      // Unknown whether it applied: the cap stays (a lease never grows on a failed sync); the lease lapses (lease-grant.ts).
      this.host.failed(error);
    }
    this.turns.answered();
    this.sentAt = null;
    this.lastFailed = result === null;
    this.reporting = 0;
    // The answer predates a reset made here meanwhile: its spend is older than the reset; ask again.
    let behind = false;
    if (result !== null && periodStart === this.periodStart) {
      this.seeded = true;
      this.reprices.splice(0, reprices);
      // Unless a reset here cleared `used` meanwhile (what this sync reported went with it).
      if (this.resetAt === resetAt) this.used = Math.max(0, this.used - request.reportedNano);
      if (result.resetAt > this.resetAt) this.hooks.resetElsewhere(result.resetAt);
      behind = result.resetAt < this.resetAt;
      this.grant.take(result, limitNano, sentAt, sentAt + this.host.ttlMs - this.host.marginMs, behind);
      this.hooks.spend(result.spentNano + this.used);
      if (result.status === 'short') this.backoff.start();
    } else if (result === null) {
      this.backoff.start();
    }
    const again = this.turns.takeNext() || (behind ? 'sync' : false);
    if (again !== false) void this.sync(again);
    else if (this.counter.waiting > 0) this.hooks.wake();
  }
}
