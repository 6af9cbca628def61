import type { NanoUsd } from '../lib/money.js';
import type { BudgetPeriod } from '../store/types.js';
import type { AlertEvent, BlockInfo, BudgetKind, BudgetState } from './types.js';

/**
 * What a budget counter (counter.ts BudgetCounter) reports about itself: the refusal of a
 * call (BlockInfo, for the 429 and the wait's answer), its state (BudgetState, for
 * snapshots, metrics and GET /admin/budgets) and the alert event of a threshold it
 * crossed (AlertEvent, with the alert's id). Built only when one is needed (a refusal, a
 * snapshot, a crossing): never on an admitted call's path.
 */

/** The fields of a BudgetCounter that its reports read (money in nano-USD, times in ms). */
export interface CounterFields {
  readonly name: string;
  readonly kind: BudgetKind;
  readonly per: string | null;
  readonly tagValue: string | null;
  readonly limitNano: NanoUsd;
  readonly spentNano: NanoUsd;
  readonly reservedNano: NanoUsd;
  readonly inFlight: number;
  readonly waiting: number;
  readonly period: BudgetPeriod;
  readonly periodStart: number;
  readonly periodEnd: number;
  readonly countsFrom: number;
  readonly soft: boolean;
  /** A shared budget's lease: `fresh` when its spend was read from the shared row lately, `unreachable` when the row could not be reached. */
  readonly share: { readonly fresh: boolean; readonly unreachable: boolean } | null;
}

/** When the counter's period ends (ms); null for the `total` period, which never does. */
function resetAtOf(c: CounterFields): number | null {
  return c.periodEnd === Infinity ? null : c.periodEnd;
}

/** Why `c` refuses (or holds back) a call with this estimate, at `at` (ms). */
export function blockInfo(c: CounterFields, estimateNano: NanoUsd, at: number): BlockInfo {
  return {
    name: c.name,
    kind: c.kind,
    per: c.per,
    tagValue: c.tagValue,
    limitNano: c.limitNano,
    spentNano: c.spentNano,
    reservedNano: c.reservedNano,
    inFlight: c.inFlight,
    waiting: c.waiting,
    estimateNano,
    period: c.period,
    resetAt: resetAtOf(c),
    // A shared budget's spend read too long ago is read again before a refusal (lease-share.ts).
    reason: c.spentNano >= c.limitNano && (c.share === null || c.share.fresh) ? 'exhausted' : 'reserved',
    at,
    ...(c.share === null ? {} : { shared: { unreachable: c.share.unreachable } }),
  };
}

/** The counter's spend, holds and period as the admin API, metrics and TUI show them. */
export function budgetState(c: CounterFields): BudgetState {
  return {
    name: c.name,
    kind: c.kind,
    tagValue: c.tagValue,
    per: c.per,
    spentNano: c.spentNano,
    reservedNano: c.reservedNano,
    inFlight: c.inFlight,
    waiting: c.waiting,
    limitNano: c.limitNano,
    period: c.period,
    periodStart: c.periodStart,
    resetAt: resetAtOf(c),
    soft: c.soft,
    blocked: !c.soft && c.spentNano >= c.limitNano,
    countsFrom: Math.max(c.countsFrom, c.periodStart),
  };
}

/**
 * An alert's id (AlertEvent.id): the budget instance, threshold, period start and limit,
 * and `armedFrom` when it is past the period start (re-armed in the period), so the id of
 * an alert never re-armed stays as it was.
 */
export function alertId(e: Pick<AlertEvent, 'kind' | 'name' | 'tagValue' | 'threshold' | 'periodStart' | 'limitNano' | 'armedFrom'>): string {
  const instance = e.tagValue === null ? '' : `:${e.tagValue}`;
  const rearmed = e.armedFrom > e.periodStart ? `:${e.armedFrom}` : '';
  return `${e.kind}:${e.name}${instance}:${e.threshold}:${e.periodStart}:${e.limitNano}${rearmed}`;
}

/**
 * The alert of `threshold` (a fraction of the limit) crossed at `at` (ms), armed from the
 * admin reset that re-armed it when there was one in this period (`armedFrom`, alertId): the
 * same crossing has the same id on every replica. `rearmed`: the spend fell back below the
 * threshold since it last fired (the alert book gives it its own identity, alert-book.ts).
 */
export function alertEvent(c: CounterFields, threshold: number, at: number, rearmed = false): AlertEvent {
  return {
    id: alertId({ kind: c.kind, name: c.name, tagValue: c.tagValue, threshold, periodStart: c.periodStart, limitNano: c.limitNano, armedFrom: c.countsFrom }),
    name: c.name,
    kind: c.kind,
    per: c.per,
    tagValue: c.tagValue,
    threshold,
    limitNano: c.limitNano,
    spentNano: c.spentNano,
    period: c.period,
    periodStart: c.periodStart,
    armedFrom: c.countsFrom,
    resetAt: resetAtOf(c),
    soft: c.soft,
    at,
    ...(rearmed ? { rearmed } : {}),
  };
}
