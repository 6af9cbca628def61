import { periodWindow } from '../budget/periods.js';
import { NONE } from '../report/types.js';
import type { BudgetPeriod } from '../store/types.js';
import { DAY_MS } from './stats.js';
import type { AuditContext, BudgetFilter, BudgetForecast } from './types.js';

/**
 * Where every budget is heading: each key budget (stored keys merged with their YAML
 * declaration) and each config tag budget (`budgets:`), in its CURRENT period (config time
 * zone), read from the whole store — budgets ignore `--since` and `--where`.
 *
 * rate = spend in the trend window [now − T, now) / T, where T = one day for daily budgets
 * and TREND_DAYS otherwise, shortened to the age of the call log when that is younger, but
 * never below MIN_TREND_MS (one day): a non-zero spend always gives a non-zero rate, and
 * the rate is then exactly the last day's spend. projected = spent + rate × (period end − now); for
 * `total` budgets the horizon is 30 days from now. The cap is hit at now when spent ≥ limit,
 * else at now + (limit − spent) / rate when projected ≥ limit, else never (null).
 *
 * Key budgets and shared tag budgets always get a row (0 when idle); per-value budgets
 * (`per: user_id`) get their MAX_INSTANCES instances closest to the cap (projected / limit).
 */

export const TREND_DAYS = 7;
export const MIN_TREND_MS = DAY_MS;
export const MAX_INSTANCES = 3;

interface BudgetSpec {
  name: string;
  filter: BudgetFilter;
  limitNano: number;
  period: BudgetPeriod;
  soft: boolean;
  per?: string;
  scope: Record<string, string>;
}

const cache = new WeakMap<AuditContext, BudgetForecast[]>();

/** Forecasts of every budget (computed once per context), in config order. */
export function forecastBudgets(ctx: AuditContext): BudgetForecast[] {
  let out = cache.get(ctx);
  if (out === undefined) {
    out = specs(ctx).flatMap((s) => forecast(ctx, s));
    cache.set(ctx, out);
  }
  return out;
}

function specs(ctx: AuditContext): BudgetSpec[] {
  return [
    ...ctx.keyBudgets.map((k) => ({
      name: `key ${k.name}`,
      filter: { kind: 'key', name: k.name } as const,
      limitNano: k.budget.limitNano,
      period: k.budget.period,
      soft: k.budget.soft,
      scope: { key: k.name },
    })),
    ...ctx.tagBudgets.map((b) => ({
      name: `budget ${b.name}`,
      filter: { kind: 'tag', match: b.match, ...(b.per !== undefined ? { per: b.per } : {}) } as const,
      limitNano: b.limitNano,
      period: b.period,
      soft: b.soft,
      ...(b.per !== undefined ? { per: b.per } : {}),
      scope: { budget: b.name },
    })),
  ];
}

function forecast(ctx: AuditContext, spec: BudgetSpec): BudgetForecast[] {
  const now = ctx.now;
  const window = periodWindow(spec.period, now, ctx.timeZone);
  const periodEnds = Number.isFinite(window.end);
  const horizon = periodEnds ? window.end : now + 30 * DAY_MS;
  const historyMs = Math.max(0, now - (ctx.firstCallTs ?? now));
  const trendMs = Math.max(MIN_TREND_MS, Math.min((spec.period === 'day' ? 1 : TREND_DAYS) * DAY_MS, historyMs));
  const trendFrom = now - trendMs;
  const trend = new Map(ctx.budgetSpend(spec.filter, trendFrom, now).map((r) => [r.tagValue, r.costNano]));
  let instances = ctx.budgetSpend(spec.filter, window.start, now);
  if (instances.length === 0 && spec.per === undefined) instances = [{ tagValue: null, calls: 0, costNano: 0, inputTokens: 0, outputTokens: 0 }];

  const rows = instances.map((inst): BudgetForecast => {
    const spent = inst.costNano;
    const rate = (trend.get(inst.tagValue) ?? 0) / trendMs;
    const projected = Math.round(spent + rate * (horizon - now));
    const reached = spent >= spec.limitNano;
    const hitAt = reached ? now : rate > 0 && projected >= spec.limitNano ? Math.round(now + (spec.limitNano - spent) / rate) : null;
    const instance = spec.per !== undefined ? { [spec.per]: inst.tagValue ?? NONE } : {};
    return {
      name: spec.per !== undefined ? `${spec.name} (${spec.per}=${inst.tagValue ?? NONE})` : spec.name,
      scope: { ...spec.scope, ...instance },
      period: spec.period,
      soft: spec.soft,
      limitNano: spec.limitNano,
      spentNano: spent,
      projectedNano: projected,
      dailyRateNano: Math.round(rate * DAY_MS),
      horizon,
      periodEnds,
      hitAt,
      reached,
      trendMs,
      historyMs,
      calls: inst.calls,
      inputTokens: inst.inputTokens,
      outputTokens: inst.outputTokens,
    };
  });
  if (spec.per === undefined) return rows;
  const risk = (f: BudgetForecast) => (f.limitNano === 0 ? Infinity : f.projectedNano / f.limitNano);
  return rows.sort((a, b) => risk(b) - risk(a)).slice(0, MAX_INSTANCES);
}
