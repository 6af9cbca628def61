import { periodWindow } from '../budget/periods.js';
import type { CapSetting } from '../budget/raise-hint.js';
import type { TagBudget } from '../budget/types.js';
import { NONE } from '../report/types.js';
import type { BudgetPeriod, BudgetStore, BudgetTarget } from '../store/types.js';
import { DAY_MS } from './stats.js';
import type { BudgetForecast, BudgetInstancesLeftOut, KeyBudgetRef } from './types.js';

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
 * `total` budgets the horizon is 30 days from now. A cap already reached (spent ≥ limit) was
 * reached at the call that crossed it (reachedAt: store capReachedAt, for the listed
 * instances; hitAt = that time, or now when it is not known); else the cap is hit at
 * now + (limit − spent) / rate when projected ≥ limit, else never (null).
 *
 * Key budgets and shared tag budgets always get a row (0 when idle); per-value budgets
 * (`per: user_id`) get MAX_INSTANCES of the instances that spent something in the period:
 * those at or over their cap first (an instance that is not, however fast it spends, never
 * hides one that is), each group by closeness to the cap (projected / limit). The rest are
 * counted per budget (BudgetInstancesLeftOut), so the report can say how many it left out.
 */

export const TREND_DAYS = 7;
export const MIN_TREND_MS = DAY_MS;
export const MAX_INSTANCES = 3;

interface BudgetSpec {
  name: string;
  cap: CapSetting;
  target: BudgetTarget;
  limitNano: number;
  period: BudgetPeriod;
  soft: boolean;
  per?: string;
  match: Readonly<Record<string, string>>;
  scope: Record<string, string>;
}

/** Every budget's forecast rows, and the per-value budgets' instances left out of them. */
export interface Forecasts {
  forecasts: BudgetForecast[];
  leftOut: BudgetInstancesLeftOut[];
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

/** The budget reads the forecasts are made of. */
export type ForecastReads = Pick<BudgetStore, 'spend' | 'periodSpend' | 'capReachedAt'>;

/** One instance's forecast, with what dating its cap needs: its `per` value and where its spend counts from (ms). */
interface Instance {
  forecast: BudgetForecast;
  tagValue: string | null;
  countsFrom: number;
}

/** Forecasts of every budget, key budgets first, then tag budgets in config order. */
export async function forecastBudgets(input: ForecastInput, reads: ForecastReads): Promise<Forecasts> {
  const out: Forecasts = { forecasts: [], leftOut: [] };
  for (const spec of specs(input)) {
    const rows = await forecast(input, reads, spec);
    const listed = spec.per === undefined ? rows : rankInstances(rows).slice(0, MAX_INSTANCES);
    for (const row of listed) out.forecasts.push(await dated(reads, spec, row));
    if (spec.per === undefined) continue;
    const rest = rankInstances(rows).slice(MAX_INSTANCES);
    if (rest.length > 0) {
      const atCap = rest.filter((r) => r.forecast.reached).length;
      out.leftOut.push({ budget: spec.target.name, per: spec.per, match: spec.match, period: spec.period, instances: rest.length, atCap });
    }
  }
  return out;
}

/**
 * A listed instance at its cap with `reachedAt` (store capReachedAt: the call that crossed
 * it, counted from where the instance's spend counts) and `hitAt` then; now when that is
 * not known (the crossing is in calls retention pruned).
 */
async function dated(reads: ForecastReads, spec: BudgetSpec, row: Instance): Promise<BudgetForecast> {
  const f = row.forecast;
  if (!f.reached) return f;
  const reachedAt = await reads.capReachedAt(spec.target, row.tagValue, row.countsFrom, f.periodEnds ? f.horizon : Infinity, spec.limitNano);
  return { ...f, reachedAt, hitAt: reachedAt ?? f.hitAt };
}

/** A per-value budget's instances, those at or over their cap first, each group closest to the cap (projected / limit) first. */
function rankInstances(rows: readonly Instance[]): Instance[] {
  const risk = (f: BudgetForecast) => (f.limitNano === 0 ? Infinity : f.projectedNano / f.limitNano);
  return [...rows].sort((a, b) => Number(b.forecast.reached) - Number(a.forecast.reached) || risk(b.forecast) - risk(a.forecast));
}

function specs(input: ForecastInput): BudgetSpec[] {
  return [
    ...input.keyBudgets.map((k) => ({
      name: `key ${k.name}`,
      cap: { kind: 'key', name: k.name, fromConfig: k.fromConfig === true } as const,
      target: { kind: 'key', name: k.name } as const,
      limitNano: k.budget.limitNano,
      period: k.budget.period,
      soft: k.budget.soft,
      match: {},
      scope: { key: k.name },
    })),
    ...input.tagBudgets.map((b) => ({
      name: `budget ${b.name}`,
      cap: { kind: 'tag', name: b.name } as const,
      target: { kind: 'tag', name: b.name, match: b.match, ...(b.per !== undefined ? { per: b.per } : {}) } as const,
      limitNano: b.limitNano,
      period: b.period,
      soft: b.soft,
      ...(b.per !== undefined ? { per: b.per } : {}),
      match: b.match,
      scope: { budget: b.name },
    })),
  ];
}

/** One row per instance of `spec` (per-value budgets: every instance that spent something, unranked); `reachedAt` still null. */
async function forecast(input: ForecastInput, reads: ForecastReads, spec: BudgetSpec): Promise<Instance[]> {
  const now = input.now;
  const window = periodWindow(spec.period, now, input.timeZone);
  const periodEnds = Number.isFinite(window.end);
  const horizon = periodEnds ? window.end : now + 30 * DAY_MS;
  const historyMs = Math.max(0, now - (input.firstCallTs ?? now));
  const trendMs = Math.max(MIN_TREND_MS, Math.min((spec.period === 'day' ? 1 : TREND_DAYS) * DAY_MS, historyMs));
  const trendFrom = now - trendMs;
  const trend = new Map((await reads.spend(spec.target, trendFrom, now)).map((r) => [r.tagValue, r]));
  const instances = await reads.periodSpend(spec.target, { period: spec.period, start: window.start, end: window.end });

  return instances.map((inst): Instance => {
    const spent = inst.costNano;
    const recent = trend.get(inst.tagValue);
    const rate = (recent?.costNano ?? 0) / trendMs;
    const projected = Math.round(spent + rate * (horizon - now));
    const reached = spent >= spec.limitNano;
    const hitAt = reached ? now : rate > 0 && projected >= spec.limitNano ? Math.round(now + (spec.limitNano - spent) / rate) : null;
    const instance = spec.per !== undefined ? { [spec.per]: inst.tagValue ?? NONE } : {};
    const row: BudgetForecast = {
      name: spec.per !== undefined ? `${spec.name} (${spec.per}=${inst.tagValue ?? NONE})` : spec.name,
      cap: spec.cap,
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
      reachedAt: null,
      trendMs,
      historyMs,
      calls: inst.calls,
      pricedCalls: inst.pricedCalls,
      rateCalls: recent?.calls ?? 0,
      ratePricedCalls: recent?.pricedCalls ?? 0,
      inputTokens: inst.inputTokens,
      outputTokens: inst.outputTokens,
    };
    return { forecast: row, tagValue: inst.tagValue, countsFrom: inst.countsFrom };
  });
}
