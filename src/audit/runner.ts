import type { TagBudget } from '../budget/types.js';
import type { NanoUsd } from '../lib/money.js';
import type { Pricer } from '../pricing/pricer.js';
import { joinFragments } from '../store/read/scope.js';
import type { WhereClause } from '../report/types.js';
import type { SqlDriver, SqlValue } from '../store/types.js';
import { forecastBudgets } from './budget-forecasts.js';
import { loadAuditCalls, totals } from './calls.js';
import { batch } from './detectors/batch.js';
import { budgetForecast } from './detectors/budget-forecast.js';
import { caching } from './detectors/caching.js';
import { freeTier } from './detectors/free-tier.js';
import { modelDowngrade } from './detectors/model-downgrade.js';
import { outputLimits } from './detectors/output-limits.js';
import { oversizedPrompts } from './detectors/oversized-prompts.js';
import { unpriced } from './detectors/unpriced.js';
import { waste } from './detectors/waste.js';
import { DAY_MS, MONTH_MS } from './stats.js';
import type { AuditContext, AuditReport, BudgetFilter, Detector, Finding, KeyBudgetRef } from './types.js';

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
  driver: SqlDriver;
  pricer: Pricer;
  since: number;
  until: number;
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
}

/**
 * Runs the detectors over the window and ranks their findings: savings by monthly saving
 * (largest first; ties in detector order, then title), then notices (earliest `dueAt`
 * first, then most calls). Savings under the floor are dropped. The total is the plain sum
 * of the kept monthly savings.
 */
export function runAudit(input: AuditInput): AuditReport {
  const ctx = buildContext(input);
  const detectors = input.detectors ?? DETECTORS;
  const t = totals(ctx.calls);
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
    timeZone: input.timeZone,
    observedMs: ctx.observedMs,
    calls: t.calls,
    costNano: t.costNano,
    findings: [...savings, ...notices],
    budgets: forecastBudgets(ctx),
    totalPerMonthNano: savings.reduce((s, f) => s + f.savingPerMonthNano, 0),
    where: input.where,
    minSavingPerMonthNano: min,
  };
}

function buildContext(input: AuditInput): AuditContext {
  const { driver } = input;
  const calls = loadAuditCalls(driver, { since: input.since, until: input.until, where: [...input.where], timeZone: input.timeZone });
  const firstCallTs = driver.prepare('SELECT MIN(ts) AS ts FROM calls').get<{ ts: number | null }>()?.ts ?? null;
  const observedMs = Math.max(DAY_MS, input.until - Math.max(input.since, firstCallTs ?? input.since));
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
    budgetSpend: (filter, from, to) => budgetSpend(driver, filter, from, to),
  };
}

interface SpendRow {
  tag_value: string | null;
  calls: number;
  cost: number;
  input_tokens: number | null;
  output_tokens: number | null;
}

/** Spend of a budget's calls in [from, to), one row per instance that has calls (see AuditContext.budgetSpend). */
function budgetSpend(driver: SqlDriver, filter: BudgetFilter, from: number, to: number) {
  const select = 'COUNT(*) AS calls, COALESCE(SUM(c.cost_nano), 0) AS cost, SUM(c.input_tokens) AS input_tokens, SUM(c.output_tokens) AS output_tokens';
  let q;
  if (filter.kind === 'key') {
    q = joinFragments({ sql: `SELECT NULL AS tag_value, ${select} FROM calls c WHERE c.key_name = ? AND c.ts >= ? AND c.ts < ?`, params: [filter.name, from, to] });
  } else {
    const params: SqlValue[] = [];
    let sql = `SELECT ${filter.per !== undefined ? 'p.value' : 'NULL'} AS tag_value, ${select} FROM calls c`;
    if (filter.per !== undefined) {
      sql += ' LEFT JOIN call_tags p ON p.call_id = c.id AND p.key = ?';
      params.push(filter.per);
    }
    sql += ' WHERE c.ts >= ? AND c.ts < ?';
    params.push(from, to);
    for (const [k, v] of Object.entries(filter.match)) {
      sql += ' AND c.id IN (SELECT call_id FROM call_tags WHERE key = ? AND value = ?)';
      params.push(k, v);
    }
    if (filter.per !== undefined) sql += ' GROUP BY p.value';
    q = { sql, params };
  }
  return driver
    .prepare(q.sql)
    .all<SpendRow>(...q.params)
    .filter((r) => r.calls > 0)
    .map((r) => ({ tagValue: r.tag_value, calls: r.calls, costNano: r.cost, inputTokens: r.input_tokens ?? 0, outputTokens: r.output_tokens ?? 0 }));
}
