import type { BudgetPeriod, KeyBudget } from '../store/types.js';
import type { Clock } from '../lib/clock.js';
import type { NanoUsd } from '../lib/money.js';
import { clampNano, type BudgetCounter } from './counter.js';
import { blockInfo, budgetState } from './counter-reports.js';
import { BudgetInstances } from './budget-instances.js';
import { Admission, type WaitOptions, type WaitResult } from './admission.js';
import { NO_BUDGET, holdEstimate, type Reservation, type ReserveRequest, type ReserveResult } from './reservation.js';
import type { AlertEvent, BudgetRef, BudgetState, RepricedSpend, SeedCall, SeedSpend, TagBudget } from './types.js';
import { attachShares, type BudgetSharing, type SharedCounterHost } from './ledger-sharing.js';
import type { SpendWatch } from './spend-watch.js';

export type { BudgetSharing } from './ledger-sharing.js';
export { Reservation, type Blocked, type ReserveRequest, type ReserveResult } from './reservation.js';
export { ABORTED, type Aborted, type Closed, type WaitOptions, type WaitResult } from './admission.js';

export interface BudgetLedgerOptions {
  clock: Clock;
  /** IANA zone (or `UTC`) whose local midnight bounds days, weeks and months. */
  timeZone: string;
  keyBudgets?: ReadonlyMap<string, KeyBudget>;
  tagBudgets?: readonly TagBudget[];
  /** Called synchronously from `settle` for each alert threshold crossed; must not block (enqueue). */
  onCross?: (event: AlertEvent) => void;
  /** Soft cap on `per` instances kept in memory before idle ones are swept (default 100 000). */
  maxInstances?: number;
  /** Several replicas share the budgets (PostgreSQL): admit against leases of the shared counters. Default: this process alone. */
  sharing?: BudgetSharing;
  /** A shared budget instance learned of an admin reset made on another replica: its alerts of `periodStart` fire again (the alert book forgets them). */
  onResetElsewhere?: (c: Pick<BudgetCounter, 'kind' | 'name' | 'tagValue' | 'periodStart'>) => void;
}

/**
 * In-memory budget counters for every budget instance: key budgets by key name, tag
 * budgets (one instance each, or one per distinct `per` tag value, created lazily), found
 * through budget-instances.ts.
 * `reserve` and `settle` are synchronous, O(number of budgets), never touch storage.
 *
 * Attribution: a call counts in the period in which it was admitted (`Reservation.at`,
 * which is the stored call's `ts`), even when it settles after the period rolled; then
 * its cost goes to the closed period only (as in the store) and the new period is untouched.
 *
 * Admission: `reserve` decides at once; `admit` lets a call that does not fit only because
 * of calls in flight wait for them (admission.ts), and every settle wakes the waiters of
 * its budgets.
 *
 * Memory: see TagInstances (idle `per` instances are swept; those with spend are kept).
 */
export class BudgetLedger {
  private readonly clock: Clock;
  private readonly instances: BudgetInstances;
  private readonly onCross: ((e: AlertEvent) => void) | undefined;
  private readonly sharing: BudgetSharing | undefined;
  /** What the leases of shared counters move here (ledger-sharing.ts). */
  private readonly shareHost: SharedCounterHost;
  private readonly admission = new Admission({
    clock: () => this.clock(),
    countersFor: (request, at) => this.countersFor(request, at),
    hold: (request, counters, est, at) => (counters === null ? NO_BUDGET : this.hold(request, counters, est, at)),
  });

  constructor(options: BudgetLedgerOptions) {
    this.clock = options.clock;
    this.instances = new BudgetInstances(options.timeZone, options.maxInstances ?? 100_000);
    this.onCross = options.onCross;
    this.sharing = options.sharing;
    this.shareHost = { wake: (c) => this.admission.wake([c]), clock: this.clock, onCross: this.onCross, onResetElsewhere: options.onResetElsewhere };
    for (const [name, b] of options.keyBudgets ?? []) this.setKeyBudget(name, b);
    this.setTagBudgets(options.tagBudgets ?? []);
  }

  /**
   * Adds, changes or (null) removes a key's budget, effective for the next call and for
   * the callers waiting on it (decided again now). Same period: spend is kept. New budget
   * or changed period: pass the key's spend in the new window (from the store) as
   * `spentNano`, else it starts at 0, with `countsFrom` (ms) the last admin reset of that
   * window the spend is counted from. Thresholds a lowered limit puts behind the spend fire now.
   * @returns the alert thresholds a raised limit re-armed (counter.ts `apply`); usually empty.
   */
  setKeyBudget(name: string, budget: KeyBudget | null, options?: { spentNano?: NanoUsd; countsFrom?: number }): number[] {
    if (budget === null) {
      const c = this.instances.keys.remove(name);
      if (c !== undefined) this.admission.dissolve(c);
      return [];
    }
    const { counter, rearmed } = this.instances.keys.set(name, budget, this.clock(), options?.spentNano, options?.countsFrom);
    // A lowered limit may put thresholds behind the spend: they fire now, as no call may settle again (a reached cap).
    counter.addSpend(0, this.clock, this.onCross);
    this.admission.wake([counter]);
    return rearmed;
  }

