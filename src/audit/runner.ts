import type { TagBudget } from '../budget/types.js';
import type { NanoUsd } from '../lib/money.js';
import type { Pricer } from '../pricing/pricer.js';
import { defaultReach } from '../report/reach.js';
import type { ExcludedCalls, WhereClause } from '../report/types.js';
import { isReached } from '../store/reached.js';
import type { ReconcileRunRecord } from '../store/reconcile-runs.js';
import type { Store } from '../store/facade.js';
import { forecastBudgets } from './budget-forecasts.js';
import { groupBy, totals, unpricedModels, type AuditCall } from './calls.js';
import { batch } from './detectors/batch.js';
import { budgetForecast } from './detectors/budget-forecast.js';
import { caching } from './detectors/caching.js';
import { freeTier } from './detectors/free-tier.js';
import { modelDowngrade } from './detectors/model-downgrade.js';
import { outputLimits } from './detectors/output-limits.js';
import { oversizedPrompts } from './detectors/oversized-prompts.js';
import { unmeteredTraffic } from './detectors/unmetered-traffic.js';
import { unpriced } from './detectors/unpriced.js';
import { waste } from './detectors/waste.js';
import { DAY_MS, MONTH_MS } from './stats.js';
import type { AuditContext, AuditReport, Detector, Finding, KeyBudgetRef } from './types.js';

/** Every detector, in run order (also the tie-break order of equal savings). */
export const DETECTORS: readonly Detector[] = [
  modelDowngrade,
  oversizedPrompts,
  caching,
  outputLimits,
  freeTier,
  budgetForecast,
  waste,
  batch,
  unpriced,
  unmeteredTraffic,
];

/** Upper bound of the default floor for a saving to be reported: $1.00 per month. */
export const DEFAULT_MIN_SAVING_PER_MONTH_NANO: NanoUsd = 1_000_000_000;

/**
 * The default floor: 0.5% of the monthly spend, between $0.01 and $1.00 per month, so a
 * small account still sees its patterns and a large one is not buried in cents.
 */
export function defaultMinSaving(monthlySpendNano: NanoUsd): NanoUsd {
  return Math.min(DEFAULT_MIN_SAVING_PER_MONTH_NANO, Math.max(10_000_000, Math.round(monthlySpendNano * 0.005)));
}

/** What an audit needs. Times in ms since the epoch; the window is [since, until). */
export interface AuditInput {
  /** The calls of the window, and budget spend (read before any detector runs). */
  store: Pick<Store, 'calls' | 'budgets'>;
  pricer: Pricer;
  since: number;
  until: number;
  /** `--until` as typed when it was a date (see AuditReport.untilAsGiven). */
  untilAsGiven?: string;
  now: number;
  timeZone: string;
  where: readonly WhereClause[];
  keyBudgets: readonly KeyBudgetRef[];
  tagBudgets: readonly TagBudget[];
  batchTags: readonly WhereClause[];
  /** Savings below this per month are left out (notices are always kept). Default: defaultMinSaving(monthly spend). */
  minSavingPerMonthNano?: NanoUsd;
  /** Detectors to run; default DETECTORS. */
  detectors?: readonly Detector[];
  /** The newest reconcile outcome per provider (store/reconcile-runs.ts); default none. */
  reconcileRuns?: readonly ReconcileRunRecord[];
}

/**
 * Runs the detectors over the window and ranks their findings: savings by monthly saving
 * (largest first; ties in detector order, then title), then notices (earliest `dueAt`
 * first, then most calls). Savings under the floor are dropped. The total is the plain sum
 * of the kept monthly savings.
 *
 * The report's calls and spend are report's (report/reach.ts): the calls that reached the
 * provider unless `where` names `outcome`; the others are counted per outcome in
 * `excluded`. Detectors see every call of the scope (waste looks at failed calls), and
 * each says in its finding which calls it counts.
 */
