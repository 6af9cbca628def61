import type { BudgetPeriod } from '../store/types.js';
import type { NanoUsd } from '../lib/money.js';
import type { PeriodWindows } from './periods.js';
import type { AlertEvent, BudgetKind, RepricedSpend } from './types.js';
import { alertEvent } from './counter-reports.js';
import { decide, type Decision } from './policy.js';
import type { SpendWatch } from './spend-watch.js';

/** This replica's lease on a budget shared with other replicas (lease-share.ts LeaseShare), as its counter uses it. */
export interface CounterShare {
  /** The admission decision against the lease (lease-policy.ts admitOnLease). */
  decide(estimateNano: NanoUsd): Decision;
  /** After the counter held an admitted call's estimate. */
  held(estimateNano: NanoUsd): void;
  /** After a call of this period settled at `costNano`. */
  released(costNano: NanoUsd): void;
  /** After an admin reset cleared the spend here (`countsFrom` already moved to the reset). */
  resetSpend(): void;
  /** After the limit changed (a lowered one also holds on the lease already held). */
  limitChanged(): void;
  /** After a repriced call's cost change `deltaNano` (reprice change `changeId`) moved the spend here. */
  repriced(changeId: number, deltaNano: NanoUsd): void;
  /** The spend known here was read from the shared row lately: a refusal on it is true. */
  readonly fresh: boolean;
  /** The shared row could not be reached: the last sync failed, or the one on the wire is unanswered for long (lease-share.ts). */
  readonly unreachable: boolean;
}

/** What a counter needs from a key budget or tag budget definition. */
export interface CounterDef {
  limitNano: NanoUsd;
  period: BudgetPeriod;
  alertAt: readonly number[];
  soft: boolean;
}

/**
 * In-memory counters of ONE budget instance for its current period (a key's budget, a
 * shared tag budget, or one `per` value of a tag budget). Owned by BudgetLedger.
 *
 * Invariants:
 * - `spentNano`, `reservedNano` are integer nano-USD >= 0 and belong to `[periodStart, periodEnd)`;
 * - rolling to a new period zeroes both and bumps `epoch`; reservations remember the epoch
 *   they were made in, so a settle after a roll never touches the new period;
 * - periods only roll forward: a clock that steps back keeps the current period;
 * - alerts: thresholds are sorted ascending and `nextAlert` is the index of the first one not
 *   yet fired this period, so each threshold fires at most once per period and limit (a
 *   raised limit re-arms the thresholds it puts back above the spend);
 * - `waiting` counts the callers in this budget's admission queue (kept by admission.ts).
 *
 * What it reports (a refusal, its state, the alert event of a crossing): counter-reports.ts.
 */
export class BudgetCounter {
  spentNano = 0;
  reservedNano = 0;
  /** Calls admitted in this period and not yet settled; `reservedNano` is reset to exactly 0 when it drops to 0. */
  inFlight = 0;
  periodStart = 0;
  periodEnd = -Infinity;
  /** Incremented at every period roll. */
  epoch = 0;
  /** Calls from this ms on count in `spentNano`: the period start, or the last admin reset in the period. */
  countsFrom = 0;
  limitNano = 0;
  period: BudgetPeriod = 'month';
  soft = false;
  /** Callers waiting in this budget's admission queue; set by admission.ts only. */
  waiting = 0;
  /**
   * When replicas share the budget (PostgreSQL): this replica's lease on it. Then
   * `spentNano` is the spend of every replica as last known here, `reservedNano` and
   * `inFlight` this replica's, and `decide` admits against the lease (lease-policy.ts).
   */
  share: CounterShare | null = null;
  /** While the key budget's new period window is read from the store: counts what settles meanwhile (spend-watch.ts). */
  watch: SpendWatch | null = null;
  private thresholds: number[] = [];
  private thresholdNano: number[] = [];
  private nextAlert = 0;
  /**
   * Per threshold (same index): the spend fell back below it after it fired in this period
   * (a reprice down, a raised limit; not a shared row's read, syncSpend), so its next crossing is a new
   * alert (AlertEvent.rearmed). Cleared when it fires or counts as fired, and at a new period or reset.
   */
  private rearmed: boolean[] = [];

  constructor(
    readonly name: string,
    readonly kind: BudgetKind,
    /** The `per` tag key (tag budgets with `per` only). */
    readonly per: string | null,
    /** The `per` tag value; null for key budgets, shared tag budgets and calls lacking the tag. */
    readonly tagValue: string | null,
    def: CounterDef,
    private readonly windows: PeriodWindows,
    at: number,
  ) {
    this.apply(def);
    this.roll(at);
  }

