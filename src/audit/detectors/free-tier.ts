import { periodWindow } from '../../budget/periods.js';
import { formatMoney } from '../../report/format/text.js';
import { NONE } from '../../report/types.js';
import { isReached } from '../../store/reached.js';
import { groupBy, totals, type AuditCall } from '../calls.js';
import { fact, int, maxOf, percentile, ratio } from '../stats.js';
import type { AuditContext, Detector } from '../types.js';

/**
 * Free-tier subsidy: what free users cost against paid ones, and a per-user daily cap.
 *
 * Calls: priced calls (stored cost) that reached the provider (store/reached.ts, as report
 * counts them: a free call answered 429 is not a free user's use) carrying TIER_TAG. Free = TIER_TAG is FREE_TIER; paid
 * = any other value. A user-day is the spend of one USER_TAG value on one calendar day
 * (config time zone); free calls without USER_TAG form one shared `(none)` instance per
 * day, exactly as a `per: user_id` tag budget counts them. The proposed cap is the p90
 * (nearest rank) of real users' free user-day spend, rounded UP to a whole cent.
 *
 * Fires when there are ≥ MIN_FREE_USERS free users, free spend is ≥ MIN_FREE_SHARE of the
 * window's spend, and no config budget already caps free users per day at or below the
 * proposal. Saving = Σ over free user-days of max(0, spend − cap): what the hard cap would
 * have refused (the proxy refuses calls once the day's spend reaches the cap).
 */

export const TIER_TAG = 'user_tier';
export const USER_TAG = 'user_id';
export const FREE_TIER = 'free';
export const MIN_FREE_USERS = 5;
export const MIN_FREE_SHARE = 0.05;
export const CAP_PERCENTILE = 90;
/** One cent in nano-USD: caps are whole cents. */
const CENT_NANO = 10_000_000;

export const freeTier: Detector = {
  id: 'free-tier',
  run(ctx) {
    const priced = ctx.calls.filter((c) => c.costNano !== null && isReached(c));
    const free = priced.filter((c) => c.tags[TIER_TAG] === FREE_TIER);
    const paid = priced.filter((c) => c.tags[TIER_TAG] !== undefined && c.tags[TIER_TAG] !== FREE_TIER);
    const freeUsers = distinctUsers(free);
    const freeCost = totals(free).costNano;
    const allCost = totals(priced).costNano;
    if (freeUsers < MIN_FREE_USERS || freeCost <= 0 || ratio(freeCost, allCost) < MIN_FREE_SHARE) return [];

    const days = userDays(ctx, free);
    const realDays = [...days.entries()].filter(([k]) => !k.startsWith(`${NONE}\u0000`)).map(([, v]) => v);
    if (realDays.length === 0) return [];
    const p90 = percentile(realDays, CAP_PERCENTILE);
    const cap = Math.max(CENT_NANO, Math.ceil(p90 / CENT_NANO) * CENT_NANO);
    if (alreadyCapped(ctx, cap)) return [];
    let saving = 0;
    let overDays = 0;
    for (const spend of days.values()) {
      if (spend > cap) {
        saving += spend - cap;
        overDays += 1;
      }
    }
    if (saving <= 0) return [];

    const paidUsers = distinctUsers(paid);
    const paidCost = totals(paid).costNano;
    const perFree = Math.round(freeCost / freeUsers);
    const perPaid = paidUsers === 0 ? 0 : Math.round(paidCost / paidUsers);
    const share = ratio(freeCost, allCost);
    const noUser = free.filter((c) => c.tags[USER_TAG] === undefined).length;
    const capUsd = (cap / 1e9).toFixed(2);
    return [
      {
        detector: 'free-tier',
        kind: 'saving',
        title: `Free tier: ${int(freeUsers)} free users cost ${formatMoney(perFree)} each` + (paidUsers > 0 ? ` vs ${formatMoney(perPaid)} per paid user` : '') + ` (${Math.round(share * 100)}% of spend)`,
        scope: { [TIER_TAG]: FREE_TIER },
        evidence: {
          ...totals(free),
          facts: [
            fact.count('free_users', 'free users', freeUsers),
            fact.count('paid_users', 'paid users', paidUsers),
            fact.usd('cost_per_free_user_usd', 'cost per free user', perFree),
            fact.usd('cost_per_paid_user_usd', 'cost per paid user', perPaid),
            fact.share('free_cost_share', 'free share of spend', share),
            fact.usd('p50_user_day_usd', 'free user-day spend p50', percentile(realDays, 50)),
            fact.usd('p90_user_day_usd', 'free user-day spend p90', p90),
            fact.usd('max_user_day_usd', 'free user-day spend max', maxOf(days.values())),
            fact.count('user_days_over_cap', `user-days over $${capUsd}`, overDays),
            ...(noUser > 0 ? [fact.count('free_calls_without_user', `free calls without ${USER_TAG} (one shared instance)`, noUser)] : []),
          ],
        },
        fix:
          `Cap free users at $${capUsd} per user per day (the p90 of a free user's day) with a tag budget; ${int(overDays)} user-day${overDays === 1 ? '' : 's'} went above it. ` +
          `Show capped users an upgrade prompt instead of an error.`,
        savingNano: saving,
        savingPerMonthNano: ctx.perMonth(saving),
        confidence:
          days.size >= 100
            ? { level: 'medium', reason: `Measured on ${int(days.size)} free user-days; refused spend may partly return as upgrades or later use.` }
            : { level: 'low', reason: `Only ${int(days.size)} free user-days; the p90 may move as usage grows.` },
        snippet: [
          'budgets:',
          '  - name: free-tier-daily',
          `    match: { ${TIER_TAG}: ${FREE_TIER} }`,
          `    per: ${USER_TAG}`,
          `    limit_usd: ${capUsd}`,
          '    period: day',
        ].join('\n'),
      },
    ];
  },
};

function distinctUsers(calls: readonly AuditCall[]): number {
  return new Set(calls.map((c) => c.tags[USER_TAG]).filter((u) => u !== undefined)).size;
}

/** Spend per `user\0dayStart` (user `(none)` for calls without the user tag), nano-USD. */
function userDays(ctx: AuditContext, calls: readonly AuditCall[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const [key, list] of groupBy(calls, (c) => `${c.tags[USER_TAG] ?? NONE}\u0000${periodWindow('day', c.ts, ctx.timeZone).start}`)) {
    out.set(key, totals(list).costNano);
  }
  return out;
}

/** True when a config tag budget already caps each free user per day at ≤ cap. */
function alreadyCapped(ctx: AuditContext, cap: number): boolean {
  return ctx.tagBudgets.some(
    (b) => b.period === 'day' && b.per === USER_TAG && b.match[TIER_TAG] === FREE_TIER && Object.keys(b.match).length === 1 && b.limitNano <= cap,
  );
}
