import { PICO_PER_USD_PER_HOUR, PICO_PER_USD_PER_KCOUNT } from '../pricing/rates.js';
import { billingProviderId } from '../pricing/modifiers.js';
import { priorityPrices } from '../pricing/service-tiers.js';
import { previewSearchFeePerK } from '../pricing/web-search-fees.js';
import type { PriceDescription, RateSet } from '../pricing/types.js';
import { usdPerMillionToPicoPerToken } from './estimate.js';

/** The part of the pricer the estimate needs (pricing/pricer.ts `Pricer.describe`). */
export interface PriceDescriber {
  describe(model: string, provider?: string, at?: number): PriceDescription | null;
}

/** Upper-bound token prices of one model for reservation estimates, pico-USD per token. */
export interface EstimateRates {
  /** undefined = unknown model: estimateCostNano uses its conservative fallback. */
  inputPicoPerToken: number | undefined;
  outputPicoPerToken: number | undefined;
  /** Fee per web search, pico-USD; 0 when the model charges none, undefined for an unknown model. */
  webSearchPicoPerUse: number | undefined;
  /**
   * Fee per web search on OpenAI's `web_search_preview` tool, pico-USD, when it differs from
   * `webSearchPicoPerUse`: $25 per 1,000 (25e9) on a non-reasoning OpenAI model
   * (pricing/web-search-fees.ts previewSearchFeePerK), never below the model's own fee. Set by
   * EstimatePrices; absent otherwise (a preview search is then held at `webSearchPicoPerUse`).
   */
  webSearchPreviewPicoPerUse?: number;
  /** Fee per file search tool call, pico-USD; 0 when the model charges none, undefined for an unknown model. */
  fileSearchPicoPerUse: number | undefined;
  /**
   * The price entry these rates are of, as its price modifiers key on it (pricing/modifiers.ts):
   * the catalog provider id that bills the call (billingProviderId: the call's own for a
   * `prices:` entry) and the matched model id. Set by EstimatePrices; absent for an unknown
   * model.
   */
  priceEntry?: { providerId: string | null; modelId: string };
  /**
   * The input and output rates of a call served on OpenAI priority (pricing/service-tiers.ts
   * priorityPrices), each the dearer of the priority price and the dearest standard one
   * above: priority is flat, and a request it does not serve (over 128K prompt tokens) runs
   * on standard. Set by EstimatePrices for a model with a priority price; absent otherwise.
   */
  priority?: { inputPicoPerToken: number; outputPicoPerToken: number };
  /**
   * Price per hour of input audio, pico-USD, of a model billed by the audio's duration
   * (whisper-1: $0.36 = 3.6e11); absent for every other model.
   */
  audioPicoPerHour?: number;
  /**
   * Most tokens of one call, prompt and output together (PriceDescription.contextWindow): what a
   * call that sets no output limit is held at before its key's output history knows better
   * (gate.ts). Absent when the catalog gives none.
   */
  contextWindowTokens?: number;
  /**
   * Prices per page of a document, pico-USD, of a model priced per page (mistral-ocr-2512:
   * $2 per 1,000 = 2e9; `annotated` the price an annotated page is billed at instead, 3e9, 0
   * when the model has none: such a page is then billed at `page`, pricing/compute.ts);
   * absent for every other model.
   */
  pagePico?: { page: number; annotated: number };
  /**
   * The cache-read price per long-context tier (the base's `aboveInputTokens` is -1), for the
   * tokens of a provider-side cache a request reads (GateRequest.cachedPromptTokens): a
   * tier's price applies when the whole prompt, cache included, is above its threshold
   * (PriceDescription.tiers). Absent for an unknown model, or one without an input price.
   */
  cacheRead?: TierRates;
}

/** Prices per token by long-context tier, ascending by threshold: `picoPerToken` applies to a prompt above `aboveInputTokens` tokens (-1: any prompt). */
export type TierRates = ReadonlyArray<{ aboveInputTokens: number; picoPerToken: number }>;

/** The dearest price of the tiers a prompt of `promptTokens` tokens reaches (an upper bound should a tier be cheaper than one below it). */
export function tierRateAt(tiers: TierRates, promptTokens: number): number {
  let rate = 0;
  for (const tier of tiers) if (promptTokens > tier.aboveInputTokens) rate = Math.max(rate, tier.picoPerToken);
  return rate;
}

interface Entry extends EstimateRates {
  /** When to look the price up again, ms (prices are dated; some depend on the time of day). */
  expiresAt: number;
}

const UNKNOWN: EstimateRates = { inputPicoPerToken: undefined, outputPicoPerToken: undefined, webSearchPicoPerUse: undefined, fileSearchPicoPerUse: undefined };

