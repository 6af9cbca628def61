import { periodWindow } from '../../budget/periods.js';
import { formatLocal, formatMoney } from '../../report/format/text.js';
import { NONE } from '../../report/types.js';
import type { BudgetPeriod } from '../../store/types.js';
import { DAY_MS, fact } from '../stats.js';
import type { AuditContext, BudgetFilter, Detector, Finding } from '../types.js';

/**
 * Budget forecast: every key budget (stored keys merged with their YAML declaration) and
 * every config tag budget (`budgets:`), in its CURRENT period (config time zone), read
 * from the whole store — budgets ignore `--since` and `--where`.
 *
 * rate = spend in the trend window [now − T, now) / T, where T = one day for daily budgets
 * and TREND_DAYS otherwise, shortened when the call log is younger (at least MIN_TREND_MS
 * of history is required). projected = spent + rate × (period end − now); for `total`
 * budgets the horizon is 30 days from now. Fires (a notice, no saving) when the cap is
 * already reached, or projected ≥ limit: then the cap is hit at now + (limit − spent)/rate.
 * Per-value budgets (`per: user_id`) report their MAX_INSTANCES most urgent instances.
 */

export const TREND_DAYS = 7;
export const MIN_TREND_MS = 3_600_000;
export const MAX_INSTANCES = 3;

interface BudgetSpec {
  label: string;
  filter: BudgetFilter;
  limitNano: number;
  period: BudgetPeriod;
  soft: boolean;
  per?: string;
  scope: Record<string, string>;
}

export const budgetForecast: Detector = {
  id: 'budget-forecast',
  run(ctx) {
    const specs: BudgetSpec[] = [
      ...ctx.keyBudgets.map((k) => ({
        label: `key ${k.name}`,
        filter: { kind: 'key', name: k.name } as const,
        limitNano: k.budget.limitNano,
        period: k.budget.period,
        soft: k.budget.soft,
        scope: { key: k.name },
      })),
      ...ctx.tagBudgets.map((b) => ({
        label: `budget ${b.name}`,
        filter: { kind: 'tag', match: b.match, ...(b.per !== undefined ? { per: b.per } : {}) } as const,
        limitNano: b.limitNano,
        period: b.period,
        soft: b.soft,
        ...(b.per !== undefined ? { per: b.per } : {}),
        scope: { budget: b.name },
      })),
    ];
    return specs.flatMap((s) => forecast(ctx, s));
  },
};

function forecast(ctx: AuditContext, spec: BudgetSpec): Finding[] {
  const now = ctx.now;
  const window = periodWindow(spec.period, now, ctx.timeZone);
  const horizon = Number.isFinite(window.end) ? window.end : now + 30 * DAY_MS;
  const trendFrom = Math.max(now - (spec.period === 'day' ? 1 : TREND_DAYS) * DAY_MS, ctx.firstCallTs ?? now);
  const trendMs = now - trendFrom;
  const trend = new Map(ctx.budgetSpend(spec.filter, trendFrom, now).map((r) => [r.tagValue, r.costNano]));
  const findings: Finding[] = [];
  for (const inst of ctx.budgetSpend(spec.filter, window.start, now)) {
    const spent = inst.costNano;
    const rate = trendMs >= MIN_TREND_MS ? (trend.get(inst.tagValue) ?? 0) / trendMs : 0;
    const projected = Math.round(spent + rate * (horizon - now));
    const reached = spent >= spec.limitNano;
    if (!reached && (rate <= 0 || projected < spec.limitNano)) continue;
    const hitAt = reached ? now : Math.round(now + (spec.limitNano - spent) / rate);
    const who = spec.per !== undefined ? `${spec.label} (${spec.per}=${inst.tagValue ?? NONE})` : spec.label;
    const endText = Number.isFinite(window.end) ? `the ${spec.period} ends ${formatLocal(window.end, ctx.timeZone)}` : 'the next 30 days';
    const effect = spec.soft ? 'it alerts only (soft)' : 'calls are refused with 429 from then until the period resets';
    const trendDays = trendMs / DAY_MS;
    findings.push({
      detector: 'budget-forecast',
      kind: 'notice',
      title: reached
        ? `${who}: cap of ${formatMoney(spec.limitNano)} already reached this ${spec.period}`
        : `${who}: projected ${formatMoney(projected)} of ${formatMoney(spec.limitNano)}; hits the cap ${formatLocal(hitAt, ctx.timeZone)}`,
      scope: { ...spec.scope, ...(spec.per !== undefined ? { [spec.per]: inst.tagValue ?? NONE } : {}) },
      evidence: {
        calls: inst.calls,
        costNano: spent,
        inputTokens: inst.inputTokens,
        outputTokens: inst.outputTokens,
        facts: [
          fact.usd('limit_usd', 'limit', spec.limitNano),
          fact.usd('spent_usd', `spent this ${spec.period}`, spent),
          fact.usd('daily_rate_usd', `spend per day (last ${trendDays.toFixed(1)} days)`, Math.round(rate * DAY_MS)),
          fact.usd('projected_usd', 'projected at period end', projected),
          fact.time('period_end', 'period ends', horizon),
          fact.time('cap_hit_at', reached ? 'cap reached by' : 'cap hit at', hitAt),
        ],
      },
      fix: reached
        ? `${who} has spent ${formatMoney(spent)} of ${formatMoney(spec.limitNano)} this ${spec.period}; ${spec.soft ? 'it alerts only (soft)' : 'calls are refused with 429 until the period resets'}. ` +
          `Raise limit_usd if this spend is expected, or cut it (see the savings above).`
        : `At the last ${trendDays.toFixed(1)} days' rate ${who} spends ${formatMoney(projected)} before ${endText}; ${effect}. ` +
          `Raise limit_usd to at least ${formatMoney(projected)}, or cut this spend (see the savings above).`,
      savingNano: 0,
      savingPerMonthNano: 0,
      confidence:
        reached
          ? { level: 'high', reason: 'Measured spend in the current period.' }
          : trendDays >= 3 || (spec.period === 'day' && trendDays >= 1)
            ? { level: 'medium', reason: `Straight-line projection of the last ${trendDays.toFixed(1)} days' spend.` }
            : { level: 'low', reason: `Only ${trendDays.toFixed(1)} days of history behind the projection.` },
      dueAt: hitAt,
    });
  }
  findings.sort((a, b) => (a.dueAt ?? 0) - (b.dueAt ?? 0));
  return spec.per !== undefined ? findings.slice(0, MAX_INSTANCES) : findings;
}
