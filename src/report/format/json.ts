import { NANO_PER_USD } from '../../lib/money.js';
import type { CostCounts } from '../../store/measures.js';
import { costKnown } from '../known-cost.js';
import type { ReportMetrics, SpendReport } from '../types.js';
import type { UnitEconomics } from '../unit-economics.js';

/**
 * The report as one JSON document, SPEC §7:
 *
 * {"since","until"[,"until_as_given"],"time_zone","by","where","key","top",
 *  "rows":[{"group":{dim:value},"kind","cost_usd","calls","input_tokens","output_tokens",
 *           "cached_input_tokens","avg_cost_usd","share","p50_latency_ms","priced_calls",
 *           "unpriced_calls"[,"prev_cost_usd","change"]}],
 *  "total":{"kind", then the same fields without "group"},
 *  "unpriced":[{"model","calls","provider"}][,"excluded_calls":[{"outcome","calls"}]]
 *  [,"previous":{"since","until"}][,"raw_calls_pruned_before"][,"unit_economics":{…}][,"message"]}
 *
 * `kind` says what a row is: `group` (calls with those values), `other` (the first
 * dimension's values past `top`, summed; its group value reads `(other)`) or, for the
 * total, `total`. A tag value may be the text `(other)` or `(total)`: read the kind.
 *
 * A row none of whose calls has a cost (all unpriced, or usage unknown) has cost_usd,
 * avg_cost_usd and share null (the keys stay): its cost is unknown, not 0. A row with
 * some such calls keeps the sum of the known costs; priced_calls < calls says so. The
 * total likewise: the sum of the known costs, null (cost_usd, share, avg_cost_usd) when no
 * call of the report has a cost.
 *
 * Counts cover the calls that reached the provider unless a `where` on outcome chose
 * others; excluded_calls (then present, possibly empty) counts the rest per outcome.
 *
 * raw_calls_pruned_before (ISO) is there when part of the report needed raw calls older
 * than the retention cutoff: those figures cover calls from it on only.
 *
 * since/until are ISO-8601 UTC strings, the range [since, until); until_as_given is the
 * `--until` date as typed when it was one (inclusive, so until is the next local midnight); money is USD as a number with at most 9 decimals,
 * converted from integer nano-USD here and nowhere earlier; share/change are fractions;
 * p50_latency_ms is rounded to the microsecond (3 decimals).
 */

/** nano-USD → USD number, exact to the nano-dollar (at most 9 decimals). */
export function usd(nano: number): number {
  return Number((nano / NANO_PER_USD).toFixed(9));
}

const usdOrNull = (nano: number | null | undefined): number | null => (nano === null || nano === undefined ? null : usd(nano));
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The metric fields of a row or the total, in SPEC column order. A row none of whose calls
 * has a cost (unpriced or usage unknown: report/known-cost.ts) has cost_usd and share null,
 * not 0; so has the total (a report none of whose calls has a cost). avg_cost_usd is null
 * when no call has a cost (it averages over priced_calls).
 */
export function metricFields(m: ReportMetrics, compare: boolean): Record<string, number | null> {
  const known = costKnown(m);
  return {
    cost_usd: known ? usd(m.costNano) : null,
    calls: m.calls,
    input_tokens: m.inputTokens,
    output_tokens: m.outputTokens,
    cached_input_tokens: m.cachedInputTokens,
    avg_cost_usd: m.pricedCalls > 0 ? usd(m.avgCostNano) : null,
    share: known ? m.share : null,
    p50_latency_ms: m.p50LatencyMs === null ? null : Math.round(m.p50LatencyMs * 1000) / 1000,
    priced_calls: m.pricedCalls,
    unpriced_calls: m.unpricedCalls,
    ...(compare ? { prev_cost_usd: usdOrNull(m.prevCostNano), change: m.change ?? null } : {}),
  };
}

export interface JsonOptions {
  unitEconomics?: UnitEconomics;
  /** Human note, e.g. for an empty period. */
  message?: string;
}

