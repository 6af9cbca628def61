import type { NanoUsd } from '../lib/money.js';

/**
 * The vocabulary of `tokometer reconcile`: what the provider's admin API reported, what
 * the meter recorded, and the compared rows. Money is integer nano-USD; days are the
 * start of a UTC day in ms since the epoch (providers bucket by UTC day); token counts
 * follow the Usage inclusion rules (input = uncached + cache reads + cache writes).
 */

/** The token prices a bill is made of. */
export type RateKey = 'input' | 'cached_input' | 'cache_write_5m' | 'cache_write_1h' | 'output';

export const RATE_KEYS: readonly RateKey[] = ['input', 'cached_input', 'cache_write_5m', 'cache_write_1h', 'output'];

/** Token counts of one side. `input` includes `cachedInput` and both cache writes. */
export interface TokenCounts {
  input: number;
  cachedInput: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
  output: number;
}

export type TokenKey = keyof TokenCounts;

export const TOKEN_KEYS: readonly TokenKey[] = ['input', 'cachedInput', 'cacheWrite5m', 'cacheWrite1h', 'output'];

export function zeroTokens(): TokenCounts {
  return { input: 0, cachedInput: 0, cacheWrite5m: 0, cacheWrite1h: 0, output: 0 };
}

/** Usage the provider's admin API reported for one UTC day × model. */
export interface ProviderUsage {
  day: number;
  model: string;
  /** Requests the provider counted; null when its report has no request counts (Anthropic). */
  requests: number | null;
  tokens: TokenCounts;
}

/** One entry of the provider's cost report. */
export interface ProviderCost {
  day: number;
  /**
   * The model the cost is for, as the report names it; null for costs not tied to a model
   * (tools, storage). With `tokenCost` false it is only a guess (the whole label), used
   * when it names a model that was used that day.
   */
  model: string | null;
  /** The report says this is a token cost of `model`. */
  tokenCost: boolean;
  /** Which token price it is; null when the report does not say, or for costs other than tokens. */
  rate: RateKey | null;
  /** The report's own label (line item or description), shown for costs outside the meter. */
  label: string;
  costNano: NanoUsd;
}

/** Everything fetched from a provider's admin API for the window. */
export interface ProviderReport {
  usage: ProviderUsage[];
  costs: ProviderCost[];
  /** False when the provider reports no request counts (unmetered requests are then estimated). */
  requestCounts: boolean;
}

/** The meter's side of one row. */
export interface MeterSide {
  /** Calls that reached the provider with metered usage. */
  calls: number;
  /** Of those, calls whose usage is unknown (no tokens, no cost). */
  usageUnknown: number;
  /** Of those, calls with usage but no price (not in costNano). */
  unpriced: number;
  tokens: TokenCounts;
  costNano: NanoUsd;
}

/** The provider's side of one row. */
export interface BillSide {
  /** null when the provider reports no request counts. */
  requests: number | null;
  tokens: TokenCounts;
  /** Σ of the cost report's entries for the row (0 when it has none). */
  costNano: NanoUsd;
  /** Cost per token price, where the report itemises it; `unsplit` = cost it does not attribute to a price. */
  costByRate: Partial<Record<RateKey | 'unsplit', NanoUsd>>;
}

/** How a row compares. */
export type RowStatus =
  /** Within the tolerance. */
  | 'match'
  /** The provider saw requests the meter did not: something calls it without tokometer. */
  | 'unmetered_traffic'
  /** Same requests, different token counts (cut streams, cached or reasoning tokens counted differently). */
  | 'token_drift'
  /** Same tokens, different cost: the catalog or an override is wrong for that model and period. */
  | 'price_drift'
  /** The meter counted calls the provider does not report (its report lags, or another organization was billed). */
  | 'missing_at_provider'
  /** Costs the meter cannot see (tools, storage, models it never prices); never a difference. */
  | 'outside_meter';

/** The token price that would explain a price drift. Prices in USD per 1M tokens. */
export interface RateFinding {
  rate: RateKey;
  /** What the provider charged per 1M tokens of this kind. */
  billedPerMtok: number;
  /** What the price catalog (or a config price or override) says, fallbacks applied. */
  catalogPerMtok: number;
  /**
   * true: the cost report itemises this price, so the billed rate is measured.
   * false: the report does not, and this is the rate at which this price alone would explain the whole difference.
   */
  itemised: boolean;
}

/** Δ = provider − meter (positive: the bill is higher than the meter). */
export interface RowDiff {
  /** null when the provider reports no request counts. */
  requests: number | null;
  tokens: TokenCounts;
  costNano: NanoUsd;
  /** Δcost as a percentage of the provider's cost; null when that is 0. */
  percent: number | null;
}

/** One compared row, grouped as `--by` asks. */
export interface ReconcileRow {
  /** Start of the UTC day; null when not grouped by day. */
  day: number | null;
  /** The model (or, for `outside_meter` rows, the report's labels); null when not grouped by model. */
  model: string | null;
  status: RowStatus;
  meter: MeterSide;
  bill: BillSide;
  diff: RowDiff;
  /** Unmetered traffic: requests the meter never saw; null when they cannot be estimated. */
  unmeteredRequests?: number | null;
  /** True when unmeteredRequests is estimated from input tokens (no request counts). */
  requestsEstimated?: boolean;
  /** Token counts beyond the tolerance. */
  driftedTokens?: TokenKey[];
  /** Price drift: the price(s) that would explain it. */
  rates?: RateFinding[];
  /** One or two sentences for people: what differs and what it means. */
  explanation: string;
}

/** `--tolerance`: a difference counts only when it exceeds both. */
export interface Tolerance {
  /** Percent of the provider's figure, e.g. 0.5. */
  percent: number;
  /** Absolute amount, nano-USD. */
  usdNano: NanoUsd;
}

export const DEFAULT_TOLERANCE: Tolerance = { percent: 0.5, usdNano: 10_000_000 };

/** What `--by` groups on. */
export type ReconcileBy = 'day' | 'model' | 'day,model';

/** A model's catalog prices on a day (CatalogRates). */
export interface CatalogModelRates {
  /** USD per 1M tokens, fallbacks applied. */
  rates: Record<RateKey, number>;
  /** USD per 1,000 web searches; null = none charged. */
  webSearchPerK: number | null;
  /**
   * USD per 1,000 searches on OpenAI's web_search_preview tool (pricing/web-search-fees.ts
   * previewSearchFeePerK: $25 on a non-reasoning OpenAI model, else `webSearchPerK`).
   */
  webSearchPreviewPerK: number | null;
  /** USD per 1,000 file search tool calls; null = none charged. */
  fileSearchPerK: number | null;
  source: string;
}

/** Catalog prices for a model on a day; null = no price known. */
export type CatalogRates = (model: string, at: number) => CatalogModelRates | null;

/** The result of one reconcile run, before formatting. */
export interface ReconcileReport {
  /** tokometer provider name; several compared together joined by commas (`openai,openai-batch`). */
  provider: string;
  /** Compared window [since, until), whole UTC days. */
  since: number;
  until: number;
  by: ReconcileBy;
  tolerance: Tolerance;
  rows: ReconcileRow[];
  total: { meter: MeterSide; bill: BillSide; diff: RowDiff };
  /** Σ min(meter, bill) over the rows ÷ the bill: the share of the bill the meter accounts for (1 when the bill is 0). */
  explainedShare: number;
  /** Rows per status. */
  counts: Record<RowStatus, number>;
  /** Notes for people (pruned raw calls, lagging current day). */
  notes: string[];
}