  /** Moves to the period containing `at` when the current one has ended. Cheap when it has not. */
  roll(at: number): void {
    if (at < this.periodEnd) return;
    const w = this.windows.get(this.period, at);
    this.periodStart = w.start;
    this.periodEnd = w.end;
    this.countsFrom = w.start;
    this.spentNano = 0;
    this.reservedNano = 0;
    this.inFlight = 0;
    this.epoch++;
    this.nextAlert = 0;
    this.rearmed = [];
  }

  /** The admission decision for a call with this estimate (policy.ts; soft budgets always allow). */
  decide(estimateNano: NanoUsd): Decision {
    if (this.soft) return 'allow';
    return this.share === null ? decide(this.spentNano, this.reservedNano, this.limitNano, estimateNano) : this.share.decide(estimateNano);
  }

  /** Holds an admitted call's estimate. */
  hold(estimateNano: NanoUsd): void {
    this.reservedNano += estimateNano;
    this.inFlight++;
    this.share?.held(estimateNano);
  }

  /** Releases a hold made in the current epoch and adds the real cost of the call admitted at `at` (ms). */
  release(estimateNano: NanoUsd, costNano: NanoUsd, at: number, now: () => number, onCross: ((e: AlertEvent) => void) | undefined): void {
    // Snap to exactly 0 when nothing is in flight, so float drift can never keep rule 2 of decide() from applying.
    this.inFlight--;
    this.reservedNano = this.inFlight > 0 ? Math.max(0, this.reservedNano - estimateNano) : 0;
    this.addSpend(costNano, now, onCross);
    this.share?.released(costNano);
    this.watch?.settled(at, costNano);
  }

  /**
   * Moves the spend to what the shared row says (plus this replica's unreported spend):
   * thresholds it reaches fire (an alert may so come from more than one replica, with
   * the same id); a lower spend (a reset elsewhere) re-arms those above it, without marking
   * them `rearmed`: a reset elsewhere gives their next firing its own id already (armedFrom),
   * a reprice down is marked by this replica's own `adjust`, and a row read that lags behind
   * the spend here must not turn its next crossing into a second alert.
   */
  syncSpend(knownNano: NanoUsd, now: () => number, onCross: ((e: AlertEvent) => void) | undefined): void {
    if (knownNano >= this.spentNano) return this.addSpend(knownNano - this.spentNano, now, onCross);
    this.spentNano = knownNano;
    while (this.nextAlert > 0 && this.spentNano < this.thresholdNano[this.nextAlert - 1]!) this.nextAlert--;
  }

  /**
   * Re-arms the fired thresholds the spend is below again (they fire again when it reaches
   * them, as new alerts: `rearmed`). @returns them (fractions, ascending).
   */
  private rearmBelowSpend(): number[] {
    const fired = this.nextAlert;
    while (this.nextAlert > 0 && this.spentNano < this.thresholdNano[this.nextAlert - 1]!) this.rearmed[--this.nextAlert] = true;
    return this.thresholds.slice(this.nextAlert, fired);
  }

  /**
   * Applies a (changed) definition. Same period: counters kept; a changed period re-windows
   * at `at` and takes `spentNano` (the spend of the new window, from the store) or 0.
   * Thresholds a lower limit puts behind the spend fire at once (the ledger's `addSpend(0)`); fired
   * thresholds a higher limit puts back above the spend are re-armed (they fire again, as new
   * alerts, when the spend reaches them). Changed thresholds: those the spend has already
   * reached count as fired (no burst of stale alerts). Changed period (same thresholds): those
   * fired in the old window count as fired while the new window's spend is at them, and those
   * it reaches beyond them fire at once, as for a lowered limit (a key moved to a lower limit
   * and a longer period is blocked at once: it must not be without an alert).
   * @returns the thresholds re-armed by a raised limit (fractions, ascending); usually empty.
   */
  apply(def: CounterDef, at?: number, spentNano?: NanoUsd): number[] {
    const periodChanged = def.period !== this.period;
    const firedBefore = this.nextAlert;
    const thresholdsChanged = def.alertAt.length !== this.thresholds.length || def.alertAt.some((t, i) => t !== this.thresholds[i]);
    const limitChanged = def.limitNano !== this.limitNano;
    this.limitNano = def.limitNano;
    this.period = def.period;
    this.soft = def.soft;
    if (thresholdsChanged) {
      this.thresholds = [...def.alertAt].filter((t) => t > 0 && Number.isFinite(t)).sort((a, b) => a - b);
      this.nextAlert = 0;
      this.rearmed = [];
    }
    this.thresholdNano = this.thresholds.map((t) => Math.max(1, Math.round(t * this.limitNano)));
    if (periodChanged && at !== undefined) {
      // Same epoch: calls in flight started now-ish, so they still settle into this counter.
      const w = this.windows.get(this.period, at);
      this.periodStart = w.start;
      this.periodEnd = w.end;
      this.countsFrom = w.start;
      this.spentNano = spentNano ?? 0;
      this.rearmed = [];
    }
    if (limitChanged) this.share?.limitChanged();
    if (thresholdsChanged) {
      this.markCrossedSilently();
      return [];
    }
    if (periodChanged) {
      // Another period's alerts: the new window's are new alerts anyway, none is re-armed.
      this.nextAlert = Math.min(firedBefore, this.thresholds.length);
      while (this.nextAlert > 0 && this.spentNano < this.thresholdNano[this.nextAlert - 1]!) this.nextAlert--;
      return [];
    }
    return this.rearmBelowSpend();
  }

