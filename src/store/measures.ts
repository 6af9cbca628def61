import type { NanoUsd } from '../lib/money.js';
import { isUnpriced, unpricedSql } from './unpriced.js';
import type { UsageSource } from './types.js';

/**
 * The seven report measures of a set of calls, in one place: the type, its arithmetic,
 * and the SQL that computes them from raw calls or reads them from the stored rollup
 * and entity rows. The rollup writer, the v6 rebuild and every report reader use these,
 * so a new measure is one edit here (plus a migration for its column).
 */
export interface Measures {
  /** Sum of cost over priced calls, integer nano-USD (unpriced calls add nothing). */
  costNano: NanoUsd;
  /** Every call counted (priced, unpriced, usage unknown). */
  calls: number;
  /** Calls with a cost (cost_nano NOT NULL). */
  pricedCalls: number;
  /** Calls with known usage and no price (unpriced.ts). */
  unpricedCalls: number;
  inputTokens: number;
  outputTokens: number;
  /** Cache-read input tokens (a subset of inputTokens). */
  cachedInputTokens: number;
}

/** What tells a spend's known part from its unknown one (report/known-cost.ts): its sum and how many of its calls have a cost. */
export type CostCounts = Pick<Measures, 'costNano' | 'calls' | 'pricedCalls'>;

/** The cost counts of a wider object (a group aggregate, a report row). */
export function costCountsOf(m: CostCounts): CostCounts {
  return { costNano: m.costNano, calls: m.calls, pricedCalls: m.pricedCalls };
}

/** The cost counts of no call: $0, a known cost. */
export function zeroCostCounts(): CostCounts {
  return { costNano: 0, calls: 0, pricedCalls: 0 };
}

/** The cost counts of several spends together (each of their sums added). */
export function sumCostCounts(spends: readonly CostCounts[]): CostCounts {
  const sum = zeroCostCounts();
  for (const s of spends) {
    sum.costNano += s.costNano;
    sum.calls += s.calls;
    sum.pricedCalls += s.pricedCalls;
  }
  return sum;
}

/** Measure columns of `rollups` and `entity_months`, in table order; also the SQL aliases below. */
export const MEASURE_COLUMNS = ['calls', 'priced', 'unpriced', 'cost_nano', 'input_tokens', 'output_tokens', 'cached_input_tokens'] as const;
type MeasureColumn = (typeof MEASURE_COLUMNS)[number];

const FIELD: Record<MeasureColumn, keyof Measures> = {
  calls: 'calls',
  priced: 'pricedCalls',
  unpriced: 'unpricedCalls',
  cost_nano: 'costNano',
  input_tokens: 'inputTokens',
  output_tokens: 'outputTokens',
  cached_input_tokens: 'cachedInputTokens',
};

export function zeroMeasures(): Measures {
  return { costNano: 0, calls: 0, pricedCalls: 0, unpricedCalls: 0, inputTokens: 0, outputTokens: 0, cachedInputTokens: 0 };
}

/** Adds `m` into `into`, in place; for loops that sum many rows (the writers' per-call sums). */
export function accumulate(into: Measures, m: Measures): void {
  into.costNano += m.costNano;
  into.calls += m.calls;
  into.pricedCalls += m.pricedCalls;
  into.unpricedCalls += m.unpricedCalls;
  into.inputTokens += m.inputTokens;
  into.outputTokens += m.outputTokens;
  into.cachedInputTokens += m.cachedInputTokens;
}

/** Adds `m` times `sign` (±1) into `into`, in place. */
export function accumulateSigned(into: Measures, m: Measures, sign: number): void {
  into.costNano += sign * m.costNano;
  into.calls += sign * m.calls;
  into.pricedCalls += sign * m.pricedCalls;
  into.unpricedCalls += sign * m.unpricedCalls;
  into.inputTokens += sign * m.inputTokens;
  into.outputTokens += sign * m.outputTokens;
  into.cachedInputTokens += sign * m.cachedInputTokens;
}

export function addMeasures(a: Measures, b: Measures): Measures {
  const out = { ...a };
  accumulate(out, b);
  return out;
}

export function subtractMeasures(a: Measures, b: Measures): Measures {
  const out = { ...a };
  accumulateSigned(out, b, -1);
  return out;
}

/** Only the measure fields of a wider object (a group aggregate, a report row). */
export function measuresOf(m: Measures): Measures {
  return {
    costNano: m.costNano,
    calls: m.calls,
    pricedCalls: m.pricedCalls,
    unpricedCalls: m.unpricedCalls,
    inputTokens: m.inputTokens,
    outputTokens: m.outputTokens,
    cachedInputTokens: m.cachedInputTokens,
  };
}

/** The fields of one call that its measures come from. */
export interface MeasuredCall {
  costNano: number | null;
  usageSource: UsageSource;
  inputTokens: number | null;
  outputTokens: number | null;
  cachedInputTokens: number | null;
}

/** What one call adds to every measure (the rollup writer's unit). */
export function callMeasures(c: MeasuredCall): Measures {
  return {
    costNano: c.costNano ?? 0,
    calls: 1,
    pricedCalls: c.costNano !== null ? 1 : 0,
    unpricedCalls: isUnpriced(c) ? 1 : 0,
    inputTokens: c.inputTokens ?? 0,
    outputTokens: c.outputTokens ?? 0,
    cachedInputTokens: c.cachedInputTokens ?? 0,
  };
}

/**
 * SELECT list computing the measures of the raw calls `alias` (of `calls`) in a
 * GROUP BY, aliased as MEASURE_COLUMNS. Sums over no rows are 0.
 */
export function callMeasuresSql(alias: string): string {
  const a = alias;
  return [
    `COUNT(*) AS calls`,
    `COUNT(${a}.cost_nano) AS priced`,
    `COALESCE(SUM(CASE WHEN ${unpricedSql(a)} THEN 1 ELSE 0 END), 0) AS unpriced`,
    `COALESCE(SUM(${a}.cost_nano), 0) AS cost_nano`,
    `COALESCE(SUM(${a}.input_tokens), 0) AS input_tokens`,
    `COALESCE(SUM(${a}.output_tokens), 0) AS output_tokens`,
    `COALESCE(SUM(${a}.cached_input_tokens), 0) AS cached_input_tokens`,
  ].join(', ');
}

/** SELECT list summing stored measure columns of `alias` (rollups, entity rows, a subquery of callMeasuresSql); NULL over no rows. */
export function summedMeasuresSql(alias: string): string {
  return MEASURE_COLUMNS.map((c) => `SUM(${alias}.${c}) AS ${c}`).join(', ');
}

/** SELECT list of the stored measure columns of one row of `alias`, as they are. */
export function storedMeasuresSql(alias: string): string {
  return MEASURE_COLUMNS.map((c) => `${alias}.${c} AS ${c}`).join(', ');
}

/** `col = col + excluded.col, …`: an upsert that adds a new row's measures to the stored ones. */
export const ADD_EXCLUDED_MEASURES_SQL = MEASURE_COLUMNS.map((c) => `${c} = ${c} + excluded.${c}`).join(', ');

/** Bind values in MEASURE_COLUMNS order, for an INSERT naming MEASURE_COLUMNS. */
export function measureValues(m: Measures): number[] {
  return MEASURE_COLUMNS.map((c) => m[FIELD[c]]);
}

/** The measures of a row selected with one of the lists above (NULL reads as 0). */
export function measuresFromRow(row: Readonly<Record<string, unknown>>): Measures {
  const m = zeroMeasures();
  for (const c of MEASURE_COLUMNS) m[FIELD[c]] = Number(row[c] ?? 0);
  return m;
}
