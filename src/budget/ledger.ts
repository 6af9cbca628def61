import type { KeyBudget } from '../store/types.js';
import type { Clock } from '../lib/clock.js';
import type { NanoUsd } from '../lib/money.js';
import { BudgetCounter, clampNano } from './counter.js';
import { PeriodWindows } from './periods.js';
import { Reservation, type ReserveRequest, type ReserveResult } from './reservation.js';
import type { AlertEvent, BudgetRef, BudgetState, SeedCall, SeedSpend, TagBudget } from './types.js';

export { Reservation, type Blocked, type ReserveRequest, type ReserveResult } from './reservation.js';

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
}

interface TagEntry {
  def: TagBudget;
  matchKeys: string[];
  matchValues: string[];
  /** The instance for budgets without `per`, and for calls lacking the `per` tag. */
  shared: BudgetCounter | null;
  byValue: Map<string, BudgetCounter>;
}

const NO_BUDGET = new Reservation([], [], 0, 0);

/**
 * In-memory budget counters for every budget instance: key budgets by key name, tag
 * budgets (one instance each, or one per distinct `per` tag value, created lazily).
 * `reserve` and `settle` are synchronous, O(number of budgets), never touch storage.
 *
 * Attribution: a call counts in the period in which it was admitted (`Reservation.at`,
 * which is the stored call's `ts`), even when it settles after the period rolled; then
 * its cost goes to the closed period only (as in the store) and the new period is untouched.
 *
 * Memory: `per` instances that hold no money, or whose period is over, are swept when
 * their number exceeds `maxInstances`; instances with spend in the current period are
 * kept (dropping them would lift a cap), so memory is bounded by active tag values per period.
 */
export class BudgetLedger {
  private readonly clock: Clock;
  private readonly windows: PeriodWindows;
  private readonly keys = new Map<string, BudgetCounter>();
  private tags: TagEntry[] = [];
  private readonly onCross: ((e: AlertEvent) => void) | undefined;
  private readonly maxInstances: number;
  private perInstances = 0;
  private sweepAt: number;

  constructor(options: BudgetLedgerOptions) {
    this.clock = options.clock;
    this.windows = new PeriodWindows(options.timeZone);
    this.onCross = options.onCross;
    this.maxInstances = options.maxInstances ?? 100_000;
    this.sweepAt = this.maxInstances;
    for (const [name, b] of options.keyBudgets ?? []) this.setKeyBudget(name, b);
    this.setTagBudgets(options.tagBudgets ?? []);
  }

  /**
   * Adds, changes or (null) removes a key's budget, effective for the next call. Same
   * period: spend is kept. New budget or changed period: pass the key's spend in the new
   * window (from the store) as `spentNano`, else it starts at 0.
   */
  setKeyBudget(name: string, budget: KeyBudget | null, options?: { spentNano?: NanoUsd }): void {
    if (budget === null) {
      this.keys.delete(name);
      return;
    }
    const at = this.clock();
    const c = this.keys.get(name);
    if (c === undefined) {
      const created = new BudgetCounter(name, 'key', null, null, budget, this.windows, at);
      if (options?.spentNano !== undefined) created.spentNano = options.spentNano;
      created.markCrossedSilently();
      this.keys.set(name, created);
    } else {
      c.roll(at);
      c.apply(budget, at, options?.spentNano);
    }
  }

  /** Replaces the tag budgets; instances of a budget whose name, `per` and period are unchanged keep their counters. */
  setTagBudgets(budgets: readonly TagBudget[]): void {
    const at = this.clock();
    const old = new Map(this.tags.map((e) => [e.def.name, e]));
    this.tags = budgets.map((def) => {
      const prev = old.get(def.name);
      if (prev !== undefined && prev.def.per === def.per && prev.def.period === def.period) {
        prev.def = def;
        prev.matchKeys = Object.keys(def.match);
        prev.matchValues = prev.matchKeys.map((k) => def.match[k]!);
        for (const c of this.instancesOf(prev)) c.apply(def, at);
        return prev;
      }
      const keys = Object.keys(def.match);
      const shared = def.per === undefined ? new BudgetCounter(def.name, 'tag', null, null, def, this.windows, at) : null;
      return { def, matchKeys: keys, matchValues: keys.map((k) => def.match[k]!), shared, byValue: new Map() };
    });
    this.perInstances = this.tags.reduce((n, e) => n + e.byValue.size, 0);
  }

