import { compareUtf8 } from '../../../lib/byte-order.js';
import type { Measures } from '../../measures.js';
import type { Scope } from '../scope.js';

/**
 * What the report strategies (raw rows, rollups, entity rows, economics) take and give.
 * Times in ms since the epoch; money in integer nano-USD.
 */

/** Half-open time range [since, until) in ms since the epoch (UTC). */
export interface TimeRange {
  since: number;
  until: number;
}

/** A scope grouped by 0–2 dimensions (tag keys or built-ins). */
export interface AggregateSpec extends Scope {
  by: readonly string[];
}

/** The measures of one group, before shares and averages. */
export interface GroupAggregate extends Measures {
  /** One value per dimension, in `by` order (`(none)` / `(other)` included). */
  values: string[];
}

/**
 * How to fold the first dimension: keep the `top` most expensive values (ranked by their
 * cost summed over the other dimension, then calls, then the value's UTF-8 bytes), or keep
 * exactly the listed values; everything else becomes `(other)`.
 */
export type Collapse = { top: number } | { keep: readonly string[] };

/** Median latency (ms) per group, keyed by groupKey(values). */
export type P50ByGroup = Map<string, number>;

/** Unpriced calls of one model on one provider: the same name may be priced on another (groq) and not on this one (a custom provider). */
export interface UnpricedModel {
  /** Model as answered, else as requested, else `(unknown)`. */
  model: string;
  /** The provider the calls went to (a configured provider's name). */
  provider: string;
  calls: number;
  /**
   * Set (true) when some of these calls are text-to-speech calls recorded without tokens (billed
   * per input character: store/unpriced.ts untokenedSpeechSql), which no price under `prices:`
   * counts; absent otherwise.
   */
  speechWithoutTokens?: true;
}

/** Most calls first, then by model and provider name (UTF-8 byte order, as SQL sorts). */
export function byUnpricedOrder(a: UnpricedModel, b: UnpricedModel): number {
  return b.calls - a.calls || compareUtf8(a.model, b.model) || compareUtf8(a.provider, b.provider);
}

/** Stable map key for a group's values. */
export function groupKey(values: readonly string[]): string {
  return JSON.stringify(values);
}

/**
 * What the rollup tables can answer right now: which tag keys are rolled up, from when
 * raw calls are complete (retention), and the span of rolled-up hours. Read once per
 * report; all times ms since the epoch.
 */
export interface RollupState {
  /** Raw calls are complete for ts ≥ rawSince (0 = never pruned). A whole UTC hour. */
  rawSince: number;
  /**
   * Per-entity month rows (entity_months) are complete for UTC months starting at or
   * after entitySince (0 = all). Only a database pruned before schema v4 has one.
   */
  entitySince: number;
  /** First and last rolled-up UTC hour; null when nothing was ever recorded. */
  firstHour: number | null;
  lastHour: number | null;
  /** False for denylisted and demoted keys; true for rolled-up keys and keys no call ever had. */
  rolledUp(key: string): boolean;
}

/** Sums, medians and the unpriced footer from one kind of stored data. */
export interface AggregateReads {
  /** One aggregate per group; with `by` empty exactly one (`values: []`). */
  groups(spec: AggregateSpec, collapse?: Collapse): Promise<GroupAggregate[]>;
  /** Median latency per group; with `keep`, first-dimension values outside it are pooled under `(other)` first. */
  p50(spec: AggregateSpec, keep?: readonly string[]): Promise<P50ByGroup>;
  /** Models of unpriced calls in the scope, most calls first (ties by model, UTF-8 order). */
  unpriced(scope: Scope): Promise<UnpricedModel[]>;
}

/** A UTC month as a range covers it (entity-months.ts monthPieces). */
export interface MonthPiece {
  /** Start of the UTC month (ms). */
  month: number;
  kind: 'whole' | 'prefix' | 'suffix';
  /** prefix: first_ts < bound; suffix: last_ts ≥ bound (ms; any ms, not only whole minutes). */
  bound: number;
  /** Covered ms of the month. */
  length: number;
  /** Uncovered ms of the month (0 for whole). */
  rest: number;
}
