import type { NanoUsd } from '../lib/money.js';
import { startOfMonth } from '../report/tz.js';
import { sumCostCounts, type CostCounts } from '../store/measures.js';

/**
 * Projected end-of-month spend: what this calendar month will have cost if spending goes
 * on at the pace of the period on screen.
 *
 *   projected = month-to-date + rate × (end of month − now),  rate = period spend / period length
 *
 * With `m` (this month) the period IS the month so far, and this is the plain linear
 * extrapolation of month-to-date; with 7d or 30d it blends what the month already cost
 * with the recent daily pace. Integer nano-USD, rounded to the nearest nano-dollar; the
 * result is never below month-to-date.
 */
export interface ProjectionInput {
  monthToDateNano: NanoUsd;
  periodCostNano: NanoUsd;
  /** The period on screen, [since, until) in ms. */
  since: number;
  until: number;
  now: number;
  timeZone: string;
}

export function projectMonth(p: ProjectionInput): NanoUsd {
  const length = p.until - p.since;
  const remaining = Math.max(0, startOfMonth(p.now, p.timeZone, 1) - p.now);
  if (length <= 0 || remaining === 0) return p.monthToDateNano;
  return p.monthToDateNano + Math.round((p.periodCostNano / length) * remaining);
}

/**
 * The calls a projection stands on, as cost counts (store/measures.ts): the period's and the
 * month's so far (summed; a call in both counts twice, which changes neither costKnown nor
 * costLeavesCallsOut). `—` when none of them has a cost, a lower bound (`*`) when some have
 * none: a rate or a month-to-date that leaves calls out leaves them out of the projection too.
 * `costNano` is the projection itself.
 */
export function projectionSpend(projectedNano: NanoUsd, period: CostCounts, monthToDate: CostCounts): CostCounts {
  return { ...sumCostCounts([period, monthToDate]), costNano: projectedNano };
}
