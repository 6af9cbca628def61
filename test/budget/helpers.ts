import { EstimatePrices } from '../../src/budget/estimate-prices.js';
import { LedgerGate, type GateRequest, type GateResult } from '../../src/budget/gate.js';
import { BudgetLedger, type ReserveResult } from '../../src/budget/ledger.js';
import type { AlertEvent, TagBudget } from '../../src/budget/types.js';
import { createPricer } from '../../src/pricing/pricer.js';
import type { KeyBudget } from '../../src/store/types.js';

export const USD = 1_000_000_000;

export function keyBudget(limitUsd: number, extra: Partial<KeyBudget> = {}): KeyBudget {
  return { limitNano: limitUsd * USD, period: 'month', alertAt: [0.5, 0.8, 1], soft: false, ...extra };
}

export function tagBudget(name: string, limitUsd: number, extra: Partial<TagBudget> = {}): TagBudget {
  return { name, match: {}, limitNano: limitUsd * USD, period: 'day', alertAt: [], soft: false, ...extra };
}

/** A ledger on a movable clock (UTC unless told), recording alerts. */
export function harness(options: { keys?: Record<string, KeyBudget>; tags?: TagBudget[]; timeZone?: string; start?: string; maxInstances?: number } = {}) {
  let now = Date.parse(options.start ?? '2026-11-20T12:00:00Z');
  const alerts: AlertEvent[] = [];
  const ledger = new BudgetLedger({
    clock: () => now,
    timeZone: options.timeZone ?? 'UTC',
    keyBudgets: new Map(Object.entries(options.keys ?? {})),
    tagBudgets: options.tags ?? [],
    onCross: (e) => alerts.push(e),
    ...(options.maxInstances === undefined ? {} : { maxInstances: options.maxInstances }),
  });
  return {
    ledger,
    alerts,
    setTime(iso: string) {
      now = Date.parse(iso);
    },
    advance(ms: number) {
      now += ms;
    },
    now: () => now,
    /** Reserves and, when admitted, settles at once with `real` (defaults to the estimate). */
    call(keyName: string | null, tags: Record<string, string>, estimateUsd: number, realUsd = estimateUsd): ReserveResult {
      const r = ledger.reserve({ keyName, tags, estimateNano: Math.round(estimateUsd * USD) });
      if (r.ok) ledger.settle(r, Math.round(realUsd * USD));
      return r;
    },
  };
}

/** A gate's answer when it decides at once (throws if it waits: the test expected no wait). */
export function now<R>(r: GateResult<R> | Promise<GateResult<R>>): GateResult<R> {
  if (r instanceof Promise) throw new Error('the gate waited');
  return r;
}

/** A chat request on gpt-4o-mini for key `k` as the gate sees it (4,000 prompt bytes, at 2026-11-20 12:00 UTC), with `extra` over it. */
export function gateRequest(extra: Partial<GateRequest> = {}): GateRequest {
  return { keyName: 'k', tags: {}, provider: 'openai', model: 'gpt-4o-mini', promptBytes: 4000, maxOutputTokens: 100, at: Date.parse('2026-11-20T12:00:00Z'), ...extra };
}

/**
 * A gate over one key budget, 'k', of `limitUsd` a month (keyBudget), its clock at `at`,
 * pricing from the pinned catalog, no admission wait: a call that does not fit is refused.
 */
export function keyGate(limitUsd: number, at: number): LedgerGate {
  const ledger = new BudgetLedger({ clock: () => at, timeZone: 'UTC', keyBudgets: new Map([['k', keyBudget(limitUsd)]]) });
  return new LedgerGate(ledger, new EstimatePrices(createPricer()), { admissionWaitMs: 0 });
}

/** How many calls `req` the gate admits at once before it refuses one. */
export function admittedInFlight(gate: LedgerGate, req: GateRequest): number {
  let n = 0;
  for (;;) {
    const r = gate.reserve(req);
    if (r instanceof Promise || !r.ok) return n;
    n++;
  }
}

/**
 * An 80% alert of a day tag budget's instance on 2026-11-20 (UTC), its period ending the next
 * midnight: `free-tier-daily` for `u_42`, $0.40 of $0.50, unless `extra` says otherwise. The id
 * is made of the event's fields, as AlertEvent.id is.
 */
export function dayTagAlert(extra: Partial<AlertEvent> = {}): AlertEvent {
  const periodStart = Date.parse('2026-11-20T00:00:00Z');
  const event: AlertEvent = {
    id: '',
    name: 'free-tier-daily',
    kind: 'tag',
    tagValue: 'u_42',
    threshold: 0.8,
    limitNano: USD / 2,
    spentNano: 0.4 * USD,
    period: 'day',
    periodStart,
    armedFrom: periodStart,
    resetAt: Date.parse('2026-11-21T00:00:00Z'),
    soft: false,
    at: Date.parse('2026-11-20T12:00:00Z'),
    ...extra,
  };
  return { ...event, id: extra.id ?? `${event.kind}:${event.name}:${event.tagValue ?? ''}:${event.threshold}:${periodStart}:${event.limitNano}` };
}