export async function runAudit(input: AuditInput): Promise<AuditReport> {
  const ctx = await buildContext(input);
  const detectors = input.detectors ?? DETECTORS;
  const reached = defaultReach(input.where) === 'reached';
  const counted = reached ? ctx.calls.filter(isReached) : ctx.calls;
  const t = totals(counted);
  const min = input.minSavingPerMonthNano ?? defaultMinSaving(Math.round((t.costNano * 30 * DAY_MS) / ctx.observedMs));
  const all = detectors.flatMap((d) => d.run(ctx));
  const order = (f: Finding) => DETECTORS.findIndex((d) => d.id === f.detector);
  const savings = all
    .filter((f) => f.kind === 'saving' && f.savingPerMonthNano > 0 && f.savingPerMonthNano >= min)
    .sort((a, b) => b.savingPerMonthNano - a.savingPerMonthNano || order(a) - order(b) || a.title.localeCompare(b.title));
  const notices = all
    .filter((f) => f.kind === 'notice')
    .sort((a, b) => (a.dueAt ?? Infinity) - (b.dueAt ?? Infinity) || order(a) - order(b) || b.evidence.calls - a.evidence.calls);
  return {
    since: input.since,
    until: input.until,
    ...(input.untilAsGiven !== undefined ? { untilAsGiven: input.untilAsGiven } : {}),
    timeZone: input.timeZone,
    observedMs: ctx.observedMs,
    calls: t.calls,
    costNano: t.costNano,
    pricedCalls: t.pricedCalls,
    unpriced: unpricedModels(counted),
    excluded: reached ? excludedCalls(ctx.calls) : [],
    findings: related([...savings, ...notices], detectors),
    budgets: [...ctx.budgetForecasts],
    budgetsLeftOut: [...ctx.budgetsLeftOut],
    totalPerMonthNano: savings.reduce((s, f) => s + f.savingPerMonthNano, 0),
    where: input.where,
    minSavingPerMonthNano: min,
  };
}

/** `ranked` with each finding passed through its detector's `relate`, which sees the whole ranked list. */
function related(ranked: readonly Finding[], detectors: readonly Detector[]): Finding[] {
  return ranked.map((f) => detectors.find((d) => d.id === f.detector)?.relate?.(f, ranked) ?? f);
}

/** The calls that did not reach the provider, per outcome, most first (as report/query.ts lists them). */
function excludedCalls(calls: readonly AuditCall[]): ExcludedCalls[] {
  return [...groupBy(calls, (c) => (isReached(c) ? null : c.outcome))]
    .map(([outcome, list]) => ({ outcome, calls: list.length }))
    .sort((a, b) => b.calls - a.calls || (a.outcome < b.outcome ? -1 : 1));
}

async function buildContext(input: AuditInput): Promise<AuditContext> {
  const { store } = input;
  const calls = await store.calls.list({ since: input.since, until: input.until, where: input.where, timeZone: input.timeZone });
  const firstCallTs = await store.calls.firstCallAt();
  // Savings scale over the part of the window the audited scope existed in: with --where,
  // since its first matching call (a feature launched 6 days ago has 6 days of data, not
  // the database's 90); budgets ignore --where and keep the whole log's first call.
  const scopeFirstCallTs = input.where.length === 0 ? firstCallTs : await store.calls.firstCallAt(input.where);
  const observedMs = Math.max(DAY_MS, input.until - Math.max(input.since, scopeFirstCallTs ?? input.since));
  const { forecasts: budgetForecasts, leftOut: budgetsLeftOut } = await forecastBudgets({ now: input.now, timeZone: input.timeZone, firstCallTs, keyBudgets: input.keyBudgets, tagBudgets: input.tagBudgets }, store.budgets);
  return {
    calls,
    pricer: input.pricer,
    since: input.since,
    until: input.until,
    now: input.now,
    timeZone: input.timeZone,
    observedMs,
    perMonth: (nano) => Math.round((nano * MONTH_MS) / observedMs),
    keyBudgets: input.keyBudgets,
    tagBudgets: input.tagBudgets,
    batchTags: input.batchTags,
    firstCallTs,
    reconcileRuns: input.reconcileRuns ?? [],
    budgetForecasts,
    budgetsLeftOut,
  };
}
