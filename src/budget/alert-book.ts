import type { AlertRecord, BudgetResetRecord } from '../store/types.js';
import { alertId } from './counter-reports.js';
import type { AlertEvent, BudgetKind } from './types.js';

/** `["kind","name",tagValue]`: one budget instance, unambiguous whatever the names hold. */
const instanceKey = (kind: BudgetKind, name: string, tagValue: string | null) => JSON.stringify([kind, name, tagValue]);
/** The prefix every instance key of one budget starts with. */
const budgetPrefix = (kind: BudgetKind, name: string) => JSON.stringify([kind, name]).slice(0, -1) + ',';

/** One firing: its identity within an instance's period, as the store's unique index has it (a threshold, under one limit, armed from one ms). */
const firing = (threshold: number, limitNano: number, armedFrom: number) => `${threshold}@${limitNano}@${armedFrom}`;

/**
 * Which alert thresholds have fired in each budget instance's current period, so a
 * threshold fires once per period and limit also across restarts: loaded from the alerts
 * table at start and consulted before an alert goes out (`take`). An admin reset re-arms the
 * instance for its period (alerts fired before a reset do not count when loading). A
 * threshold fired under another limit does not hold back the same threshold under the
 * current one.
 *
 * Re-armed by a falling spend (AlertEvent.rearmed: a reprice down, a raised limit), a
 * threshold fires again as a new alert: when its identity (threshold, limit, armedFrom) has
 * fired already, `take` moves its armedFrom to 1 past the highest one the threshold fired
 * with in the period, under any limit. That depends only on the firings known (stored, or
 * seen crossing), so replicas that saw the same alerts give it the same id, and the store's
 * claim still lets one of them send it. A crossing not re-armed whose identity fired is held
 * back (a restart, a replayed reprice).
 *
 * Memory: per instance only the latest period's thresholds are kept, and at most
 * `maxInstances` instances (the oldest are forgotten first; the ledger's own counters
 * still keep those from re-firing in this process).
 */
export class AlertBook {
  /** instance key → { periodStart, `threshold@limitNano@armedFrom` fired in it }. */
  private readonly fired = new Map<string, { periodStart: number; thresholds: Set<string> }>();

  constructor(private readonly maxInstances = 100_000) {}

  /** Marks the stored alerts fired, except those a later reset of the same period re-armed. */
  load(alerts: readonly AlertRecord[], resets: readonly BudgetResetRecord[]): void {
    for (const a of alerts) {
      const rearmed = resets.some(
        (r) => r.kind === a.kind && r.budget === a.budget && r.periodStart === a.periodStart && r.resetAt >= a.firedAt && (r.allValues || r.tagValue === a.tagValue),
      );
      if (!rearmed) this.record(instanceKey(a.kind, a.budget, a.tagValue), firing(a.threshold, a.limitNano, a.armedFrom), a.periodStart);
    }
  }

  /** True (and remembered) when this event's identity has not fired in its period yet (`take` without moving a re-armed one). */
  admit(e: AlertEvent): boolean {
    return this.record(instanceKey(e.kind, e.name, e.tagValue), firing(e.threshold, e.limitNano, e.armedFrom), e.periodStart);
  }

  /**
   * The alert to send for this crossing (remembered as fired), or null when it fired already.
   * A re-armed crossing (`e.rearmed`) whose identity fired is sent with its armedFrom (and id)
   * moved past every firing of its threshold in the period.
   */
  take(e: AlertEvent): AlertEvent | null {
    const key = instanceKey(e.kind, e.name, e.tagValue);
    const entry = this.fired.get(key);
    let event = e;
    if (e.rearmed === true && entry?.periodStart === e.periodStart && entry.thresholds.has(firing(e.threshold, e.limitNano, e.armedFrom))) {
      let latest = e.armedFrom;
      for (const f of entry.thresholds) {
        const [threshold, , armedFrom] = f.split('@');
        if (Number(threshold) === e.threshold) latest = Math.max(latest, Number(armedFrom));
      }
      event = { ...e, armedFrom: latest + 1 };
      event.id = alertId(event);
    }
    return this.admit(event) ? event : null;
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
