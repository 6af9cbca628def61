import { nanoToUsd } from '../../lib/money.js';
import { costKnown } from '../../report/known-cost.js';
import { DAY_MS } from '../stats.js';
import type { CostCounts } from '../../store/measures.js';
import type { AuditReport, BudgetForecast, Fact, Finding } from '../types.js';
import { budgetSpends } from './common.js';

/**
 * The audit as one JSON document. Money appears twice where exactness matters: `*_usd`
 * (float dollars, for people and spreadsheets) and `*_nano` (integer nano-USD, exact).
 * Times are ISO 8601 UTC; shares are fractions 0..1. Evidence facts keep their keys
 * (`p95_input_tokens`, `cost_per_free_user_usd`…), with nano values converted to dollars.
 * The top-level `cost_usd` is the scope's spend as report's total gives it: null when none
 * of its calls has a cost, else the sum of the known costs (`priced_calls` of `calls`; fewer
 * makes it a lower bound), and `unpriced` lists the unpriced calls per model, as report does.
 * `total.findings` counts every finding listed (`savings` + `notices`); a budget's
 * `daily_rate_usd` is its spend over the last `rate_window_days` divided by that window;
 * `budgets_left_out` counts, per per-value budget, the instances `budgets` does not list.
 */

function factValue(f: Fact): number | string {
  if (typeof f.value === 'string') return f.value;
  if (f.unit === 'nano') return nanoToUsd(f.value);
  if (f.unit === 'time') return new Date(f.value).toISOString();
  return f.value;
}

function findingJson(f: Finding, rank: number) {
  return {
    rank,
    detector: f.detector,
    kind: f.kind,
    title: f.title,
    scope: f.scope,
    evidence: {
      // null: a figure the finding does not have (Evidence.unknown).
      calls: f.evidence.unknown?.includes('calls') === true ? null : f.evidence.calls,
      // null when none of the calls has a cost (unknown, not $0); priced_calls < calls: a lower bound.
      cost_usd: costKnown(f.evidence) ? nanoToUsd(f.evidence.costNano) : null,
      priced_calls: f.evidence.pricedCalls,
      input_tokens: f.evidence.unknown?.includes('tokens') === true ? null : f.evidence.inputTokens,
      output_tokens: f.evidence.unknown?.includes('tokens') === true ? null : f.evidence.outputTokens,
      ...Object.fromEntries(f.evidence.facts.map((x) => [x.key, factValue(x)])),
    },
    fix: f.fix,
    saving_usd_per_month: nanoToUsd(f.savingPerMonthNano),
    saving_nano_per_month: f.savingPerMonthNano,
    saving_usd_in_window: nanoToUsd(f.savingNano),
    saving_nano_in_window: f.savingNano,
    confidence: f.confidence,
    ...(f.snippet !== undefined ? { snippet: f.snippet } : {}),
    ...(f.dueAt !== undefined ? { due_at: new Date(f.dueAt).toISOString() } : {}),
  };
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** One budget: an amount none of whose calls has a cost is null (unknown, not 0), as report's totals; priced_calls < calls makes spent_usd a lower bound. */
function budgetJson(b: BudgetForecast) {
  const { spent, rate, projected } = budgetSpends(b);
  const amount = (m: CostCounts) => (costKnown(m) ? nanoToUsd(m.costNano) : null);
  return {
    name: b.name,
    scope: b.scope,
    period: b.period,
    soft: b.soft,
    limit_usd: nanoToUsd(b.limitNano),
    spent_usd: amount(spent),
    calls: b.calls,
    priced_calls: b.pricedCalls,
    daily_rate_usd: amount(rate),
    rate_window_days: b.trendMs / DAY_MS,
    projected_usd: amount(projected),
    horizon: new Date(b.horizon).toISOString(),
    // A cap already reached: when it was (reached_at, null when not known), never the time of the audit.
    cap_hit_at: b.reached ? iso(b.reachedAt) : iso(b.hitAt),
    reached: b.reached,
    reached_at: iso(b.reachedAt),
  };
}

export function renderAuditJson(r: AuditReport): string {
  const doc = {
    since: new Date(r.since).toISOString(),
    until: new Date(r.until).toISOString(),
    ...(r.untilAsGiven !== undefined ? { until_as_given: r.untilAsGiven } : {}),
    time_zone: r.timeZone,
    observed_days: r.observedMs / DAY_MS,
    where: r.where,
    calls: r.calls,
    // null when none of the calls has a cost (unknown, not $0), as report's total; priced_calls < calls: a lower bound.
    cost_usd: costKnown(r) ? nanoToUsd(r.costNano) : null,
    priced_calls: r.pricedCalls,
    unpriced: r.unpriced.map((u) => ({ model: u.model, calls: u.calls, provider: u.provider })),
    excluded_calls: r.excluded.map((e) => ({ outcome: e.outcome, calls: e.calls })),
    min_saving_usd_per_month: nanoToUsd(r.minSavingPerMonthNano),
    findings: r.findings.map((f, i) => findingJson(f, i + 1)),
    budgets: r.budgets.map((b) => budgetJson(b)),
    // A per-value budget's instances not in `budgets` (at most 3 are listed): how many, and how many of those are at their cap.
    budgets_left_out: r.budgetsLeftOut.map((l) => ({ budget: l.budget, per: l.per, instances: l.instances, at_cap: l.atCap })),
    total: {
      saving_usd_per_month: nanoToUsd(r.totalPerMonthNano),
      saving_nano_per_month: r.totalPerMonthNano,
      findings: r.findings.length,
      savings: r.findings.filter((f) => f.kind === 'saving').length,
      notices: r.findings.filter((f) => f.kind === 'notice').length,
    },
  };
  return JSON.stringify(doc, null, 2) + '\n';
}
