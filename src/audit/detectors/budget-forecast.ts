import { formatLocal, formatMoney, formatMoneyBeside } from '../../report/format/text.js';
import { DAY_MS, fact, spanText } from '../stats.js';
import type { BudgetForecast, Detector, Finding } from '../types.js';

/**
 * Budget forecast: a notice (no saving) for every budget instance that has reached its cap
 * in the current period or is projected to reach it before the period ends; the projection
 * is defined in budget-forecasts.ts. Every budget, at risk or not, is also listed in the
 * report's budget table.
 */

export const budgetForecast: Detector = {
  id: 'budget-forecast',
  run(ctx) {
    return ctx.budgetForecasts
      .filter((f) => f.hitAt !== null)
      .map((f) => toFinding(f, ctx.timeZone));
  },
};

function toFinding(f: BudgetForecast, timeZone: string): Finding {
  const hitAt = f.hitAt!;
  const window = spanText(f.trendMs);
  const endText = f.periodEnds ? `the ${f.period} ends ${formatLocal(f.horizon, timeZone)}` : 'the next 30 days';
  const effect = f.soft ? 'it only alerts (soft budget)' : 'calls are refused with 429 until the period resets';
  return {
    detector: 'budget-forecast',
    kind: 'notice',
    title: f.reached
      ? `${f.name}: cap of ${formatMoney(f.limitNano)} already reached this ${f.period}`
      : `${f.name}: projected ${formatMoney(f.projectedNano)} of ${formatMoney(f.limitNano)}; hits the cap ${formatLocal(hitAt, timeZone)}`,
    scope: f.scope,
    evidence: {
      calls: f.calls,
      costNano: f.spentNano,
      // The budget's own spend: a figure, whatever its calls' costs.
      pricedCalls: f.calls,
      inputTokens: f.inputTokens,
      outputTokens: f.outputTokens,
      facts: [
        fact.usd('limit_usd', 'limit', f.limitNano),
        fact.usd('spent_usd', `spent this ${f.period}`, f.spentNano),
        fact.usd('daily_rate_usd', `spend per day (last ${window})`, f.dailyRateNano),
        fact.usd('projected_usd', 'projected at period end', f.projectedNano),
        fact.time('period_end', f.periodEnds ? 'period ends' : 'horizon', f.horizon),
        f.reached
          ? f.reachedAt !== null
            ? fact.time('cap_reached_at', 'cap reached', f.reachedAt)
            : fact.text('cap_reached_at', 'cap reached', `this ${f.period} (the call that crossed it is no longer in the log)`)
          : fact.time('cap_hit_at', 'cap hit at', hitAt),
      ],
    },
    fix: f.reached
      ? `${f.name} has spent ${formatMoneyBeside(f.spentNano, f.limitNano)} of ${formatMoney(f.limitNano)} this ${f.period}; ${effect}. ` +
        `Raise limit_usd if this spend is expected, or cut it (see the savings above).`
      : `At the rate of the last ${window}, ${f.name} spends ${formatMoney(f.projectedNano)} before ${endText}; once it hits the cap ${effect}. ` +
        `Raise limit_usd to at least ${formatMoney(f.projectedNano)}, or cut this spend (see the savings above).`,
    savingNano: 0,
    savingPerMonthNano: 0,
    confidence: f.reached
      ? { level: 'high', reason: 'Measured spend in the current period.' }
      : f.historyMs >= 3 * DAY_MS || (f.period === 'day' && f.historyMs >= DAY_MS)
        ? { level: 'medium', reason: `Straight-line projection of the last ${window}' spend.` }
        : { level: 'low', reason: `Only ${spanText(f.historyMs)} of history behind the projection (rate over the last ${window}).` },
    dueAt: hitAt,
  };
}
