import type { NanoUsd } from '../lib/money.js';
import type { SqlDriver } from '../store/types.js';
import { createRawSource } from './raw-source.js';
import { entityP50, entityTopGroups } from './entity-top.js';
import { createRollupSource } from './rollup-source.js';
import { readRollupState, rollupTagKey } from './rollup-state.js';
import type { Scope } from './sql-scope.js';
import type { UnpricedModel } from './types.js';

/**
 * Where report numbers come from: the raw call log (raw-source.ts) or the rollup tables
 * (rollup-source.ts). `reportSource` is the one place that decides which one answers a
 * query, so nothing above it (query.ts, unit-economics.ts, formats, CLI) changes.
 */

/** Sums of one group, before shares/averages. Money in integer nano-USD. */
export interface GroupAggregate {
  /** One value per dimension, in `by` order (`(none)` / `(other)` included). */
  values: string[];
  costNano: NanoUsd;
  calls: number;
  pricedCalls: number;
  unpricedCalls: number;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
}

/**
 * How to fold the first dimension: keep the `top` most expensive values (ranked by their
 * cost summed over the other dimension), or keep exactly the listed values; everything
 * else becomes `(other)`.
 */
export type Collapse = { top: number } | { keep: readonly string[] };

export interface AggregateSpec extends Scope {
  by: readonly string[];
}

export interface ReportSource {
  /** One aggregate per group. With `by` empty: exactly one aggregate with `values: []`. */
  groups(spec: AggregateSpec, collapse?: Collapse): GroupAggregate[];
  /**
   * Median latency (ms) per group, keyed by `groupKey(values)`. With `keep`, values of
   * the first dimension outside the list are pooled under `(other)` before the median.
   */
  p50(spec: AggregateSpec, keep?: readonly string[]): Map<string, number>;
  /** Models of calls with known usage and no price, most calls first. */
  unpriced(scope: Scope): UnpricedModel[];
}

/** What reportSource returns: a source that also says whether retention cut an answer short. */
export interface RoutedSource extends ReportSource {
  /**
   * The retention cutoff (ms, a whole UTC hour) once some answer had to read raw calls
   * for a range starting before it: those figures cover calls from the cutoff on only.
   * Null while every answer was complete (rollups and entity rows outlive retention).
   */
  prunedBefore(): number | null;
}

/** Stable map key for a group's values. */
export function groupKey(values: readonly string[]): string {
  return JSON.stringify(values);
}

/**
 * Up to this many calls in scope, p50 comes exactly from raw rows (a window sort over
 * them costs a few ms); above it, from the rollup latency histograms (bounded error).
 */
export const EXACT_P50_MAX_CALLS = 20_000;

/**
 * Picks the source per query. Rollups answer whenever the query's dimensions and
 * filters involve at most one tag key and that key is rolled up (built-ins, day/week/
 * month and `--key` always are; entity keys such as user_id only as `=(none)` /
 * `!=(none)` filters): sums and unpriced counts are then identical to raw aggregation.
 * `--by user_id --top N` (an entity key, no filters, month-shaped range) reads
 * entity_months (entity-top.ts). Everything else reads raw rows: two tag keys at once
 * (`--by feature,user_tier`, or `--by feature --where tenant_id=t1`), high-cardinality
 * and denylisted keys. p50 is exact from raw rows while the scope is small and its raw
 * rows were not pruned.
 */
export function reportSource(driver: SqlDriver, options: { exactP50MaxCalls?: number } = {}): RoutedSource {
  const exactLimit = options.exactP50MaxCalls ?? EXACT_P50_MAX_CALLS;
  const unchecked = createRawSource(driver);
  const state = readRollupState(driver);
  if (state === undefined) return { ...unchecked, prunedBefore: () => null };
  let pruned = false;
  /** The raw source, noting when a range reaches before the retention cutoff. */
  const raw = (scope: Scope): ReportSource => {
    if (scope.since < state.rawSince) pruned = true;
    return unchecked;
  };
  const tagKeyOf = (spec: AggregateSpec) => rollupTagKey(spec, state);
  const rollups = createRollupSource(driver, state, unchecked, (spec) => tagKeyOf(spec) ?? null);
  const eligible = (spec: AggregateSpec) => tagKeyOf(spec) !== undefined;
  /** Calls in scope; an upper bound (filters dropped) when rollups cannot apply the filters. */
  const scopeCalls = (spec: AggregateSpec) => {
    const total = { ...spec, by: [] };
    return rollups.groups(eligible(total) ? total : { ...total, where: [] })[0]?.calls ?? 0;
  };
  const exact = (spec: AggregateSpec) => spec.since >= state.rawSince && scopeCalls(spec) <= exactLimit;
  return {
    groups(spec, collapse) {
      if (eligible(spec)) return rollups.groups(spec, collapse);
      const top = collapse && 'top' in collapse ? entityTopGroups(driver, state, rollups, spec, collapse.top) : undefined;
      return top ?? raw(spec).groups(spec, collapse);
    },
    p50(spec, keep) {
      if (eligible(spec)) return (exact(spec) ? unchecked : rollups).p50(spec, keep);
      if (spec.by.length === 1 && !exact(spec)) {
        const kept = keep ?? entityTopGroups(driver, state, rollups, spec, exactLimit)?.map((g) => g.values[0]!);
        const p50 = kept && entityP50(driver, state, rollups, spec, kept);
        if (p50) return p50;
      }
      return raw(spec).p50(spec, keep);
    },
    unpriced: (scope) => (eligible({ ...scope, by: [] }) ? rollups : raw(scope)).unpriced(scope),
    prunedBefore: () => (pruned ? state.rawSince : null),
  };
}
