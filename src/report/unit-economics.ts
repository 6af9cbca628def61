import { usdToNano, type NanoUsd } from '../lib/money.js';
import { startOfMonth } from '../lib/calendar.js';
import { costCountsOf, sumCostCounts, type CostCounts } from '../store/measures.js';
import type { ReportReads } from '../store/read/report/index.js';
import { costKnown } from './known-cost.js';
import { defaultReach } from './reach.js';
import { plannedReads } from './run-plan.js';
import type { TimeRange, WhereClause } from './types.js';

/**
 * Unit economics: what one active user (and one session, one tenant) costs in AI spend,
 * and what that does to margin when prices are configured.
 *
 * Definitions (all money integer nano-USD, ratios plain fractions), over the calls that
 * reached the provider unless a `--where outcome…` filter chooses others (reach.ts):
 * - active users = distinct `user_id` tag values among the period's calls (exact). A user
 *   seen in two tiers (an upgrade mid-period) counts once overall and once in each tier.
 * - a tier's cost = cost of calls tagged with that `user_tier` (`(none)` = untagged). Cost per
 *   active user (of a tier, and overall) = the cost of the calls that carry a user_id
 *   (`userSpend`) / the active users they name, as cost per session is over the calls with a
 *   session_id: the calls without a user_id are in the spend, its share, AI COGS and margin,
 *   but not in cost per user; `withoutUser` counts them apart (the formats show it).
 * - prices (`economics.price_per_user`, `economics.price_per_tenant`) are USD per user /
 *   tenant per calendar month. They are prorated by `months`: the sum, over the calendar
 *   months (in the report's zone) the period overlaps, of the overlapping fraction of that
 *   month. All of November is exactly 1, 7 days of a 30-day month are 7/30.
 * - a tier's revenue = active users × price × months; AI COGS ratio = cost / revenue
 *   (= cost per user / prorated price); gross margin = revenue − AI cost (AI COGS only).
 *   Tiers without a configured price get null for these; price 0 gives a null ratio.
 * - subsidy = AI cost of the tiers priced at 0 (free), carried by the paid tiers; also
 *   per paid active user and as a fraction of paid revenue.
 * - overall AI COGS ratio = all AI spend / revenue of all priced tiers.
 *
 * Cost is the sum over the calls that have one; `pricedCalls` counts them. A tier, tenant,
 * set of sessions or subsidy none of whose calls has a cost (unpriced, usage unknown) has
 * an unknown cost (known-cost.ts costKnown), not $0: its share, cost per user or session,
 * AI COGS ratio and gross margin are null (its revenue is still known). With some calls
 * without a cost they are computed from the known part (a lower bound on cost), which the
 * formats mark. The overall cost is the sum of the known costs, unknown when priced_calls is
 * 0 (as a report's total: the formats show it `—` / null).
 */

/** USD per user (by tier) / per tenant (by tenant_id) per month, as in the config's `economics`. */
export interface EconomicsConfig {
  price_per_user: Record<string, number>;
  price_per_tenant: Record<string, number>;
}

export interface UnitEconomicsInput extends TimeRange {
  timeZone: string;
  where?: WhereClause[];
  keyName?: string;
}

/** Margin figures against a configured monthly price; all null when no price applies. */
export interface Pricing {
  /** Configured USD price per month, in nano-USD. */
  pricePerMonthNano: NanoUsd | null;
  /** Prorated revenue for the period. */
  revenueNano: NanoUsd | null;
  /** AI cost / revenue; null when revenue is 0 or unknown, or the cost is unknown. */
  cogsRatio: number | null;
  /** Revenue − AI cost; null when no price applies or the cost is unknown. */
  grossMarginNano: NanoUsd | null;
  /** Gross margin / revenue; null when revenue is 0 or unknown. */
  grossMarginRatio: number | null;
}