/** Highest non-null price among `pick(rates)` of the base rates and every tier, USD per 1M; null when none. */
function highest(d: PriceDescription, pick: (r: RateSet) => Array<number | null>): number | null {
  let max: number | null = null;
  for (const rates of [d.rates, ...d.tiers.map((t) => t.rates)]) {
    for (const v of pick(rates)) if (v !== null && (max === null || v > max)) max = v;
  }
  return max;
}

/**
 * Rates that bound a call's real cost from above: the dearest input-side price (input,
 * cache writes, audio in, image in) and output-side price (output, audio, image, reasoning) over all
 * long-context tiers, and the dearest fee per web search and per file search tool call
 * (reserved for the searches a request allows, gate.ts). A known model without any output
 * price (embeddings) gets output 0; one priced per hour of audio alone (whisper-1) gets
 * input and output 0 and its per-hour price (`audioPicoPerHour`), one priced per page alone
 * (Mistral OCR) input and output 0 and its page prices (`pagePico`).
 */
export function estimateRatesOf(d: PriceDescription | null): EstimateRates {
  if (d === null) return UNKNOWN;
  const audioHour = highest(d, (r) => [r.audioHour]);
  const page = highest(d, (r) => [r.documentPage]);
  const input = highest(d, (r) => [r.input, r.cacheWrite, r.cacheWrite1h, r.inputAudio, r.inputImage]) ?? (audioHour === null && page === null ? null : 0);
  const output = highest(d, (r) => [r.output, r.outputAudio, r.outputImage, r.outputReasoning]);
  const search = highest(d, (r) => [r.webSearch]);
  const fileSearch = highest(d, (r) => [r.fileSearch]);
  const cacheRead = cacheReadTiers(d);
  const rates: EstimateRates = {
    ...(cacheRead === undefined ? {} : { cacheRead }),
    inputPicoPerToken: input === null ? undefined : usdPerMillionToPicoPerToken(input),
    outputPicoPerToken: output === null ? (input === null ? undefined : 0) : usdPerMillionToPicoPerToken(output),
    webSearchPicoPerUse: search === null ? 0 : Math.round(search * PICO_PER_USD_PER_KCOUNT),
    fileSearchPicoPerUse: fileSearch === null ? 0 : Math.round(fileSearch * PICO_PER_USD_PER_KCOUNT),
  };
  if (audioHour !== null) rates.audioPicoPerHour = Math.round(audioHour * PICO_PER_USD_PER_HOUR);
  if (d.contextWindow !== undefined) rates.contextWindowTokens = d.contextWindow;
  if (page !== null) rates.pagePico = { page: Math.round(page * PICO_PER_USD_PER_KCOUNT), annotated: Math.round((highest(d, (r) => [r.annotatedPage]) ?? 0) * PICO_PER_USD_PER_KCOUNT) };
  return rates;
}

/**
 * The cache-read price (pico-USD per token) of a cached prompt in a call whose whole prompt is
 * at most `promptTokens`: the model's, of the long-context tier that prompt reaches. On
 * gemini-2.5-pro, 179,990 cached tokens and a 106-byte body (at most 180,096 tokens) stay
 * under 200,000 ($0.125 per 1M); 199,950 and the same body may go over ($0.25). Without a
 * cache-read price: the dearest input price (undefined for an unknown model: the fallback).
 */
export function cacheReadRate(rates: EstimateRates, promptTokens: number): number | undefined {
  return rates.cacheRead === undefined ? rates.inputPicoPerToken : tierRateAt(rates.cacheRead, promptTokens);
}

/** The cache-read price of each tier (RateSet.cachedInput, else its input price, else the tier below's); undefined without a base price. */
function cacheReadTiers(d: PriceDescription): TierRates | undefined {
  const base = d.rates.cachedInput ?? d.rates.input;
  if (base === null) return undefined;
  const tiers = [{ aboveInputTokens: -1, picoPerToken: usdPerMillionToPicoPerToken(base) }];
  for (const t of [...d.tiers].sort((a, b) => a.aboveInputTokens - b.aboveInputTokens)) {
    const usd = t.rates.cachedInput ?? t.rates.input;
    tiers.push({ aboveInputTokens: t.aboveInputTokens, picoPerToken: usd === null ? tiers[tiers.length - 1]!.picoPerToken : usdPerMillionToPicoPerToken(usd) });
  }
  return tiers;
}

