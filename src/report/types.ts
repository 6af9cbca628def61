import type { NanoUsd } from '../lib/money.js';
import type { Measures } from '../store/measures.js';
import type { WhereClause } from '../store/read/dimensions.js';
import type { TimeRange, UnpricedModel } from '../store/read/report/types.js';

/**
 * The report's shared types. The dimension vocabulary and the measures are the store's
 * (the SQL is written against them); they are re-exported here for the report layer,
 * the formats and the TUI.
 */
export {
  BUILTIN_DIMENSIONS,
  NONE,
  OTHER,
  OTHER_GROUP,
  TAG_PREFIX,
  TAG_KEY_RE,
  TIME_DIMENSIONS,
  isBuiltin,
  isTimeDimension,
  tagDimension,
  tagKeyOf,
  type BuiltinDimension,
  whereGroups,
  type TimeDimension,
  type WhereClause,
  type WhereGroup,
} from '../store/read/dimensions.js';
export type { TimeRange, UnpricedModel } from '../store/read/report/types.js';

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
  /** Also run the same query over previousWindow and attach prevCostNano/change. */
  compare?: 'previous';
  /** The window compare uses (report/window.ts); default the same length just before [since, until). */
  previousWindow?: TimeRange;
  /** The end asked for was after now, so `until` is now: headers say "(so far)" (report/window.ts). */
  soFar?: boolean;
  /** `--until` as the user typed it when it was a date (inclusive: `until` is the next local midnight); shown instead of `until`. */
  untilAsGiven?: string;
}

/** Figures of one group: its measures (store/measures.ts) and what the report derives. Money in integer nano-USD, latency in ms. */
export interface ReportMetrics extends Measures {
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

/**
 * What a row is: a group of calls (`group`), or the sum of the first dimension's values past
 * the top N (`other`, labelled `(other)`); the total is apart (SpendReport.total, kind
 * `total` in JSON and CSV). A tag value may read `(other)` too: only the kind tells them apart.
 */
export type RowKind = 'group' | 'other';

export interface ReportRow extends ReportMetrics {
  /** Dimension name → group value (`(none)`, `(other)` included). Empty object when `by` is empty. */
  group: Record<string, string>;
  kind: RowKind;
}

/**
 * Two-dimension spend matrix, derived from rows. cells[i][j] holds the measures of row value
 * i × column value j (zero when no call), so a sum of cells tells a known $0 from an
 * unknown cost (report/known-cost.ts) as a report row does.
 */
export interface CrossTable {
  rowDim: string;
  colDim: string;
  /** The row dimension's values, the pool past the top N labelled `(other)` (rowKinds tells it from a tag value of that text). */
  rowValues: string[];
  /** The kind of each row value, in rowValues order. */
  rowKinds: RowKind[];
  colValues: string[];
  cells: Measures[][];
  rowTotals: Measures[];
  colTotals: Measures[];
}

/** Calls a report left out by default (report/reach.ts), of one outcome. */
export interface ExcludedCalls {
  outcome: string;
  calls: number;
}

/** A tag key a query names (`--by` / `--where`) that no call of its window carries. */
export interface UnknownTagKey {
  key: string;
  flag: '--by' | '--where';
  /** Tag keys some call of the window carries, closest to `key` first. */
  seen: string[];
}

export interface SpendReport {
  query: ReportQuery;
  /** Rows sorted by cost descending (time dimensions: chronologically); `(other)` last. */
  rows: ReportRow[];
  total: ReportMetrics;
  /** Models of unpriced calls in the period, most calls first. */
  unpriced: UnpricedModel[];
  /**
   * Calls of the period left out because they did not reach the provider (refused, or a
   * connection never made), per outcome, most first; present unless a `--where outcome…`
   * filter chose the calls (report/reach.ts).
   */
  excluded?: ExcludedCalls[];
  cross?: CrossTable;
  /** Tag keys the query names that no call of its window carries (a typo, most likely). */
  unknownTagKeys?: UnknownTagKey[];
  /** The previous period, present with compare. */
  previous?: TimeRange;
  /**
   * Retention cutoff (ms), present when part of the report had to read raw calls for
   * time before it (a cross table or filter across two tag keys, a high-cardinality
   * key): those figures cover calls from the cutoff on only.
   */
  prunedBefore?: number;
}
