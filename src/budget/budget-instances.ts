import { clampNano, type BudgetCounter } from './counter.js';
import { KeyCounters } from './key-counters.js';
import { PeriodWindows } from './periods.js';
import { TagInstances } from './tag-instances.js';
import type { AlertEvent, BudgetRef, RepricedSpend, SeedCall, SeedSpend } from './types.js';

/**
 * Every budget instance of one BudgetLedger: the key budgets' counters (key-counters.ts)
 * and the tag budgets' instances (tag-instances.ts), over one set of period windows.
 * Finds the counters a call counts against or a BudgetRef names, lists them all, and
 * adds stored spend to them at start (seeding, and the replay of reprices made while serve
 * was stopped). Deciding, holding, settling, waking waiters and sharing are the ledger's.
 */
export class BudgetInstances {
  private readonly windows: PeriodWindows;
  readonly keys: KeyCounters;
  readonly tags: TagInstances;

  /**
   * @param timeZone IANA zone (or `UTC`) whose local midnight bounds days, weeks and months.
   * @param maxInstances soft cap on `per` instances kept in memory (tag-instances.ts).
   */
  constructor(timeZone: string, maxInstances: number) {
    this.windows = new PeriodWindows(timeZone);
    this.keys = new KeyCounters(this.windows);
    this.tags = new TagInstances(this.windows, maxInstances);
  }

  /** The counters a call counts against (its key's, then matching tag budgets in config order), rolled to `at` (ms); null when none. */
  forCall(call: { keyName: string | null; tags: Readonly<Record<string, string>> }, at: number): BudgetCounter[] | null {
    let counters: BudgetCounter[] | null = null;
    const kc = call.keyName === null ? undefined : this.keys.get(call.keyName);
    if (kc !== undefined) {
      kc.roll(at);
      counters = [kc];
    }
    return this.tags.collect(call.tags, at, counters);
  }

  /** The counters `ref` names: a key's budget (none without one), or one or all instances of a tag budget (tag-instances.ts `lookup`). */
  lookup(ref: BudgetRef, at: number): BudgetCounter[] {
    if (ref.kind === 'key') {
      const c = this.keys.get(ref.name);
      return c === undefined ? [] : [c];
    }
    return this.tags.lookup(ref.name, ref.tagValue, at);
  }

  /** Every instance: key budgets first, then tag budgets in config order. */
  all(): BudgetCounter[] {
    return [...this.keys.all(), ...this.tags.all()];
  }

  /** Earliest start (ms) among the windows at `at` of every budget's period; `at` when there is no budget. */
  earliestStart(at: number): number {
    let since = at;
    const periods = new Set([...this.keys.all()].map((c) => c.period).concat(this.tags.periods()));
    for (const p of periods) since = Math.min(since, this.windows.get(p, at).start);
    return since;
  }

  /** Adds a stored call's cost to every counter it counts against whose current period (at `at`, ms) holds the call's `ts`. */
  seedCall(call: SeedCall, at: number): void {
    const cost = clampNano(call.costNano);
    if (cost === 0) return;
    const kc = call.keyName === null ? undefined : this.keys.get(call.keyName);
    if (kc !== undefined) addIfInPeriod(kc, call.ts, cost, at);
    for (const c of this.tags.collect(call.tags, at, null) ?? []) addIfInPeriod(c, call.ts, cost, at);
  }

  /** Adds pre-aggregated spend to the counters its ref names whose current period (at `at`, ms) is the one it belongs to. */
  seedSpend(s: SeedSpend, at: number): void {
    for (const c of this.lookup(s.ref, at)) {
      c.roll(at);
      if (c.periodStart === s.periodStart) c.spentNano += clampNano(s.spentNano);
    }
  }

  /**
   * At start, after the seed, for the reprice changes (ids ascending) made while serve was
   * stopped (restart-reprices.ts), on the counters `carried` accepts: `rewind` takes them
   * back without alerting (the seeded spend holds them), then `replay` moves the spend by
   * them as the ledger's adjustSpend does, firing through `onCross` the thresholds they
   * reach. Shares are not sent them (none is attached yet; the shared rows hold them).
   */
  replayRepriced(step: 'rewind' | 'replay', changes: Iterable<RepricedSpend>, carried: (c: BudgetCounter) => boolean, now: () => number, onCross: ((e: AlertEvent) => void) | undefined): void {
    const at = now();
    for (const change of changes) {
      for (const c of this.forCall(change, at) ?? []) {
        if (!carried(c)) continue;
        if (step === 'rewind') c.rewind(change);
        else c.adjust(change, now, onCross);
      }
    }
  }

  /** Marks every threshold the spend has reached as fired, without firing it (after seeding: a restart does not repeat alerts). */
  markAllCrossedSilently(): void {
    for (const c of this.all()) c.markCrossedSilently();
  }
}

function addIfInPeriod(c: BudgetCounter, ts: number, cost: number, at: number): void {
  c.roll(at);
  if (ts >= c.periodStart && ts < c.periodEnd) c.spentNano += cost;
}
