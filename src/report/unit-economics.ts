import { usdToNano, type NanoUsd } from '../lib/money.js';
import { startOfMonth } from '../lib/calendar.js';
import type { ReportReads } from '../store/read/report/index.js';
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
 * - a tier's cost = cost of calls tagged with that `user_tier` (`(none)` = untagged), so
 *   cost per active user of a tier = tier cost / tier's active users; overall = all spend
 *   (untagged calls included) / all active users.
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
  /** AI cost / revenue; null when revenue is 0 or unknown. */
  cogsRatio: number | null;
  /** Revenue − AI cost. */
  grossMarginNano: NanoUsd | null;
  /** Gross margin / revenue; null when revenue is 0 or unknown. */
  grossMarginRatio: number | null;
}

export interface TierEconomics extends Pricing {
  tier: string;
  calls: number;
  costNano: NanoUsd;
  /** Fraction of the period's total spend, 0..1. */
  share: number;
  activeUsers: number;
  costPerUserNano: NanoUsd | null;
  sessions: number;
  /** Cost of the tier's calls that carry session_id / its distinct sessions; null without sessions. */
  costPerSessionNano: NanoUsd | null;
}

export interface TenantEconomics extends Pricing {
  tenant: string;
  calls: number;
  costNano: NanoUsd;
  share: number;
  activeUsers: number;
}

export interface Subsidy {
  /** Tiers priced at 0. */
  freeTiers: string[];
  costNano: NanoUsd;
  paidActiveUsers: number;
  perPaidUserNano: NanoUsd | null;
  /** Subsidy / prorated revenue of the paid tiers. */
  shareOfPaidRevenue: number | null;
}

export interface UnitEconomics extends TimeRange {
  timeZone: string;
  /** Calendar-month fraction of the period used to prorate monthly prices. */
  months: number;
  calls: number;
  costNano: NanoUsd;
  activeUsers: number;
  costPerUserNano: NanoUsd | null;
  sessions: number;
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
  const share = (cost: number) => (total > 0 ? cost / total : 0);

  const tiers: TierEconomics[] = agg.tiers.map((t) => ({
    tier: t.segment,
    calls: t.calls,
    costNano: t.costNano,
    share: share(t.costNano),
    activeUsers: t.activeUsers,
    costPerUserNano: perUnit(t.costNano, t.activeUsers),
    sessions: t.sessions,
    costPerSessionNano: perUnit(t.sessionCostNano, t.sessions),
    ...pricing(t, t.activeUsers, economics.price_per_user[t.segment], months),
  }));
  const tenants: TenantEconomics[] = agg.tenants.map((t) => ({
    tenant: t.segment,
    calls: t.calls,
    costNano: t.costNano,
    share: share(t.costNano),
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
    calls: agg.overall.calls,
    costNano: total,
    activeUsers: agg.overall.activeUsers,
    costPerUserNano: perUnit(total, agg.overall.activeUsers),
    sessions: agg.overall.sessions,
    costPerSessionNano: perUnit(agg.overall.sessionCostNano, agg.overall.sessions),
    revenueNano,
    cogsRatio: revenueNano ? total / revenueNano : null,
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
  const costNano = free.reduce((a, t) => a + t.costNano, 0);
  const paidActiveUsers = paid.reduce((a, t) => a + t.activeUsers, 0);
  const paidRevenue = paid.reduce((a, t) => a + (t.revenueNano ?? 0), 0);
  return {
    freeTiers: free.map((t) => t.tier),
    costNano,
    paidActiveUsers,
    perPaidUserNano: perUnit(costNano, paidActiveUsers),
    shareOfPaidRevenue: paidRevenue > 0 ? costNano / paidRevenue : null,
  };
}

function pricing(seg: { costNano: NanoUsd }, units: number, priceUsd: number | undefined, months: number): Pricing {
  if (priceUsd === undefined) {
    return { pricePerMonthNano: null, revenueNano: null, cogsRatio: null, grossMarginNano: null, grossMarginRatio: null };
  }
  const pricePerMonthNano = usdToNano(priceUsd);
  const revenueNano = Math.round(units * pricePerMonthNano * months);
  const grossMarginNano = revenueNano - seg.costNano;
  return {
    pricePerMonthNano,
    revenueNano,
    cogsRatio: revenueNano > 0 ? seg.costNano / revenueNano : null,
    grossMarginNano,
    grossMarginRatio: revenueNano > 0 ? grossMarginNano / revenueNano : null,
  };
}

/** amount / count rounded to whole nano-USD; null when count is 0. */
function perUnit(amountNano: number, count: number): NanoUsd | null {
  return count > 0 ? Math.round(amountNano / count) : null;
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
