import { formatLocal, formatMoney, formatMoneyBeside } from '../../report/format/text.js';
import { DAY_MS, fact, spanText } from '../stats.js';
import { raiseCapHint } from '../../budget/raise-hint.js';
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
  relate: pointAtSavings,
};

/**
 * True when the cap refuses calls before the period ends: a hard cap the projection passes.
 * Its projection is then what the spend would reach uncapped, never what it will reach.
 */
function capStops(f: BudgetForecast): boolean {
  return !f.soft && f.projectedNano > f.limitNano;
}

function toFinding(f: BudgetForecast, timeZone: string): Finding {
  const hitAt = f.hitAt!;
  const window = spanText(f.trendMs);
  const byEnd = f.periodEnds ? `by the ${f.period}'s end` : 'in the next 30 days';
  const byEndAt = f.periodEnds ? `${byEnd} (${formatLocal(f.horizon, timeZone)})` : byEnd;
  const until = f.periodEnds ? 'until the period resets' : 'from then on (a total budget never resets)';
  const effect = f.soft ? 'it only alerts (soft budget)' : `calls are refused with 429 ${until}`;
  const raise = (to: string) => `If this spend is expected, ${raiseCapHint(f.cap, { what: 'the cap', to })}; otherwise cut the spend.`;
  const projectedLabel = capStops(f) ? (f.periodEnds ? 'uncapped at period end' : 'uncapped in 30 days') : f.periodEnds ? 'projected at period end' : 'projected in 30 days';
  return {
    detector: 'budget-forecast',
    kind: 'notice',
    title: f.reached
      ? `${f.name}: cap of ${formatMoney(f.limitNano)} already reached this ${f.period}`
      : capStops(f)
        ? `${f.name}: cap of ${formatMoney(f.limitNano)} hit about ${formatLocal(hitAt, timeZone)}; uncapped it would reach ${formatMoney(f.projectedNano)} ${byEnd}`
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
        fact.usd('projected_usd', projectedLabel, f.projectedNano),
        fact.time('period_end', f.periodEnds ? 'period ends' : 'horizon', f.horizon),
        f.reached
          ? f.reachedAt !== null
            ? fact.time('cap_reached_at', 'cap reached', f.reachedAt)
            : fact.text('cap_reached_at', 'cap reached', `this ${f.period} (the call that crossed it is no longer in the log)`)
          : fact.time('cap_hit_at', 'cap hit at', hitAt),
      ],
    },
    fix: f.reached
      ? `${f.name} has spent ${formatMoneyBeside(f.spentNano, f.limitNano)} of ${formatMoney(f.limitNano)} this ${f.period}; ${effect}. ${raise('')}`
      : capStops(f)
        ? `At the rate of the last ${window}, ${f.name} would reach ${formatMoney(f.projectedNano)} ${byEndAt}; the cap stops it at ${formatMoney(f.limitNano)}, ` +
          `so calls will be refused from about ${formatLocal(hitAt, timeZone)} ${until}. ${raise(` to at least ${formatMoney(f.projectedNano)}`)}`
        : `At the rate of the last ${window}, ${f.name} spends ${formatMoney(f.projectedNano)} ${byEndAt}; once it hits the cap ${effect}. ${raise(` to at least ${formatMoney(f.projectedNano)}`)}`,
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

/**
 * The notice's fix, followed by where the savings listed stand, when any is: `See the saving
 * above (finding 1) for one way to cut it.` (`below`, or neither, by their ranks against the
 * notice's). Nothing is added when no saving is listed.
 */
function pointAtSavings(finding: Finding, ranked: readonly Finding[]): Finding {
  const at = ranked.indexOf(finding);
  const ranks = ranked.flatMap((f, i) => (f.kind === 'saving' ? [i] : []));
  if (ranks.length === 0) return finding;
  const where = ranks.every((i) => i < at) ? ' above' : ranks.every((i) => i > at) ? ' below' : '';
  const one = ranks.length === 1;
  const numbers = one ? `finding ${ranks[0]! + 1}` : `findings ${rankList(ranks.map((i) => i + 1))}`;
  return { ...finding, fix: `${finding.fix} See the saving${one ? '' : 's'}${where} (${numbers}) for ${one ? 'one way' : 'ways'} to cut it.` };
}

/** `1–3` for a run of ranks, else `1, 4`. */
function rankList(ranks: readonly number[]): string {
  const run = ranks.every((r, i) => i === 0 || r === ranks[i - 1]! + 1);
  return run ? `${ranks[0]}–${ranks[ranks.length - 1]}` : ranks.join(', ');
}