  /**
   * Checks every budget the call counts against (its key's, and each matching tag budget)
   * and, only if none refuses, holds `estimateNano` on all of them (JS is single-threaded:
   * check-all-then-add-all is atomic). Soft budgets never refuse. When several refuse, the
   * one that resets last is reported (the call cannot pass before then).
   * Returns a Reservation (`ok: true`) or `{ok: false, blocked}`.
   */
  reserve(request: ReserveRequest): ReserveResult {
    const at = this.clock();
    const est = clampNano(request.estimateNano);
    let counters: BudgetCounter[] | null = null;
    let refusing: BudgetCounter | null = null;
    const kc = request.keyName === null ? undefined : this.keys.get(request.keyName);
    if (kc !== undefined) {
      kc.roll(at);
      if (!kc.allows(est)) refusing = kc;
      counters = [kc];
    }
    const tags = request.tags;
    for (let i = 0; i < this.tags.length; i++) {
      const e = this.tags[i]!;
      if (!matches(e, tags)) continue;
      const c = this.instanceFor(e, tags, at);
      c.roll(at);
      if (!c.allows(est) && (refusing === null || c.periodEnd > refusing.periodEnd)) refusing = c;
      if (counters === null) counters = [c];
      else counters.push(c);
    }
    // Sweep only after reserving, so no instance this call holds can be dropped.
    if (refusing !== null) {
      if (this.perInstances > this.sweepAt) this.sweep(at);
      return { ok: false, blocked: refusing.blockInfo(est, at) };
    }
    if (counters === null) return NO_BUDGET;
    const epochs = new Array<number>(counters.length);
    for (let i = 0; i < counters.length; i++) {
      const c = counters[i]!;
      c.hold(est);
      epochs[i] = c.epoch;
    }
    if (this.perInstances > this.sweepAt) this.sweep(at);
    return new Reservation(counters, epochs, est, at);
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
    for (let i = 0; i < counters.length; i++) {
      const c = counters[i]!;
      // Period rolled since the reservation: the cost belongs to the closed period, not this one.
      if (c.epoch === epochs[i]) c.release(estimateNano, cost, this.clock, this.onCross);
    }
  }

  /**
   * Earliest start (ms) among the current windows of all budgets: the calls since then are
   * what `seedFromCalls` needs (0 when a `total` budget exists).
   */
  seedSince(): number {
    const at = this.clock();
    let since = at;
    const periods = new Set([...this.keys.values()].map((c) => c.period).concat(this.tags.map((e) => e.def.period)));
    for (const p of periods) since = Math.min(since, this.windows.get(p, at).start);
    return since;
  }

  /**
   * Rebuilds spend from stored calls (call once at start, before serving, with the calls
   * since `seedSince()`; calls outside an instance's current period are ignored). Adds to
   * the counters. Thresholds the seeded spend has reached are marked fired without firing,
   * so a restart does not repeat alerts.
   */
  seedFromCalls(calls: Iterable<SeedCall>): void {
    const at = this.clock();
    for (const call of calls) {
      const cost = clampNano(call.costNano);
      if (cost === 0) continue;
      const kc = call.keyName === null ? undefined : this.keys.get(call.keyName);
      if (kc !== undefined) addIfInPeriod(kc, call.ts, cost, at);
      for (const e of this.tags) if (matches(e, call.tags)) addIfInPeriod(this.instanceFor(e, call.tags, at), call.ts, cost, at);
    }
    this.markAllCrossedSilently();
    if (this.perInstances > this.sweepAt) this.sweep(at);
  }

  /** Adds pre-aggregated spend (same rules as seedFromCalls). Unknown budgets are ignored. */
  seed(entries: Iterable<SeedSpend>): void {
    const at = this.clock();
    for (const s of entries) {
      for (const c of this.lookup(s.ref, at)) {
        c.roll(at);
        if (c.periodStart === s.periodStart) c.spentNano += clampNano(s.spentNano);
      }
    }
    this.markAllCrossedSilently();
  }

