import type { NanoUsd } from '../lib/money.js';

/** Dimensions that are columns of `calls`, not tags. They shadow tags of the same name. */
export const BUILTIN_DIMENSIONS = ['model', 'provider', 'key', 'endpoint', 'day', 'week', 'month'] as const;
export type BuiltinDimension = (typeof BUILTIN_DIMENSIONS)[number];

/** Time buckets, in the report's time zone; weeks start on Monday and are labelled by that Monday. */
export const TIME_DIMENSIONS = ['day', 'week', 'month'] as const;
export type TimeDimension = (typeof TIME_DIMENSIONS)[number];

/** Group value for calls that lack the tag (or the column is NULL). */
export const NONE = '(none)';
/** Group value that sums everything outside the top N. */
export const OTHER = '(other)';

/** Tag key syntax (SPEC §4); also what `--by` / `--where` accept besides the built-ins. */
export const TAG_KEY_RE = /^[A-Za-z0-9_.:-]{1,64}$/;

export function isBuiltin(dim: string): dim is BuiltinDimension {
  return (BUILTIN_DIMENSIONS as readonly string[]).includes(dim);
}

export function isTimeDimension(dim: string): dim is TimeDimension {
  return (TIME_DIMENSIONS as readonly string[]).includes(dim);
}

/**
 * One filter. `key` is a tag key or a built-in column (model, provider, key, endpoint).
 * `!=` keeps calls without the tag (a call with no `feature` is not `feature=chat`).
 * The value `(none)` means "tag absent": `feature=(none)` keeps untagged calls.
 */
export interface WhereClause {
  key: string;
  op: '=' | '!=';
  value: string;
}

/** Half-open time range [since, until) in ms since the epoch (UTC). */
export interface TimeRange {
  since: number;
  until: number;
}

/** What to report. Times in ms since the epoch; `timeZone` is an IANA name used for day/week/month buckets. */
export interface ReportQuery extends TimeRange {
  /** 0–2 dimensions; two give a cross table (first = rows, second = columns). */
  by: string[];
  where: WhereClause[];
  /** Only calls made with this metering key. */
  keyName?: string;
  /**
   * Keep the N most expensive values of the FIRST dimension (ranked by their total cost
   * over the whole period) and sum the rest into `(other)`. Undefined = all groups.
   */
  top?: number;
  timeZone: string;
  /** Also run the same query over [since - (until - since), since) and attach prevCostNano/change. */
  compare?: 'previous';
}

/** Aggregates of one group. Money in integer nano-USD, latency in ms. */
export interface ReportMetrics {
  /** Sum of cost over priced calls (unpriced calls add nothing, they are counted in unpricedCalls). */
  costNano: NanoUsd;
  /** All recorded calls in the group (priced, unpriced, failed, refused). */
  calls: number;
  /** Calls that have a cost (cost_nano NOT NULL); the divisor of avgCostNano. */
  pricedCalls: number;
  /** Calls with known usage but no price for their model. */
  unpricedCalls: number;
  inputTokens: number;
  outputTokens: number;
  /** Cache-read input tokens (a subset of inputTokens). */
  cachedInputTokens: number;
  /** costNano / pricedCalls rounded to whole nano-USD; 0 when nothing was priced. */
  avgCostNano: NanoUsd;
  /** costNano / total costNano of the report, 0..1 (0 when the total is 0). */
  share: number;
  /** Median whole-call latency (mean of the two middle values for an even count); null when no calls. */
  p50LatencyMs: number | null;
  /** Cost of the same group in the previous period (only with compare; null when not comparable). */
  prevCostNano?: NanoUsd | null;
  /** (cost - prev) / prev; null when prev is 0 or not comparable. */
  change?: number | null;
}

export interface ReportRow extends ReportMetrics {
  /** Dimension name → group value (`(none)`, `(other)` included). Empty object when `by` is empty. */
  group: Record<string, string>;
}

/** Two-dimension spend matrix, derived from rows. cost[i][j] is row value i × column value j. */
export interface CrossTable {
  rowDim: string;
  colDim: string;
  rowValues: string[];
  colValues: string[];
  costNano: NanoUsd[][];
  rowTotalsNano: NanoUsd[];
  colTotalsNano: NanoUsd[];
}

export interface UnpricedModel {
  /** Model as answered, else as requested, else `(unknown)`. */
  model: string;
  calls: number;
}

export interface SpendReport {
  query: ReportQuery;
  /** Rows sorted by cost descending (time dimensions: chronologically); `(other)` last. */
  rows: ReportRow[];
  total: ReportMetrics;
  /** Models of unpriced calls in the period, most calls first. */
  unpriced: UnpricedModel[];
  cross?: CrossTable;
  /** The previous period, present with compare. */
  previous?: TimeRange;
  /**
   * Retention cutoff (ms), present when part of the report had to read raw calls for
   * time before it (a cross table or filter across two tag keys, a high-cardinality
   * key): those figures cover calls from the cutoff on only.
   */
  prunedBefore?: number;
}
