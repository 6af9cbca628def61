import type { AlertRecord, BudgetResetRecord } from '../store/types.js';
import type { AlertEvent, BudgetKind } from './types.js';

/** One budget instance's identity. */
interface InstanceId {
  kind: BudgetKind;
  name: string;
  tagValue: string | null;
}

const budgetKey = (kind: BudgetKind, name: string) => `${kind}\u0000${name}`;
const firing = (threshold: number, periodStart: number) => `${threshold}@${periodStart}`;

/**
 * Which (budget instance, threshold, period) alerts have fired, so each fires once per
 * period also across restarts: loaded from the alerts table at start, consulted before
 * an alert is sent. An admin reset re-arms the instance's thresholds for its period
 * (alerts fired before a reset do not count when loading).
 */
export class AlertBook {
  /** budget (kind, name) → tag value (null = shared / none) → fired `threshold@periodStart`. */
  private readonly fired = new Map<string, Map<string | null, Set<string>>>();

  /** Marks the stored alerts fired, except those a later reset of the same period re-armed. */
  load(alerts: readonly AlertRecord[], resets: readonly BudgetResetRecord[]): void {
    for (const a of alerts) {
      const rearmed = resets.some(
        (r) => r.kind === a.kind && r.budget === a.budget && r.periodStart === a.periodStart && r.resetAt >= a.firedAt && (r.allValues || r.tagValue === a.tagValue),
      );
      if (!rearmed) this.mark(a, a.threshold, a.periodStart);
    }
  }

  /** True (and remembered) when this event's threshold has not fired in its period yet. */
  admit(e: AlertEvent): boolean {
    const set = this.setOf(e);
    const id = firing(e.threshold, e.periodStart);
    if (set.has(id)) return false;
    set.add(id);
    return true;
  }

  /** Forgets the firings of `periodStart` for one instance, or (tagValue undefined) every instance of the budget. */
  rearm(kind: BudgetKind, name: string, tagValue: string | null | undefined, periodStart: number): void {
    const byValue = this.fired.get(budgetKey(kind, name));
    if (byValue === undefined) return;
    const sets = tagValue === undefined ? [...byValue.values()] : [byValue.get(tagValue)];
    const suffix = `@${periodStart}`;
    for (const set of sets) {
      if (set === undefined) continue;
      for (const id of set) if (id.endsWith(suffix)) set.delete(id);
    }
  }

  private mark(instance: InstanceId, threshold: number, periodStart: number): void {
    this.setOf(instance).add(firing(threshold, periodStart));
  }

  private setOf(instance: InstanceId): Set<string> {
    const key = budgetKey(instance.kind, instance.name);
    let byValue = this.fired.get(key);
    if (byValue === undefined) this.fired.set(key, (byValue = new Map()));
    let set = byValue.get(instance.tagValue);
    if (set === undefined) byValue.set(instance.tagValue, (set = new Set()));
    return set;
  }
}