  /** Counts what settles on key `name`'s budget from now on, for `period`'s window at now (key-counters.ts `watch`); null without a budget. */
  watchKeySpend(name: string, period: BudgetPeriod): SpendWatch | null {
    return this.instances.keys.watch(name, period, this.clock());
  }

  /** Replaces the tag budgets; instances of a budget whose name, `per` and period are unchanged keep their counters. */
  setTagBudgets(budgets: readonly TagBudget[]): void {
    for (const dropped of this.instances.tags.set(budgets, this.clock())) this.admission.dissolve(dropped);
    // Thresholds a lowered limit put behind the spend fire now (as for a key budget).
    for (const c of this.instances.tags.all()) c.addSpend(0, this.clock, this.onCross);
    this.admission.wakeAll();
  }

  /**
   * Checks every budget the call counts against (its key's, and each matching tag budget)
   * and, only if none holds it back, holds `estimateNano` on all of them (JS is
   * single-threaded: check-all-then-add-all is atomic). Soft budgets never refuse.
   * Never waits: a budget whose cap is spent answers `blocked.reason` `exhausted` (when
   * several, the one that resets last: the call cannot pass before then); a budget that
   * the call does not fit only because of calls in flight, or that already has callers
   * waiting (they go first), answers `reserved` (see `admit` to wait instead).
   * Returns a Reservation (`ok: true`) or `{ok: false, blocked}`.
   */
  reserve(request: ReserveRequest): ReserveResult {
    const at = this.clock();
    const est = clampNano(request.estimateNano);
    const counters = this.countersFor(request, at);
    if (counters === null) return NO_BUDGET;
    let refusing: BudgetCounter | null = null;
    let holder: BudgetCounter | null = null;
    for (let i = 0; i < counters.length; i++) {
      const c = counters[i]!;
      if (c.soft) continue;
      const d = c.decide(est);
      if (d === 'block') {
        if (refusing === null || c.periodEnd > refusing.periodEnd) refusing = c;
      } else if (holder === null && (d === 'wait' || c.waiting > 0)) {
        holder = c;
      }
    }
    if (refusing !== null || holder !== null) {
      this.instances.tags.maybeSweep(at);
      return { ok: false, blocked: blockInfo((refusing ?? holder)!, est, at) };
    }
    return this.hold(request, counters, est, at);
  }

  /**
   * `reserve`, but a call that does not fit only because of calls in flight waits for them
   * (admission.ts: arrival order per budget, woken by settles) instead of being refused.
   * Synchronous when it decides at once (the common case); a promise when it waits, which
   * resolves to a Reservation, a refusal (`exhausted`: a budget got spent; `reserved`: the
   * wait of `waitMs` ran out) or ABORTED (the signal fired). `waitMs <= 0`: never waits.
   */
  admit(request: ReserveRequest, options: WaitOptions): ReserveResult | Promise<WaitResult> {
    const first = this.reserve(request);
    if (first.ok || first.blocked.reason === 'exhausted' || !(options.waitMs > 0)) return first;
    return this.wait(request, options);
  }

  /** The waiting half of `admit`, for a call `reserve` just answered `reserved`. */
  wait(request: ReserveRequest, options: WaitOptions): Promise<WaitResult> {
    return this.admission.wait(request, clampNano(request.estimateNano), options);
  }

  /** Shutdown: every caller waiting for room, and every later one that would wait, is answered `closed` instead of admitted (admission.ts `close`). */
  endWaits(): void {
    this.admission.close();
  }

  /** Callers waiting for room, over all budgets. */
  get waiters(): number {
    return this.admission.waiters;
  }

  /**
   * Releases the reservation and adds the real cost (null = unpriced/unknown → 0 added,
   * the hold is still released; a failed or aborted call passes what it really used).
   * Idempotent: only the first settle counts. May fire alerts via `onCross`.
   */
  settle(reservation: Reservation, actualCostNano: NanoUsd | null): void {
    if (reservation.settled || reservation.counters.length === 0) return;
    reservation.settled = true;
    const cost = clampNano(actualCostNano);
    const { counters, epochs, estimateNano } = reservation;
    let wake = false;
    for (let i = 0; i < counters.length; i++) {
      const c = counters[i]!;
      // Period rolled since the reservation: the cost belongs to the closed period, not this one.
      // Admitted before an admin reset: the hold is released, the cost not counted (as the
      // store counts spend from the reset on, and as a reprice of the call would not).
      if (c.epoch === epochs[i]) c.release(estimateNano, reservation.at < c.countsFrom ? 0 : cost, reservation.at, this.clock, this.onCross);
      if (c.waiting > 0) wake = true;
    }
    if (wake) this.admission.wake(counters);
  }

