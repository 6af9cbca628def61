import type { AlertRecord, BudgetResetRecord } from '../store/types.js';
import type { AlertEvent, BudgetKind } from './types.js';

/** `["kind","name",tagValue]`: one budget instance, unambiguous whatever the names hold. */
const instanceKey = (kind: BudgetKind, name: string, tagValue: string | null) => JSON.stringify([kind, name, tagValue]);
/** The prefix every instance key of one budget starts with. */
const budgetPrefix = (kind: BudgetKind, name: string) => JSON.stringify([kind, name]).slice(0, -1) + ',';

/** One firing: a threshold under one limit (a raised limit re-arms a threshold: a new firing). */
const firing = (threshold: number, limitNano: number) => `${threshold}@${limitNano}`;

/**
 * Which alert thresholds have fired in each budget instance's current period, so a
 * threshold fires once per period and limit also across restarts: loaded from the alerts
 * table at start and consulted before an alert goes out. An admin reset re-arms the
 * instance for its period (alerts fired before a reset do not count when loading). A
 * threshold fired under another limit does not hold back the same threshold under the
 * current one, and one a raised limit re-armed (`rearmThresholds`) fires again under any.
 *
 * Memory: per instance only the latest period's thresholds are kept, and at most
 * `maxInstances` instances (the oldest are forgotten first; the ledger's own counters
 * still keep those from re-firing in this process).
 */
export class AlertBook {
  /** instance key → { periodStart, `threshold@limitNano` fired in it }. */
  private readonly fired = new Map<string, { periodStart: number; thresholds: Set<string> }>();

  constructor(private readonly maxInstances = 100_000) {}

  /** Marks the stored alerts fired, except those a later reset of the same period re-armed. */
  load(alerts: readonly AlertRecord[], resets: readonly BudgetResetRecord[]): void {
    for (const a of alerts) {
      const rearmed = resets.some(
        (r) => r.kind === a.kind && r.budget === a.budget && r.periodStart === a.periodStart && r.resetAt >= a.firedAt && (r.allValues || r.tagValue === a.tagValue),
      );
      if (!rearmed) this.record(instanceKey(a.kind, a.budget, a.tagValue), firing(a.threshold, a.limitNano), a.periodStart);
    }
  }

  /** True (and remembered) when this event's threshold has not fired in its period under its limit yet. */
  admit(e: AlertEvent): boolean {
    return this.record(instanceKey(e.kind, e.name, e.tagValue), firing(e.threshold, e.limitNano), e.periodStart);
  }

  /** Forgets the firings of `periodStart` for one instance, or (tagValue undefined) for every instance of the budget. */
  rearm(kind: BudgetKind, name: string, tagValue: string | null | undefined, periodStart: number): void {
    if (tagValue !== undefined) {
      const key = instanceKey(kind, name, tagValue);
      if (this.fired.get(key)?.periodStart === periodStart) this.fired.delete(key);
      return;
    }
    const prefix = budgetPrefix(kind, name);
    for (const [key, entry] of this.fired) if (key.startsWith(prefix) && entry.periodStart === periodStart) this.fired.delete(key);
  }

  /**
   * Forgets the firings of these thresholds (fractions) for one instance, under any limit: a
   * raised limit put them back above the spend, so they fire again when the spend reaches
   * them, also under a limit they fired under before (a limit lowered back).
   */
  rearmThresholds(kind: BudgetKind, name: string, tagValue: string | null, thresholds: readonly number[]): void {
    const entry = this.fired.get(instanceKey(kind, name, tagValue));
    if (entry === undefined) return;
    for (const fired of [...entry.thresholds]) if (thresholds.some((t) => fired.startsWith(`${t}@`))) entry.thresholds.delete(fired);
  }

  /** @returns false when already recorded. Firings of an older period are dropped; a newer one is never replaced by an older. */
  private record(key: string, threshold: string, periodStart: number): boolean {
    let entry = this.fired.get(key);
    if (entry !== undefined && entry.periodStart > periodStart) return true;
    if (entry === undefined || entry.periodStart < periodStart) {
      if (entry === undefined && this.fired.size >= this.maxInstances) this.forgetOldest();
      entry = { periodStart, thresholds: new Set() };
      this.fired.set(key, entry);
    }
    if (entry.thresholds.has(threshold)) return false;
    entry.thresholds.add(threshold);
    return true;
  }

  private forgetOldest(): void {
    let drop = Math.ceil(this.fired.size / 2);
    for (const key of this.fired.keys()) {
      if (drop-- <= 0) break;
      this.fired.delete(key);
    }
  }
}