  /**
   * Clears the current period's spend of a budget (admin reset at `resetAt`, default now;
   * calls before it no longer count). For a `per` tag budget, `tagValue` picks one instance
   * (null: the `(none)` one); omitted: all of them.
   * Returns whether a budget was found. Persisting the reset is the caller's job.
   */
  resetSpend(ref: BudgetRef, resetAt: number = this.clock()): boolean {
    const found = this.lookup(ref, this.clock());
    for (const c of found) c.resetSpend(resetAt);
    return found.length > 0;
  }

  /**
   * Moves spend by repriced calls' cost changes (`costNano` = new − old, may be negative),
   * for the budgets each call counts against, when the call lies in the instance's current
   * period and after its last reset. Increases fire alerts as settling does.
   */
  adjustSpend(changes: Iterable<SeedCall>): void {
    const at = this.clock();
    for (const change of changes) {
      const delta = change.costNano ?? 0;
      if (delta === 0 || !Number.isFinite(delta)) continue;
      const counters: BudgetCounter[] = [];
      const kc = change.keyName === null ? undefined : this.keys.get(change.keyName);
      if (kc !== undefined) counters.push(kc);
      for (const e of this.tags) if (matches(e, change.tags)) counters.push(this.instanceFor(e, change.tags, at));
      for (const c of counters) {
        c.roll(at);
        c.adjust(change.ts, Math.round(delta), this.clock, this.onCross);
      }
    }
  }

  /** Every budget instance, rolled to now: key budgets first, then tag budgets in config order. */
  snapshot(): BudgetState[] {
    const at = this.clock();
    const out: BudgetState[] = [];
    for (const c of this.keys.values()) {
      c.roll(at);
      out.push(c.state());
    }
    for (const e of this.tags) {
      for (const c of this.instancesOf(e)) {
        c.roll(at);
        out.push(c.state());
      }
    }
    return out;
  }

  private instanceFor(e: TagEntry, tags: Readonly<Record<string, string>>, at: number): BudgetCounter {
    const per = e.def.per;
    const value = per === undefined ? undefined : tags[per];
    if (typeof value !== 'string') {
      if (e.shared === null) e.shared = new BudgetCounter(e.def.name, 'tag', per ?? null, null, e.def, this.windows, at);
      return e.shared;
    }
    let c = e.byValue.get(value);
    if (c === undefined) {
      c = new BudgetCounter(e.def.name, 'tag', per!, value, e.def, this.windows, at);
      e.byValue.set(value, c);
      this.perInstances++;
    }
    return c;
  }

  private instancesOf(e: TagEntry): BudgetCounter[] {
    const list = e.shared === null ? [] : [e.shared];
    for (const c of e.byValue.values()) list.push(c);
    return list;
  }

  private lookup(ref: BudgetRef, at: number): BudgetCounter[] {
    if (ref.kind === 'key') {
      const c = this.keys.get(ref.name);
      return c === undefined ? [] : [c];
    }
    const e = this.tags.find((t) => t.def.name === ref.name);
    if (e === undefined) return [];
    if (ref.tagValue === undefined) return e.def.per === undefined ? [this.instanceFor(e, {}, at)] : this.instancesOf(e);
    if (ref.tagValue === null) return [this.instanceFor(e, {}, at)];
    return [this.instanceFor(e, { [e.def.per ?? '']: ref.tagValue }, at)];
  }

  private markAllCrossedSilently(): void {
    for (const c of this.keys.values()) c.markCrossedSilently();
    for (const e of this.tags) for (const c of this.instancesOf(e)) c.markCrossedSilently();
  }

  /** Drops `per` instances that hold nothing worth keeping; amortised by doubling the threshold. */
  private sweep(at: number): void {
    for (const e of this.tags) {
      for (const [value, c] of e.byValue) {
        if (c.isIdle(at)) {
          e.byValue.delete(value);
          this.perInstances--;
        }
      }
    }
    this.sweepAt = Math.max(this.maxInstances, this.perInstances * 2);
  }
}

function matches(e: TagEntry, tags: Readonly<Record<string, string>>): boolean {
  for (let j = 0; j < e.matchKeys.length; j++) if (tags[e.matchKeys[j]!] !== e.matchValues[j]) return false;
  return true;
}

function addIfInPeriod(c: BudgetCounter, ts: number, cost: number, at: number): void {
  c.roll(at);
  if (ts >= c.periodStart && ts < c.periodEnd) c.spentNano += cost;
}
