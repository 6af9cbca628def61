import type { ReconcileRunRecord } from '../store/reconcile-runs.js';
import type { BudgetPeriod, KeyBudget } from '../store/types.js';
import type { NanoUsd } from '../lib/money.js';
import type { Pricer } from '../pricing/pricer.js';
import type { CapSetting } from '../budget/raise-hint.js';
import type { TagBudget } from '../budget/types.js';
import type { ExcludedCalls, WhereClause } from '../report/types.js';
import type { UnpricedModel } from '../store/read/report/types.js';
import type { AuditCall } from './calls.js';

/**
 * The cost audit's vocabulary: what a detector sees (AuditContext) and what it returns
 * (Finding). Money is integer nano-USD throughout; token counts are whole tokens;
 * times are ms since the epoch (UTC).
 */

/** Stable detector ids, in the order the runner runs them (also the tie-break order). */
export type DetectorId =
  | 'model-downgrade'
  | 'oversized-prompts'
  | 'caching'
  | 'output-limits'
  | 'free-tier'
  | 'budget-forecast'
  | 'waste'
  | 'batch'
  | 'unpriced'
  | 'unmetered-traffic';

export type ConfidenceLevel = 'high' | 'medium' | 'low';

export interface Confidence {
  level: ConfidenceLevel;
  /** One sentence: why this level (what the estimate assumes or what is measured). */
  reason: string;
}

/** A named measurement behind a finding. `nano` values are nano-USD; `share` is 0..1; `time` is ms since the epoch. */
export interface Fact {
  /** snake_case JSON key, e.g. `p95_input_tokens`, `free_cost_share`, `cost_per_free_user_usd`. */
  key: string;
  /** What people read, e.g. `input p95`. */
  label: string;
  value: number | string;
  unit: 'tokens' | 'count' | 'nano' | 'share' | 'ms' | 'time' | 'text';
}

/** What a finding is based on. The first five are sums over `calls` (the calls the finding is about). */
export interface Evidence {
  calls: number;
  /**
   * Stored cost of those calls (the same numbers `tokometer report` shows): the sum over the
   * calls that have a cost. Unknown (shown `—`, null in JSON) when none of them has one, a
   * lower bound when some have none (report/known-cost.ts).
   */
  costNano: NanoUsd;
  /** How many of `calls` have a stored cost (priced, or not metered at 0); ≤ calls. */
  pricedCalls: number;
  inputTokens: number;
  outputTokens: number;
  facts: Fact[];
  /**
   * Figures the finding does not have (a reconcile run stores no token counts, and no request
   * counts for a provider that reports none): left out of the evidence line, null in JSON.
   * Their fields above are then 0 and mean nothing. Absent: every figure is known.
   */
  unknown?: ReadonlyArray<'calls' | 'tokens'>;
}

/**
 * One recommendation. `kind: 'saving'` findings carry a positive estimated saving;
 * `kind: 'notice'` findings (budget forecasts, unpriced models) carry none (0) and rank
 * after every saving.
 */
export interface Finding {
  detector: DetectorId;
  kind: 'saving' | 'notice';
  title: string;
  /** Where it applies, e.g. `{feature: 'summarizer', model: 'gpt-4o'}`, `{budget: 'acme'}`. Insertion order is display order. */
  scope: Record<string, string>;
  evidence: Evidence;
  /** The concrete change to make, in one or two sentences. */
  fix: string;
  /** Estimated saving over the audited window, nano-USD (0 for notices). */
  savingNano: NanoUsd;
  /** The same saving normalised to 30 days (see AuditContext.perMonth), nano-USD. */
  savingPerMonthNano: NanoUsd;
  confidence: Confidence;
  /** Ready-to-paste config (YAML) when the fix is a config change. */
  snippet?: string;
  /** Urgency among notices, ms since the epoch (earlier = more urgent); notices without one sort last. */
  dueAt?: number;
}

/** A key's budget as the proxy enforces it (stored key merged with its YAML declaration). */
export interface KeyBudgetRef {
  name: string;
  budget: KeyBudget;
  /** True when the config declares this budget (`keys.NAME.budget`, which wins over the stored one): the advice then names the config, not `keys set`. */
  fromConfig?: boolean;
}

/** Everything a detector may read. Built once per audit by the runner. */
export interface AuditContext {
  /** Calls in the audited window [since, until) and `--where` scope, sorted by ts (then id). */
  calls: readonly AuditCall[];
  pricer: Pricer;
  since: number;
  /** Exclusive end of the window, ms. */
  until: number;
  /** The clock's now, ms: budget forecasts start here (they use the budgets' own periods, not the window). */
  now: number;
  timeZone: string;
  /**
   * Saving over the window → saving per 30 days: `round(nano × 30 days / observedMs)`,
   * where observedMs = until − max(since, first call ever stored that matches `--where`;
   * without `--where` the first call ever stored), at least one day.
   */
  perMonth(nano: NanoUsd): NanoUsd;
  /** Length of the observed part of the window (see perMonth), ms. */
  observedMs: number;
  keyBudgets: readonly KeyBudgetRef[];
  tagBudgets: readonly TagBudget[];
  /** `--batch-tag k=v` filters naming latency-tolerant traffic; empty = name heuristics only. */
  batchTags: readonly WhereClause[];
  /** First call ever stored, ms; null when the store is empty. */
  firstCallTs: number | null;
  /** The newest `tokometer reconcile` outcome of each provider (any window). */
  reconcileRuns: readonly ReconcileRunRecord[];
  /** Where every budget is heading (budget-forecasts.ts), read before the detectors run. */
  budgetForecasts: readonly BudgetForecast[];
  /** Per-value budgets' instances not among budgetForecasts, per budget (budget-forecasts.ts). */
  budgetsLeftOut: readonly BudgetInstancesLeftOut[];
}

