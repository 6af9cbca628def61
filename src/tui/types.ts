import type { BudgetState } from '../budget/types.js';
import type { NanoUsd } from '../lib/money.js';
import type { RowKind, WhereClause } from '../report/types.js';

/**
 * The TUI's data contract. A DashboardSource (the SQLite file, or a running server's
 * admin API) answers one DashboardQuery with one DashboardSnapshot; the components only
 * ever see snapshots, so they never know where the numbers came from.
 *
 * Money is integer nano-USD throughout; times are ms since the epoch (UTC); shares are
 * fractions 0..1.
 */

/** What the screen currently asks for. Built from the UI state by `queryOf` (state.ts). */
export interface DashboardQuery {
  /** A `--since` expression (`30d`, `7d`, `1d`, `this-month`, a date …); until is always "now". */
  since: string;
  /** Dimension of the spend table: a tag key (`tag:NAME` for one named like a built-in) or model, provider, key. */
  dimension: string;
  /** `/` filters: apply to every panel (header, table, trend, tail). */
  filters: WhereClause[];
  /** Drill-down path (`feature=summarizer`, then `model=gpt-4o` …): applies to table, trend and tail. */
  drill: WhereClause[];
}

/** One group of the spend table, as `report --by <dimension>` computes it. */
export interface GroupRow {
  /** Group value (`(none)` for calls without the tag); the pool's is `(other)`, which a tag value may read too. */
  value: string;
  /** `other` for the pool of the groups past the top N, `group` for a group of calls (report/types.ts RowKind): only this tells them apart. */
  kind: RowKind;
  /** Sum of the known costs; 0 when none is known. */
  costNano: NanoUsd;
  calls: number;
  /**
   * Of `calls`, those with a cost. None (with calls): the group's cost is unknown, shown `—`,
   * not $0; fewer than `calls`: costNano is a lower bound, shown `*` (report/known-cost.ts).
   */
  pricedCalls: number;
  /** Fraction of the table's total cost. */
  share: number;
}

/** Header figures for the period (with the `/` filters, without the drill path). */
export interface HeaderFigures {
  costNano: NanoUsd;
  calls: number;
  /** Distinct `user_id` tag values among the period's calls; null when the source cannot tell. */
  activeUsers: number | null;
  /** Calls with known usage and no price (not in costNano). */
  unpricedCalls: number;
  /** Calls served with usage unknown (the answer could not be read): no cost, not in costNano, not unpriced either. */
  unknownUsageCalls?: number;
  /** Calls left out of `calls` because they did not reach the provider (refused, connection never made); null when the source cannot tell. */
  excludedCalls?: number | null;
  /** Spend of the current calendar month so far: the sum of the costs known (as costNano). */
  monthToDateNano: NanoUsd;
  /** Calls of the current calendar month so far, counted as `calls` is (same filters, same reach). */
  monthToDateCalls: number;
  /** Of monthToDateCalls, those with a cost: none of them (with calls) makes month-to-date unknown, fewer a lower bound (report/known-cost.ts). */
  monthToDatePricedCalls: number;
  /** Month-to-date plus the period's average spend rate over the rest of the month (see projection.ts); known as projectionSpend says. */
  projectedMonthNano: NanoUsd;
}

/** One call of the live tail. */
export interface TailCall {
  /** Row id (monotonic); lets the screen tell new calls from old ones. */
  id: number;
  ts: number;
  keyName: string | null;
  model: string | null;
  tags: Record<string, string>;
  /** null = unpriced or usage unknown. */
  costNano: NanoUsd | null;
  /** The answer could not be read: no cost, but not unpriced (shown as `unknown`). */
  usageUnknown?: boolean;
  latencyMs: number;
  status: number;
}

/**
 * A budget gauge: the budget instance's state, and, when the source can tell, how many calls
 * of its current period (after resets) there are and how many have a cost. None of them with
 * a cost: the spend is unknown, shown `—`, not $0; fewer than all: a lower bound, shown `*`
 * (report/known-cost.ts). Absent when the source cannot tell (the admin API's budgets): the
 * spend shows as the ledger's sum.
 */
export interface BudgetGauge extends BudgetState {
  counts?: { calls: number; pricedCalls: number };
}

/** A budget alert that fired (one row of the `alerts` table). */
export interface AlertRow {
  at: number;
  kind: 'key' | 'tag';
  budget: string;
  /** The tag a `per` tag budget's instances are of (null for key budgets and shared tag budgets); with tagValue null, the instance of the calls without it. */
  per: string | null;
  /** The instance's tag value (null for key budgets, shared tag budgets and the `(none)` instance). */
  tagValue: string | null;
  /** The `alert_at` fraction crossed, e.g. 0.8. */
  threshold: number;
  spentNano: NanoUsd;
  limitNano: NanoUsd;
}

/** Spend per day of the period (every day present, quiet days at 0), oldest first. */
export interface TrendPoint {
  /** `YYYY-MM-DD` in the report time zone. */
  day: string;
  /** Sum of the day's known costs. */
  costNano: NanoUsd;
  calls: number;
  /** Of `calls`, those with a cost (as GroupRow.pricedCalls). */
  pricedCalls: number;
}

export interface DashboardSnapshot {
  /** The period the numbers cover, [since, until) in ms, and the zone of its days. */
  range: { since: number; until: number; timeZone: string };
  header: HeaderFigures;
  /** Every dimension the table can cycle through: tag keys seen (`tag:NAME` for one named like a built-in), then model, provider, key. */
  dimensions: string[];
  table: {
    dimension: string;
    rows: GroupRow[];
    totalNano: NanoUsd;
    totalCalls: number;
  };
  trend: TrendPoint[];
  /** Every budget instance in its current period, in source order (the view sorts and filters). */
  budgets: BudgetGauge[];
  /** Latest calls, newest first; null when the source has no call feed (admin API). */
  tail: TailCall[] | null;
  /** Latest alerts, newest first; null when the source has none to offer. */
  alerts: AlertRow[] | null;
  /** Things the user should know about the data (a missing table, an unsupported panel). */
  notes: string[];
}

/** Where the dashboard's numbers come from. `load` must not throw for an empty database. */
export interface DashboardSource {
  /** Human label for the status line, e.g. the database path or the server URL. */
  readonly label: string;
  load(query: DashboardQuery): Promise<DashboardSnapshot>;
  close(): void;
}

/** How many rows a source returns at most (the screen shows what fits). */
export const LIMITS = {
  /** Spend-table groups; the rest is summed into `(other)`, like `report --top`. */
  groups: 50,
  tail: 40,
  alerts: 20,
} as const;