/** costNano: the known costs' sum; pricedCalls: the calls it covers, of `calls`. */
export interface TierEconomics extends Pricing, CostCounts {
  tier: string;
  /** Fraction of the period's total spend, 0..1; null when the tier's cost is unknown. */
  share: number | null;
  activeUsers: number;
  /** userSpend's cost / activeUsers; null without users or when that cost is unknown. */
  costPerUserNano: NanoUsd | null;
  /** The tier's calls that carry no user_id: in its spend, not in cost per user. */
  withoutUser: CostCounts;
  sessions: number;
  /** The tier's calls that carry session_id. */
  sessionSpend: CostCounts;
  /** sessionSpend's cost / distinct sessions; null without sessions or when that cost is unknown. */
  costPerSessionNano: NanoUsd | null;
}

export interface TenantEconomics extends Pricing, CostCounts {
  tenant: string;
  /** Null when the tenant's cost is unknown. */
  share: number | null;
  activeUsers: number;
}

/** Cost and calls of the free tiers. */
export interface Subsidy extends CostCounts {
  /** Tiers priced at 0. */
  freeTiers: string[];
  paidActiveUsers: number;
  /** Null without paid users or when the free tiers' cost is unknown (so is the share). */
  perPaidUserNano: NanoUsd | null;
  /** Subsidy / prorated revenue of the paid tiers. */
  shareOfPaidRevenue: number | null;
}

/** costNano: the sum of the known costs (0 when pricedCalls is 0: then unknown, known-cost.ts costKnown, as a report's total). */
export interface UnitEconomics extends TimeRange, CostCounts {
  timeZone: string;
  /** Calendar-month fraction of the period used to prorate monthly prices. */
  months: number;
  activeUsers: number;
  /** Cost of the calls that carry a user_id / activeUsers; null without users or when that cost is unknown. */
  costPerUserNano: NanoUsd | null;
  /** The calls that carry no user_id: in the spend, not in cost per user. */
  withoutUser: CostCounts;
  sessions: number;
  /** The calls that carry session_id. */
  sessionSpend: CostCounts;
  costPerSessionNano: NanoUsd | null;
  /** Prorated revenue of all priced tiers; null when no tier price is configured. */
  revenueNano: NanoUsd | null;
  cogsRatio: number | null;
  /** Most expensive first. */
  tiers: TierEconomics[];
  /** Most expensive first. */
  tenants: TenantEconomics[];
  /** Null when no tier is priced at 0 or no tier has a positive price. */
  subsidy: Subsidy | null;
  /** Retention cutoff (ms) when these figures had to come from raw calls and cover only calls from then on; else null. */
  prunedBefore: number | null;
}

export async function unitEconomics(reads: ReportReads, input: UnitEconomicsInput, economics: EconomicsConfig): Promise<UnitEconomics> {
  const source = await plannedReads(reads);
  const where = input.where ?? [];
  const reach = defaultReach(where);
  const agg = await source.economics({ ...input, where, ...(reach ? { reach } : {}) });
  const months = monthsInRange(input, input.timeZone);
  const total = agg.overall.costNano;
  const share = (seg: CostCounts) => (!costKnown(seg) ? null : total > 0 ? seg.costNano / total : 0);

  const tiers: TierEconomics[] = agg.tiers.map((t) => ({
    tier: t.segment,
    ...costCountsOf(t),
    share: share(t),
    activeUsers: t.activeUsers,
    costPerUserNano: perUnit(t.userSpend, t.activeUsers),
    withoutUser: withoutUser(t, t.userSpend),
    sessions: t.sessions,
    sessionSpend: t.sessionSpend,
    costPerSessionNano: perUnit(t.sessionSpend, t.sessions),
    ...pricing(t, t.activeUsers, economics.price_per_user[t.segment], months),
  }));
  const tenants: TenantEconomics[] = agg.tenants.map((t) => ({
    tenant: t.segment,
    ...costCountsOf(t),
    share: share(t),
    activeUsers: t.activeUsers,
    ...pricing(t, 1, economics.price_per_tenant[t.segment], months),
  }));

  const priced = tiers.filter((t) => t.revenueNano !== null);
  const revenueNano = priced.length > 0 ? priced.reduce((a, t) => a + t.revenueNano!, 0) : null;
  return {
    since: input.since,
    until: input.until,
    timeZone: input.timeZone,
    months,
    ...costCountsOf(agg.overall),
    activeUsers: agg.overall.activeUsers,
    costPerUserNano: perUnit(agg.overall.userSpend, agg.overall.activeUsers),
    withoutUser: withoutUser(agg.overall, agg.overall.userSpend),
    sessions: agg.overall.sessions,
    sessionSpend: agg.overall.sessionSpend,
    costPerSessionNano: perUnit(agg.overall.sessionSpend, agg.overall.sessions),
    revenueNano,
    cogsRatio: revenueNano && costKnown(agg.overall) ? total / revenueNano : null,
    tiers,
    tenants,
    subsidy: subsidy(tiers),
    prunedBefore: source.prunedBefore(),
  };
}