/** At every threshold of either, the dearer of the two tier prices; undefined when either is. */
function dearerTiers(a: TierRates | undefined, b: TierRates | undefined): TierRates | undefined {
  if (a === undefined || b === undefined) return undefined;
  const thresholds = [...new Set([...a, ...b].map((t) => t.aboveInputTokens))].sort((x, y) => x - y);
  return thresholds.map((above) => ({ aboveInputTokens: above, picoPerToken: Math.max(tierRateAt(a, above + 1), tierRateAt(b, above + 1)) }));
}

/**
 * Per-(provider, model) cache of estimate rates, so the request path costs one Map lookup
 * instead of a catalog resolution. Entries are refreshed after `ttlMs` (default 1 hour)
 * because prices are dated; the map is cleared when it exceeds `maxEntries` (model names
 * come from clients, so it must stay bounded).
 */
export class EstimatePrices {
  private readonly cache = new Map<string, Entry>();

  constructor(
    private readonly pricer: PriceDescriber,
    private readonly options: { ttlMs?: number; maxEntries?: number } = {},
  ) {}

  /** Rates for `model` on `provider` at `at` (ms); unknown when `model` is null. */
  get(provider: string, model: string | null, at: number): EstimateRates {
    if (model === null) return UNKNOWN;
    const key = `${provider}\u0000${model}`;
    const hit = this.cache.get(key);
    if (hit !== undefined && at < hit.expiresAt) return hit;
    const ttlMs = this.options.ttlMs ?? 3_600_000;
    let rates = UNKNOWN;
    try {
      // The entry serves until `at + ttl`: a price that changes inside that window (a
      // time-of-day price, a dated one) is covered by the dearer of its two ends, so the
      // estimate stays an upper bound (an off-peak rate looked up at 00:59 served until 01:59
      // at half the peak price).
      const now = this.pricer.describe(model, provider, at);
      rates = dearer(estimateRatesOf(now), estimateRatesOf(this.pricer.describe(model, provider, at + ttlMs)));
      if (now !== null && rates.inputPicoPerToken !== undefined) {
        rates.priceEntry = { providerId: billingProviderId(now, provider), modelId: now.modelId };
        const preview = previewSearchFeePerK(now, null);
        if (preview !== null) rates.webSearchPreviewPicoPerUse = Math.max(rates.webSearchPicoPerUse ?? 0, Math.round(preview * PICO_PER_USD_PER_KCOUNT));
        const priority = priorityPrices(now);
        if (priority !== null) {
          rates.priority = {
            inputPicoPerToken: Math.max(rates.inputPicoPerToken, usdPerMillionToPicoPerToken(priority.input)),
            outputPicoPerToken: Math.max(rates.outputPicoPerToken ?? 0, usdPerMillionToPicoPerToken(priority.output)),
          };
        }
      }
    } catch {
      // A malformed catalog entry is priced like an unknown model (conservative fallback).
    }
    if (this.cache.size >= (this.options.maxEntries ?? 4096)) this.cache.clear();
    const entry: Entry = { ...rates, expiresAt: at + ttlMs };
    this.cache.set(key, entry);
    return entry;
  }
}

/** Each rate the dearer of the two; unknown on either side stays unknown (priced by the fallback, the dearest). */
function dearer(a: EstimateRates, b: EstimateRates): EstimateRates {
  const max = (x: number | undefined, y: number | undefined) => (x === undefined || y === undefined ? undefined : Math.max(x, y));
  const cacheRead = dearerTiers(a.cacheRead, b.cacheRead);
  const rates: EstimateRates = {
    ...(cacheRead === undefined ? {} : { cacheRead }),
    inputPicoPerToken: max(a.inputPicoPerToken, b.inputPicoPerToken),
    outputPicoPerToken: max(a.outputPicoPerToken, b.outputPicoPerToken),
    webSearchPicoPerUse: max(a.webSearchPicoPerUse, b.webSearchPicoPerUse),
    fileSearchPicoPerUse: max(a.fileSearchPicoPerUse, b.fileSearchPicoPerUse),
  };
  // A per-hour price at either end is held (the dearer when both have one).
  const audio = Math.max(a.audioPicoPerHour ?? -1, b.audioPicoPerHour ?? -1);
  if (audio >= 0) rates.audioPicoPerHour = audio;
  // The larger context window of the two ends (a bound on output); none when neither has one.
  const window = Math.max(a.contextWindowTokens ?? -1, b.contextWindowTokens ?? -1);
  if (window > 0) rates.contextWindowTokens = window;
  // Page prices likewise, each the dearer of the two ends.
  if (a.pagePico !== undefined || b.pagePico !== undefined) {
    rates.pagePico = { page: Math.max(a.pagePico?.page ?? 0, b.pagePico?.page ?? 0), annotated: Math.max(a.pagePico?.annotated ?? 0, b.pagePico?.annotated ?? 0) };
  }
  return rates;
}