  /**
   * Adds settled cost and fires each threshold the spend now reaches (once per period).
   * `now` is read only when an alert fires.
   */
  addSpend(costNano: NanoUsd, now: () => number, onCross: ((e: AlertEvent) => void) | undefined): void {
    this.spentNano += costNano;
    while (this.nextAlert < this.thresholdNano.length && this.spentNano >= this.thresholdNano[this.nextAlert]!) {
      const rearmed = this.rearmed[this.nextAlert] === true;
      this.rearmed[this.nextAlert] = false;
      const threshold = this.thresholds[this.nextAlert++]!;
      if (onCross === undefined) continue;
      try {
        onCross(alertEvent(this, threshold, now(), rearmed));
      } catch {
        // An alert sink must never break settling.
      }
    }
  }

  /** Marks every threshold the current spend has reached as fired, without firing (seeding, restarts). */
  markCrossedSilently(): void {
    while (this.nextAlert < this.thresholdNano.length && this.spentNano >= this.thresholdNano[this.nextAlert]!) this.rearmed[this.nextAlert++] = false;
  }

  /**
   * Clears this period's spend (admin reset) made by calls before `at` (ms); thresholds fire
   * again when re-crossed. Reservations stay.
   */
  resetSpend(at: number): void {
    this.spentNano = 0;
    this.nextAlert = 0;
    this.rearmed = [];
    this.countsFrom = Math.max(this.countsFrom, at);
    this.share?.resetSpend();
  }

  /**
   * An admin reset at `at` (ms) made on another replica, learned from the shared row: calls
   * admitted before it no longer count here (as on the replica that reset). The spend
   * itself moves with `syncSpend`.
   */
  resetElsewhere(at: number): void {
    this.countsFrom = Math.max(this.countsFrom, at);
  }

  /**
   * Moves the spend by a repriced call's cost change when the call counts in this period
   * (at or after `countsFrom`), and hands it to the share (shared budgets). An increase
   * fires the thresholds it reaches; a decrease never goes below 0 and re-arms the fired
   * thresholds the spend falls below (their next crossing is a new alert).
   * @returns the thresholds a decrease re-armed (fractions, ascending); usually empty.
   */
  adjust(change: Pick<RepricedSpend, 'id' | 'ts' | 'deltaNano'>, now: () => number, onCross: ((e: AlertEvent) => void) | undefined): number[] {
    const deltaNano = Math.round(change.deltaNano);
    if (!this.counts(change.ts) || deltaNano === 0) return [];
    let rearmed: number[] = [];
    if (deltaNano > 0) this.addSpend(deltaNano, now, onCross);
    else {
      this.spentNano = Math.max(0, this.spentNano + deltaNano);
      rearmed = this.rearmBelowSpend();
    }
    this.share?.repriced(change.id, deltaNano);
    return rearmed;
  }

  /** Takes back a cost change `adjust` would apply, without alerting (restart-reprices.ts): thresholds above the spend re-armed, those it reaches fired. Share not told. */
  rewind(change: Pick<RepricedSpend, 'ts' | 'deltaNano'>): void {
    const deltaNano = Math.round(change.deltaNano);
    if (!this.counts(change.ts) || deltaNano === 0) return;
    this.spentNano = Math.max(0, this.spentNano - deltaNano);
    while (this.nextAlert > 0 && this.spentNano < this.thresholdNano[this.nextAlert - 1]!) this.nextAlert--;
    this.markCrossedSilently();
  }

  /** Whether a call stamped `ts` (ms) counts in this period's spend: in the period, and not before its last admin reset. */
  private counts(ts: number): boolean {
    return ts >= this.countsFrom && ts >= this.periodStart && ts < this.periodEnd;
  }

  /** True when dropping this instance loses nothing: no caller waits on it, and its period is over or it holds no money. */
  isIdle(at: number): boolean {
    return this.waiting === 0 && (at >= this.periodEnd || (this.spentNano === 0 && this.reservedNano === 0));
  }
}

/** A money amount as a safe non-negative integer count of nano-USD (null, NaN, negatives → 0). */
export function clampNano(n: NanoUsd | null): NanoUsd {
  return n !== null && n > 0 ? Math.min(Math.ceil(n), Number.MAX_SAFE_INTEGER) : 0;
}