/** The report document (an object; the caller stringifies). */
export function reportToJson(report: SpendReport, options: JsonOptions = {}): Record<string, unknown> {
  const q = report.query;
  const compare = report.previous !== undefined;
  const doc: Record<string, unknown> = {
    since: iso(q.since),
    until: iso(q.until),
    ...(q.untilAsGiven !== undefined ? { until_as_given: q.untilAsGiven } : {}),
    time_zone: q.timeZone,
    by: q.by,
    where: q.where,
    key: q.keyName ?? null,
    top: q.top ?? null,
    rows: report.rows.map((r) => ({ group: r.group, kind: r.kind, ...metricFields(r, compare) })),
    total: { kind: 'total', ...metricFields(report.total, compare) },
    unpriced: report.unpriced.map((u) => ({ model: u.model, calls: u.calls, provider: u.provider })),
  };
  if (report.excluded) doc.excluded_calls = report.excluded.map((e) => ({ outcome: e.outcome, calls: e.calls }));
  if (report.previous) doc.previous = { since: iso(report.previous.since), until: iso(report.previous.until) };
  if (report.prunedBefore !== undefined) doc.raw_calls_pruned_before = iso(report.prunedBefore);
  if (options.unitEconomics) doc.unit_economics = unitEconomicsToJson(options.unitEconomics);
  if (options.message) doc.message = options.message;
  return doc;
}

export function renderJson(report: SpendReport, options: JsonOptions = {}): string {
  return JSON.stringify(reportToJson(report, options), null, 2) + '\n';
}

const pricingFields = (x: UnitEconomics['tiers'][number] | UnitEconomics['tenants'][number]) => ({
  price_per_month_usd: usdOrNull(x.pricePerMonthNano),
  revenue_usd: usdOrNull(x.revenueNano),
  cogs_ratio: x.cogsRatio,
  gross_margin_usd: usdOrNull(x.grossMarginNano),
  gross_margin_ratio: x.grossMarginRatio,
});

/**
 * Unit economics in snake_case with USD numbers. priced_calls counts the calls with a cost;
 * a tier, tenant or subsidy none of whose calls has one has cost_usd null (its cost is
 * unknown, report/known-cost.ts), and null share, per-user, per-session, COGS and margin
 * figures; the overall cost_usd likewise (null when priced_calls is 0), as a report's total.
 * cost_per_user_usd is over the calls that carry a user_id; calls_without_user_id and
 * cost_without_user_id_usd (null when none of them has a cost) give the rest of the spend.
 */
export function unitEconomicsToJson(ue: UnitEconomics): Record<string, unknown> {
  const knownUsd = (spend: CostCounts) => (costKnown(spend) ? usd(spend.costNano) : null);
  return {
    since: iso(ue.since),
    until: iso(ue.until),
    months: ue.months,
    calls: ue.calls,
    priced_calls: ue.pricedCalls,
    cost_usd: knownUsd(ue),
    active_users: ue.activeUsers,
    cost_per_user_usd: usdOrNull(ue.costPerUserNano),
    calls_without_user_id: ue.withoutUser.calls,
    cost_without_user_id_usd: knownUsd(ue.withoutUser),
    sessions: ue.sessions,
    cost_per_session_usd: usdOrNull(ue.costPerSessionNano),
    revenue_usd: usdOrNull(ue.revenueNano),
    cogs_ratio: ue.cogsRatio,
    raw_calls_pruned_before: ue.prunedBefore === null ? null : iso(ue.prunedBefore),
    tiers: ue.tiers.map((t) => ({
      tier: t.tier,
      calls: t.calls,
      priced_calls: t.pricedCalls,
      cost_usd: knownUsd(t),
      share: t.share,
      active_users: t.activeUsers,
      cost_per_user_usd: usdOrNull(t.costPerUserNano),
      sessions: t.sessions,
      cost_per_session_usd: usdOrNull(t.costPerSessionNano),
      ...pricingFields(t),
      calls_without_user_id: t.withoutUser.calls,
      cost_without_user_id_usd: knownUsd(t.withoutUser),
    })),
    tenants: ue.tenants.map((t) => ({
      tenant: t.tenant,
      calls: t.calls,
      priced_calls: t.pricedCalls,
      cost_usd: knownUsd(t),
      share: t.share,
      active_users: t.activeUsers,
      ...pricingFields(t),
    })),
    subsidy: ue.subsidy && {
      free_tiers: ue.subsidy.freeTiers,
      cost_usd: knownUsd(ue.subsidy),
      paid_active_users: ue.subsidy.paidActiveUsers,
      per_paid_user_usd: usdOrNull(ue.subsidy.perPaidUserNano),
      share_of_paid_revenue: ue.subsidy.shareOfPaidRevenue,
    },
  };
}