/** Where one budget instance is heading in its current period (see budget-forecasts.ts). Money in nano-USD, times in ms. */
export interface BudgetForecast {
  /** For people: `key acme`, `budget free-daily (user_id=u_1)`. */
  name: string;
  /** Where its cap is set (a stored key, a key the config declares, a `budgets:` entry): what the advice tells to raise. */
  cap: CapSetting;
  /** `{key}` or `{budget}`, plus the `per` tag and its value for per-value budgets. */
  scope: Record<string, string>;
  period: BudgetPeriod;
  soft: boolean;
  limitNano: NanoUsd;
  spentNano: NanoUsd;
  /** Spend expected by `horizon` at the recent daily rate. */
  projectedNano: NanoUsd;
  dailyRateNano: NanoUsd;
  /** End of the current period; for `total` budgets now + 30 days. */
  horizon: number;
  /** False for `total` budgets (the horizon is not a period end). */
  periodEnds: boolean;
  /** When spend reaches the limit: reachedAt (now when that is not known) when already reached; null when the projection stays below it. */
  hitAt: number | null;
  reached: boolean;
  /** When a cap already reached was reached: the ts of the call whose cost brought the period's spend to the limit; null when not reached, or not known (calls pruned). */
  reachedAt: number | null;
  /** Length of the window the rate was measured on, ms: never below one day (see budget-forecasts.ts). */
  trendMs: number;
  /** Age of the call log (now − first call), ms: how much history backs the projection. */
  historyMs: number;
  /** Calls and tokens of the instance in the current period so far. */
  calls: number;
  /** Of `calls`, those with a cost: spentNano is unknown when none has one, a lower bound when some have none (report/known-cost.ts). */
  pricedCalls: number;
  /** Calls of the rate's window (trendMs before now), and those with a cost: the same for dailyRateNano. */
  rateCalls: number;
  ratePricedCalls: number;
  inputTokens: number;
  outputTokens: number;
}

/**
 * The instances of one per-value budget left out of the budget list (budget-forecasts.ts
 * MAX_INSTANCES): how many, and how many of those are at or over their cap.
 */
export interface BudgetInstancesLeftOut {
  /** The tag budget's name (`free-user-daily`). */
  budget: string;
  /** Its `per` tag (`user_id`). */
  per: string;
  /** Its `match` pairs, for the command that lists every instance. */
  match: Readonly<Record<string, string>>;
  period: BudgetPeriod;
  /** Instances that spent something this period and are not listed; > 0. */
  instances: number;
  /** Of `instances`, those at or over their cap; ≤ instances. */
  atCap: number;
}

/** One detector: pure over the context; returns its findings in no particular order. */
export interface Detector {
  id: DetectorId;
  run(ctx: AuditContext): Finding[];
  /**
   * Optional: `finding` (one of this detector's) again once the runner has ranked every
   * finding kept (`ranked`, rank = index + 1), for a fix that points at other findings by
   * where they stand. Pure; returns `finding` itself when there is nothing to add.
   */
  relate?(finding: Finding, ranked: readonly Finding[]): Finding;
}

/** The audit's result, before formatting. */
export interface AuditReport {
  since: number;
  until: number;
  /** `--until` as typed when it was a date (inclusive: `until` is the next local midnight); shown instead of `until`. */
  untilAsGiven?: string;
  timeZone: string;
  observedMs: number;
  /**
   * Calls and stored cost in the audited scope, counted as report counts them: the calls
   * that reached the provider, unless `where` names `outcome` (report/reach.ts).
   */
  calls: number;
  /** Sum of the costs of `calls` that have one: unknown when none has (pricedCalls 0), a lower bound when some have none (report/known-cost.ts). */
  costNano: NanoUsd;
  /** How many of `calls` have a cost (priced, or not metered at 0); ≤ calls. */
  pricedCalls: number;
  /** The unpriced ones among `calls`, per model and provider, most first (calls.ts unpricedModels): what costNano leaves out, beside the calls of unknown usage. */
  unpriced: UnpricedModel[];
  /** Calls of the scope left out of `calls` because they did not reach the provider, per outcome, most first; empty when `where` names `outcome`. */
  excluded: ExcludedCalls[];
  /** Ranked: savings by savingPerMonthNano descending, then notices (rank = index + 1). */
  findings: Finding[];
  /** Every budget's forecast (at risk or not), in config order; a per-value budget's MAX_INSTANCES instances at most. */
  budgets: BudgetForecast[];
  /** The per-value budgets' instances left out of `budgets`, per budget in config order; empty when none. */
  budgetsLeftOut: BudgetInstancesLeftOut[];
  /** Sum of savingPerMonthNano over the findings (fixes on the same calls overlap; see the formats' footnote). */
  totalPerMonthNano: NanoUsd;
  where: readonly WhereClause[];
  /** Saving findings below this monthly saving were left out, nano-USD. */
  minSavingPerMonthNano: NanoUsd;
}