  /**
   * Earliest start (ms) among the current windows of all budgets: the calls since then are
   * what `seedFromCalls` needs (0 when a `total` budget exists).
   */
  seedSince(): number {
    return this.instances.earliestStart(this.clock());
  }

  /**
   * Rebuilds spend from stored calls (call once at start, before serving, with the calls
   * since `seedSince()`; calls outside an instance's current period are ignored). Adds to
   * the counters. Thresholds the seeded spend has reached are marked fired without firing,
   * so a restart does not repeat alerts.
   */
  seedFromCalls(calls: Iterable<SeedCall>): void {
    const at = this.clock();
    for (const call of calls) this.instances.seedCall(call, at);
    this.instances.markAllCrossedSilently();
    this.instances.tags.maybeSweep(at);
  }

  /** Adds pre-aggregated spend (same rules as seedFromCalls). Unknown budgets are ignored. */
  seed(entries: Iterable<SeedSpend>): void {
    const at = this.clock();
    for (const s of entries) this.instances.seedSpend(s, at);
    this.instances.markAllCrossedSilently();
  }

  /**
   * Clears the current period's spend of a budget (admin reset at `resetAt`, default now;
   * calls before it no longer count). For a `per` tag budget, `tagValue` picks one instance
   * (null: the `(none)` one); omitted: all of them.
   * Returns whether a budget was found. Persisting the reset is the caller's job.
   */
  resetSpend(ref: BudgetRef, resetAt: number = this.clock()): boolean {
    const found = this.instances.lookup(ref, this.clock());
    for (const c of found) c.resetSpend(resetAt);
    this.admission.wake(found);
    return found.length > 0;
  }

  /**
   * Moves spend by repriced calls' cost changes (ids ascending), for the budgets each call
   * counts against, when the call lies in the instance's current period and after its last
   * reset. Increases fire alerts as settling does; decreases re-arm the thresholds the spend
   * falls below. Shared budgets also send each change to their row, which counts it once
   * whichever replicas send it.
   * @returns key name → the thresholds (fractions, ascending) decreases re-armed on its key budget.
   */
  adjustSpend(changes: Iterable<RepricedSpend>): Map<string, number[]> {
    const at = this.clock();
    const touched = new Set<BudgetCounter>();
    const rearmed = new Map<string, Set<number>>();
    for (const change of changes) {
      this.sharing?.noteRepriced(change.id);
      const delta = change.deltaNano;
      if (delta === 0 || !Number.isFinite(delta)) continue;
      for (const c of this.countersFor({ keyName: change.keyName, tags: change.tags }, at) ?? []) {
        const thresholds = c.adjust(change, this.clock, this.onCross);
        if (c.kind === 'key' && thresholds.length > 0) {
          const keyRearmed = rearmed.get(c.name) ?? new Set<number>();
          for (const t of thresholds) keyRearmed.add(t);
          rearmed.set(c.name, keyRearmed);
        }
        touched.add(c);
      }
    }
    // A lower spend may make room for waiting callers; a higher one may exhaust their budget.
    this.admission.wake(touched);
    this.instances.tags.maybeSweep(at);
    return new Map([...rearmed].map(([name, ts]) => [name, [...ts].sort((x, y) => x - y)]));
  }

  /** At start, after the seed: the reprice changes made while serve was stopped, rewound or replayed (budget-instances.ts `replayRepriced`). */
  replayRepriced(step: 'rewind' | 'replay', changes: Iterable<RepricedSpend>, carried: (c: BudgetCounter) => boolean): void {
    this.instances.replayRepriced(step, changes, carried, this.clock, this.onCross);
  }

  /** Every budget instance, rolled to now: key budgets first, then tag budgets in config order. */
  snapshot(): BudgetState[] {
    const at = this.clock();
    const out: BudgetState[] = [];
    for (const c of this.instances.all()) {
      c.roll(at);
      out.push(budgetState(c));
    }
    return out;
  }

  /** The counters a call counts against (its key's, then matching tag budgets in config order), rolled to `at`; null when none. */
  private countersFor(request: Pick<ReserveRequest, 'keyName' | 'tags'>, at: number): BudgetCounter[] | null {
    const counters = this.instances.forCall(request, at);
    if (this.sharing !== undefined && counters !== null) attachShares(counters, this.sharing, this.shareHost);
    return counters;
  }

  /** Holds an admitted call's estimate on each of its counters (reservation.ts `holdEstimate`). */
  private hold(request: ReserveRequest, counters: BudgetCounter[], est: NanoUsd, at: number): Reservation {
    const reservation = holdEstimate(request, counters, est, at);
    // Sweep only after holding, so no instance this call holds can be dropped.
    this.instances.tags.maybeSweep(at);
    return reservation;
  }
}
