import type { NanoUsd } from '../lib/money.js';
import type { SqlDriver } from '../store/types.js';
import { createRawSource } from './raw-source.js';
import type { Scope } from './sql-scope.js';
import type { UnpricedModel } from './types.js';

/**
 * Where report numbers come from. Today every answer comes from the raw call log
 * (raw-source.ts). The rollup tables (issue 5 item 4) will provide a second
 * implementation; `reportSource` is the one place that decides which one answers a
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

/** Stable map key for a group's values. */
export function groupKey(values: readonly string[]): string {
  return JSON.stringify(values);
}

/** Picks the source that can answer for this database. Rollups will plug in here. */
export function reportSource(driver: SqlDriver): ReportSource {
  return createRawSource(driver);
}
