import { periodWindow } from '../budget/periods.js';
import type { TagBudget } from '../budget/types.js';
import { NONE } from '../report/types.js';
import type { BudgetPeriod, BudgetStore, BudgetTarget } from '../store/types.js';
import { DAY_MS } from './stats.js';
import type { BudgetForecast, KeyBudgetRef } from './types.js';

/**
 * Where every budget is heading: each key budget (stored keys merged with their YAML
 * declaration) and each config tag budget (`budgets:`), in its CURRENT period (config time
 * zone), read from the whole store — budgets ignore `--since` and `--where`. `spent` is
 * the period's spend after resets, as the proxy's ledger counts it (store periodSpend).
 *
 * rate = spend in the trend window [now − T, now) / T, where T = one day for daily budgets
 * and TREND_DAYS otherwise, shortened to the age of the call log when that is younger, but
 * never below MIN_TREND_MS (one day): a non-zero spend always gives a non-zero rate, and
 * the rate is then exactly the last day's spend. projected = spent + rate × (period end − now); for
 * `total` budgets the horizon is 30 days from now. The cap is hit at now when spent ≥ limit,
 * else at now + (limit − spent) / rate when projected ≥ limit, else never (null).
 *
 * Key budgets and shared tag budgets always get a row (0 when idle); per-value budgets
 * (`per: user_id`) get their MAX_INSTANCES instances closest to the cap (projected / limit)
 * among those that spent something in the period.
 */

export const TREND_DAYS = 7;
export const MIN_TREND_MS = DAY_MS;
export const MAX_INSTANCES = 3;

interface BudgetSpec {
  name: string;
  target: BudgetTarget;
  limitNano: number;
  period: BudgetPeriod;
  soft: boolean;
  per?: string;
  scope: Record<string, string>;
}

/** What the forecasts are computed from. Times in ms. */
export interface ForecastInput {
  now: number;
  timeZone: string;
  /** First call ever stored; null when the store is empty. */
  firstCallTs: number | null;
  keyBudgets: readonly KeyBudgetRef[];
  tagBudgets: readonly TagBudget[];
}

/** Forecasts of every budget, key budgets first, then tag budgets in config order. */
export async function forecastBudgets(input: ForecastInput, reads: Pick<BudgetStore, 'spend' | 'periodSpend'>): Promise<BudgetForecast[]> {
  const out: BudgetForecast[] = [];
  for (const spec of specs(input)) out.push(...(await forecast(input, reads, spec)));
  return out;
}

function specs(input: ForecastInput): BudgetSpec[] {
  return [
    ...input.keyBudgets.map((k) => ({
      name: `key ${k.name}`,
      target: { kind: 'key', name: k.name } as const,
      limitNano: k.budget.limitNano,
      period: k.budget.period,
      soft: k.budget.soft,
      scope: { key: k.name },
    })),
    ...input.tagBudgets.map((b) => ({
      name: `budget ${b.name}`,
      target: { kind: 'tag', name: b.name, match: b.match, ...(b.per !== undefined ? { per: b.per } : {}) } as const,
      limitNano: b.limitNano,
      period: b.period,
      soft: b.soft,
      ...(b.per !== undefined ? { per: b.per } : {}),
      scope: { budget: b.name },
    })),
  ];
}

async function forecast(input: ForecastInput, reads: Pick<BudgetStore, 'spend' | 'periodSpend'>, spec: BudgetSpec): Promise<BudgetForecast[]> {
  const now = input.now;
  const window = periodWindow(spec.period, now, input.timeZone);
  const periodEnds = Number.isFinite(window.end);
  const horizon = periodEnds ? window.end : now + 30 * DAY_MS;
  const historyMs = Math.max(0, now - (input.firstCallTs ?? now));
  const trendMs = Math.max(MIN_TREND_MS, Math.min((spec.period === 'day' ? 1 : TREND_DAYS) * DAY_MS, historyMs));
  const trendFrom = now - trendMs;
  const trend = new Map((await reads.spend(spec.target, trendFrom, now)).map((r) => [r.tagValue, r]));
  const instances = await reads.periodSpend(spec.target, { period: spec.period, start: window.start, end: window.end });

  const rows = instances.map((inst): BudgetForecast => {
    const spent = inst.costNano;
    const recent = trend.get(inst.tagValue);
    const rate = (recent?.costNano ?? 0) / trendMs;
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
      pricedCalls: inst.pricedCalls,
      rateCalls: recent?.calls ?? 0,
      ratePricedCalls: recent?.pricedCalls ?? 0,
      inputTokens: inst.inputTokens,
      outputTokens: inst.outputTokens,
    };
  });
  if (spec.per === undefined) return rows;
  const risk = (f: BudgetForecast) => (f.limitNano === 0 ? Infinity : f.projectedNano / f.limitNano);
  return rows.sort((a, b) => risk(b) - risk(a)).slice(0, MAX_INSTANCES);
}
