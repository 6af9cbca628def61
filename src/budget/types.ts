import type { BudgetPeriod } from '../store/types.js';
import type { NanoUsd } from '../lib/money.js';

/**
 * A budget over tags, across keys (config `budgets:`). A call counts when every
 * `match` pair equals its tag. With `per`, there is one independent budget instance per
 * distinct value of that tag (e.g. per `user_id`); calls lacking the `per` tag share one
 * instance whose `tagValue` is null (shown as `(none)`), so omitting the tag is no way
 * around the cap.
 */
export interface TagBudget {
  /** Unique among tag budgets. */
  name: string;
  /** Tag key → required value (all must match); empty = every call. */
  match: Record<string, string>;
  /** Tag key whose distinct values each get their own instance; undefined = one shared instance. */
  per?: string;
  limitNano: NanoUsd;
  period: BudgetPeriod;
  /** Fractions of the limit at which alerts fire, e.g. [0.5, 0.8, 1]. */
  alertAt: number[];
  /** Soft budgets alert but never block. */
  soft: boolean;
}

export type BudgetKind = 'key' | 'tag';

/** Identifies one budget instance: a key's budget, or a tag budget (and, with `per`, its tag value). */
export type BudgetRef = { kind: 'key'; name: string } | { kind: 'tag'; name: string; tagValue?: string | null };

/** Why a call was refused: enough to build the 429 (see budgetExceededError). */
export interface BlockInfo {
  /** Budget name: the key name for key budgets, the `budgets:` entry name for tag budgets. */
  name: string;
  kind: BudgetKind;
  /** The `per` tag key of the blocking budget, if it has one. */
  per: string | null;
  /** The `per` tag value of the blocking instance; null for key budgets, shared instances and calls lacking the tag. */
  tagValue: string | null;
  limitNano: NanoUsd;
  /** Settled spend in the current period. */
  spentNano: NanoUsd;
  /** Estimates of calls in flight in the current period. */
  reservedNano: NanoUsd;
  /** Calls in flight on this budget. */
  inFlight?: number;
  /** Other callers waiting on this budget: never the refused call itself, even when it waited. */
  waiting?: number;
  /** This call's estimate. */
  estimateNano: NanoUsd;
  /** True for a key budget the config declares (`keys.NAME.budget`, which overrides the stored one); set by the gate for its refusal's message. */
  fromConfig?: boolean;
  period: BudgetPeriod;
  /** Start of the next period in ms (when the block lifts); null for `total`. */
  resetAt: number | null;
  /**
   * `exhausted`: spent >= limit (the only refusal for the budget, `budget_exceeded`).
   * `reserved`: spend plus calls in flight (or callers waiting ahead) leave no room for this
   * call now: it waits, and is answered `budget_busy` if the wait runs out.
   */
  reason: 'exhausted' | 'reserved';
  /** When the check ran, ms since the epoch. */
  at: number;
  /**
   * Set for a budget shared by replicas (PostgreSQL): `reservedNano`, `inFlight` and
   * `waiting` are then this replica's; `unreachable` when its shared row could not be
   * reached (the last lease sync failed or went unanswered), so the wait that ran out was
   * for the database, not for room. Absent for a budget of this process alone.
   */
  shared?: { unreachable: boolean };
}

/** One budget instance as shown by `GET /admin/budgets` and the TUI. Amounts in nano-USD. */
export interface BudgetState {
  name: string;
  kind: BudgetKind;
  /** `per` tag value (null for key budgets, shared tag budgets and the `(none)` instance). */
  tagValue: string | null;
  /** The `per` tag key, when the budget has one. */
  per: string | null;
  spentNano: NanoUsd;
  reservedNano: NanoUsd;
  /** Calls admitted in the current period and not yet settled. */
  inFlight: number;
  /** Callers this budget holds back, waiting for calls in flight to settle (admission.ts). */
  waiting: number;
  limitNano: NanoUsd;
  period: BudgetPeriod;
  /** Start of the current period, ms. */
  periodStart: number;
  /** Start of the next period, ms; null for `total`. */
  resetAt: number | null;
  soft: boolean;
  /** True when a hard budget's spend has reached its limit (new calls are refused). */
  blocked: boolean;
  /**
   * ms the spend counts from: the period start, or the latest admin reset of the period
   * known to this replica. Set by the ledger (GET /admin/budgets compares it with the shared
   * row's reset); absent in states read back from the admin API.
   */
  countsFrom?: number;
}

/** Fired once per (budget instance, threshold, period) when settled spend reaches `threshold * limit`. */
export interface AlertEvent {
  /**
   * Stable id for receivers to de-duplicate webhook retries, the same on every replica that
   * sees the crossing: `kind:name[:tagValue]:threshold:periodStart:limitNano[:armedFrom]`
   * (ms since the epoch). A changed limit makes a new id; `:armedFrom` is there only when an
   * admin reset or a falling spend in the period re-armed the threshold (armedFrom >
   * periodStart), so an alert fired again is not taken for the first, and one never re-armed
   * keeps the id it had before.
   */
  id: string;
  name: string;
  kind: BudgetKind;
  /** The tag a `per` budget's instances are of (null otherwise); with tagValue null, the instance of the calls without it. */
  per?: string | null;
  tagValue: string | null;
  /** The `alert_at` fraction crossed, e.g. 0.8. */
  threshold: number;
  limitNano: NanoUsd;
  /** Settled spend right after the crossing. */
  spentNano: NanoUsd;
  period: BudgetPeriod;
  periodStart: number;
  /**
   * ms the threshold was armed from: the period start or, after an admin reset in the period,
   * the reset (the counter's countsFrom); for a threshold re-armed by a falling spend whose
   * firing would repeat an earlier one's identity, 1 past the highest armedFrom it fired with
   * in the period (alert-book.ts), so every firing has its own stored row and webhook id.
   */
  armedFrom: number;
  resetAt: number | null;
  soft: boolean;
  /** When the crossing was observed, ms. */
  at: number;
  /**
   * True when the spend fell back below this threshold after it fired in this period (a
   * reprice down, a raised limit): this crossing is a new alert. When its identity is taken
   * by the earlier firing, the alert book moves `armedFrom` (and `id`) past it (alert-book.ts).
   */
  rearmed?: boolean;
}

/** A call as read back from the store to rebuild spend at start (cost null = unpriced = 0). */
export interface SeedCall {
  ts: number;
  keyName: string | null;
  tags: Readonly<Record<string, string>>;
  costNano: NanoUsd | null;
}

/** One repriced call's cost change (`prices reprice`: a reprice_spend row); ids increase in commit order. */
export interface RepricedSpend {
  id: number;
  ts: number;
  keyName: string | null;
  tags: Readonly<Record<string, string>>;
  /** New cost − old cost, integer nano-USD; may be negative. */
  deltaNano: NanoUsd;
}

/** Pre-aggregated spend of one budget instance in one period (e.g. from a SQL GROUP BY). */
export interface SeedSpend {
  ref: BudgetRef;
  /** Start of the period the spend belongs to, ms; ignored unless it is the instance's current period. */
  periodStart: number;
  spentNano: NanoUsd;
}
