import type { BudgetPeriod } from '../store/types.js';
import { BudgetCounter } from './counter.js';
import type { PeriodWindows } from './periods.js';
import type { TagBudget } from './types.js';

interface TagEntry {
  def: TagBudget;
  matchKeys: string[];
  matchValues: string[];
  /** The instance for budgets without `per`, and for calls lacking the `per` tag. */
  shared: BudgetCounter | null;
  byValue: Map<string, BudgetCounter>;
}

/**
 * The counters of the tag budgets (config `budgets:`), kept for BudgetLedger in
 * budget-instances.ts: one instance per budget, or one per distinct `per` tag value,
 * created lazily.
 *
 * Memory: `per` instances that hold no money and no waiters, or whose period is over, are
 * swept when their number exceeds `maxInstances` (amortised: the threshold doubles);
 * instances with spend in the current period are kept (dropping them would lift a cap).
 */
export class TagInstances {
  private entries: TagEntry[] = [];
  private perInstances = 0;
  private sweepAt: number;

  constructor(
    private readonly windows: PeriodWindows,
    private readonly maxInstances: number,
  ) {
    this.sweepAt = maxInstances;
  }

  /**
   * Replaces the tag budgets; instances of a budget whose name, `per` and period are
   * unchanged keep their counters (and take the new limit and thresholds).
   * @returns the counters dropped (their budget went away or changed `per` or period).
   */
  set(budgets: readonly TagBudget[], at: number): BudgetCounter[] {
    const old = new Map(this.entries.map((e) => [e.def.name, e]));
    this.entries = budgets.map((def) => {
      const prev = old.get(def.name);
      if (prev !== undefined && prev.def.per === def.per && prev.def.period === def.period) {
        old.delete(def.name);
        prev.def = def;
        prev.matchKeys = Object.keys(def.match);
        prev.matchValues = prev.matchKeys.map((k) => def.match[k]!);
        for (const c of instancesOf(prev)) c.apply(def, at);
        return prev;
      }
      const keys = Object.keys(def.match);
      const shared = def.per === undefined ? new BudgetCounter(def.name, 'tag', null, null, def, this.windows, at) : null;
      return { def, matchKeys: keys, matchValues: keys.map((k) => def.match[k]!), shared, byValue: new Map() };
    });
    this.perInstances = this.entries.reduce((n, e) => n + e.byValue.size, 0);
    return [...old.values()].flatMap(instancesOf);
  }

  /** Appends the instance of every tag budget the tags match (in config order) to `into`, rolled to `at`. */
  collect(tags: Readonly<Record<string, string>>, at: number, into: BudgetCounter[] | null): BudgetCounter[] | null {
    for (let i = 0; i < this.entries.length; i++) {
      const e = this.entries[i]!;
      if (!matches(e, tags)) continue;
      const c = this.instanceFor(e, tags, at);
      c.roll(at);
      if (into === null) into = [c];
      else into.push(c);
    }
    return into;
  }

  /** Instances of budget `name`: one `per` value (null: the `(none)` instance), or (undefined) all of them. */
  lookup(name: string, tagValue: string | null | undefined, at: number): BudgetCounter[] {
    const e = this.entries.find((t) => t.def.name === name);
    if (e === undefined) return [];
    if (tagValue === undefined) return e.def.per === undefined ? [this.instanceFor(e, {}, at)] : instancesOf(e);
    if (tagValue === null) return [this.instanceFor(e, {}, at)];
    return [this.instanceFor(e, { [e.def.per ?? '']: tagValue }, at)];
  }

  /** Every instance, in config order. */
  all(): BudgetCounter[] {
    return this.entries.flatMap(instancesOf);
  }

  periods(): BudgetPeriod[] {
    return this.entries.map((e) => e.def.period);
  }

  /** Drops idle `per` instances when there are too many (call only when no caller holds an unlisted instance). */
  maybeSweep(at: number): void {
    if (this.perInstances <= this.sweepAt) return;
    for (const e of this.entries) {
      for (const [value, c] of e.byValue) {
        if (c.isIdle(at)) {
          e.byValue.delete(value);
          this.perInstances--;
        }
      }
    }
    this.sweepAt = Math.max(this.maxInstances, this.perInstances * 2);
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
}

function instancesOf(e: TagEntry): BudgetCounter[] {
  const list = e.shared === null ? [] : [e.shared];
  for (const c of e.byValue.values()) list.push(c);
  return list;
}

function matches(e: TagEntry, tags: Readonly<Record<string, string>>): boolean {
  for (let j = 0; j < e.matchKeys.length; j++) if (tags[e.matchKeys[j]!] !== e.matchValues[j]) return false;
  return true;
}