function subsidy(tiers: readonly TierEconomics[]): Subsidy | null {
  const free = tiers.filter((t) => t.pricePerMonthNano === 0);
  const paid = tiers.filter((t) => t.pricePerMonthNano !== null && t.pricePerMonthNano > 0);
  if (free.length === 0 || paid.length === 0) return null;
  const spend = sumCostCounts(free);
  const paidActiveUsers = paid.reduce((a, t) => a + t.activeUsers, 0);
  const paidRevenue = paid.reduce((a, t) => a + (t.revenueNano ?? 0), 0);
  return {
    freeTiers: free.map((t) => t.tier),
    ...spend,
    paidActiveUsers,
    perPaidUserNano: perUnit(spend, paidActiveUsers),
    shareOfPaidRevenue: paidRevenue > 0 && costKnown(spend) ? spend.costNano / paidRevenue : null,
  };
}

/** Revenue is known from the price alone; COGS and margin need a known cost. */
function pricing(seg: CostCounts, units: number, priceUsd: number | undefined, months: number): Pricing {
  if (priceUsd === undefined) {
    return { pricePerMonthNano: null, revenueNano: null, cogsRatio: null, grossMarginNano: null, grossMarginRatio: null };
  }
  const pricePerMonthNano = usdToNano(priceUsd);
  const revenueNano = Math.round(units * pricePerMonthNano * months);
  if (!costKnown(seg)) return { pricePerMonthNano, revenueNano, cogsRatio: null, grossMarginNano: null, grossMarginRatio: null };
  const grossMarginNano = revenueNano - seg.costNano;
  return {
    pricePerMonthNano,
    revenueNano,
    cogsRatio: revenueNano > 0 ? seg.costNano / revenueNano : null,
    grossMarginNano,
    grossMarginRatio: revenueNano > 0 ? grossMarginNano / revenueNano : null,
  };
}

/** The part of `all` that `withUser` (its calls that carry a user_id) leaves out. */
function withoutUser(all: CostCounts, withUser: CostCounts): CostCounts {
  return { costNano: all.costNano - withUser.costNano, calls: all.calls - withUser.calls, pricedCalls: all.pricedCalls - withUser.pricedCalls };
}

/** A spend's cost / count rounded to whole nano-USD; null when count is 0 or the cost is unknown. */
function perUnit(spend: CostCounts, count: number): NanoUsd | null {
  return count > 0 && costKnown(spend) ? Math.round(spend.costNano / count) : null;
}

/**
 * Calendar-month fraction of [since, until) in the zone: for each month it overlaps,
 * overlap / that month's length (both in ms, so DST days count as they are).
 */
export function monthsInRange(range: TimeRange, timeZone: string): number {
  let months = 0;
  let start = startOfMonth(range.since, timeZone);
  while (start < range.until) {
    const next = startOfMonth(start, timeZone, 1);
    const overlap = Math.min(next, range.until) - Math.max(start, range.since);
    if (overlap > 0) months += overlap / (next - start);
    start = next;
  }
  return months;
}
