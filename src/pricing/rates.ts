import type { CatalogModel, ConditionalPrice, ModelPrice } from './catalog-data.js';
import type { RateSet } from './types.js';

/**
 * Integer price tables, converted once from the catalog's float USD-per-1M prices.
 *
 * Unit: pico-USD per token (1 USD = 1e12 pico). A price of P USD per 1M tokens is
 * P × 1e6 pico per token, exact for prices with up to 6 decimals (every catalog price
 * tokometer meters except OpenRouter's 1/12-dollar Gemini cache writes). Per-use fees
 * (`web_searches_kcount`, `storage_searches_kcount`, USD per 1,000) and page prices
 * (`input_document_kpages`, USD per 1,000 pages) are pico per use (page): P × 1e9.
 */
export const PICO_PER_USD_PER_MTOK = 1_000_000;
/** Pico-USD per use for a price of 1 USD per 1,000 uses. */
export const PICO_PER_USD_PER_KCOUNT = 1_000_000_000;
/**
 * Pico-USD per hour of audio for a price of 1 USD per hour (`audio_hours`,
 * `input_audio_hours`): the rate is kept per hour, never per second, so a price like
 * Groq's $0.111 an hour (30,833,333.3 pico a second) stays exact (compute.ts).
 */
export const PICO_PER_USD_PER_HOUR = 1_000_000_000_000;
/** Microseconds in an hour: a duration is priced as its whole microseconds × pico per hour / this. */
export const US_PER_HOUR = 3_600_000_000n;

/** `seconds` of audio as whole microseconds (rounded half up), the unit a duration is priced in. */
export function audioMicroseconds(seconds: number): number {
  return Math.round(seconds * 1_000_000);
}

/**
 * One price dimension. `tiers` are sorted by `above`; a tier applies when the call's
 * total input tokens are strictly greater than `above` (the catalog's rule), and then
 * to every token of this dimension.
 */
export interface Rate {
  base: number;
  tiers: ReadonlyArray<{ above: number; pico: number }>;
}

/** The token dimensions tokometer meters, keyed by our names. */
export type Dimension =
  | 'input'
  | 'cacheRead'
  | 'cacheWrite'
  | 'cacheWrite5m'
  | 'cacheWrite1h'
  | 'inputAudio'
  | 'cacheAudioRead'
  /** Image tokens among the input (OpenAI Images edits' uploaded images, Gemini IMAGE prompt parts). */
  | 'inputImage'
  | 'output'
  | 'outputAudio'
  | 'outputImage'
  | 'outputReasoning'
  /** Per web search, not per token. */
  | 'webSearch'
  /** Per file search tool call (the catalog's `storage_searches`), not per token. */
  | 'fileSearch'
  /** Per hour of input audio (the catalog's `audio_hours` / `input_audio_hours`), not per token: pico-USD per hour. */
  | 'audioHour'
  /** Per page of a document (the catalog's `input_document_kpages`, per 1,000 pages), not per token: pico-USD per page. */
  | 'documentPage'
  /** Per annotated page (`input_annotated_document_kpages`), instead of the page price: pico-USD per page. */
  | 'annotatedPage';

export type Rates = Partial<Record<Dimension, Rate>>;

/**
 * Catalog price key → our dimension. Keys missing here are listed as `unmetered`. Keys
 * ending `_kcount` are per 1,000 uses, `_kpages` per 1,000 pages (kept per page, like a use),
 * keys ending `_hours` per hour of audio. genai-prices
 * gives every model priced by duration both `audio_hours` and `input_audio_hours` (equal in
 * 0.1.8): both price the one dimension, the dearer of the two when they differ (toRate's caller).
 * `cache_image_read_mtok` (cached image input: gpt-image-*, gpt-realtime*) stays unmetered:
 * no adapter reports how much of a cache hit was image (OpenAI's Images usage has no cached
 * count at all), so `inputImageTokens` are priced as uncached input (compute.ts).
 */
const KEY_TO_DIMENSION: Readonly<Record<string, Dimension>> = {
  input_mtok: 'input',
  cache_read_mtok: 'cacheRead',
  cache_write_mtok: 'cacheWrite',
  cache_write_5m_mtok: 'cacheWrite5m',
  cache_write_1h_mtok: 'cacheWrite1h',
  input_audio_mtok: 'inputAudio',
  cache_audio_read_mtok: 'cacheAudioRead',
  input_image_mtok: 'inputImage',
  output_mtok: 'output',
  output_audio_mtok: 'outputAudio',
  output_image_mtok: 'outputImage',
  output_reasoning_mtok: 'outputReasoning',
  web_searches_kcount: 'webSearch',
  storage_searches_kcount: 'fileSearch',
  audio_hours: 'audioHour',
  input_audio_hours: 'audioHour',
  input_document_kpages: 'documentPage',
  input_annotated_document_kpages: 'annotatedPage',
};

/** Every catalog price key tokometer meters (the others are listed as `unmetered`). */
export const METERED_PRICE_KEYS: readonly string[] = Object.keys(KEY_TO_DIMENSION);

/** A price valid from a UTC date, or inside a daily UTC window [startSec, endSec). */
export type PriceConstraint =
  | { type: 'start_date'; startMs: number }
  | { type: 'time_of_day'; startSec: number; endSec: number };

export interface PriceVersion {
  constraint?: PriceConstraint;
  rates: Rates;
  /** Catalog price keys with no metered dimension (video tokens, cached image reads, OCR pages…). */
  unmetered: string[];
}

/** Converts a USD-per-1M float to integer pico per token. */
export function toPico(usdPerMtok: number): number {
  if (!Number.isFinite(usdPerMtok) || usdPerMtok < 0) throw new Error(`invalid price ${usdPerMtok}`);
  return Math.round(usdPerMtok * PICO_PER_USD_PER_MTOK);
}

function toRate(key: string, value: ModelPrice[string]): Rate {
  const scale = key.endsWith('_kcount') || key.endsWith('_kpages') ? PICO_PER_USD_PER_KCOUNT / PICO_PER_USD_PER_MTOK : key.endsWith('_hours') ? PICO_PER_USD_PER_HOUR / PICO_PER_USD_PER_MTOK : 1;
  const pico = (usd: number) => toPico(usd) * scale;
  if (typeof value === 'number') return { base: pico(value), tiers: [] };
  if (value && typeof value === 'object' && Array.isArray(value.tiers)) {
    const tiers = value.tiers.map((t) => ({ above: t.start, pico: pico(t.price) })).sort((a, b) => a.above - b.above);
    return { base: pico(value.base), tiers };
  }
  throw new Error(`invalid price for ${key}`);
}

/** Converts one catalog price record. Throws on malformed values. */
export function versionFromModelPrice(prices: ModelPrice, constraint?: PriceConstraint): PriceVersion {
  const rates: Rates = {};
  const unmetered: string[] = [];
  for (const [key, value] of Object.entries(prices)) {
    if (value === undefined) continue;
    const dim = KEY_TO_DIMENSION[key];
    if (!dim) unmetered.push(key);
    else {
      const rate = toRate(key, value);
      // Two keys of one dimension (audio_hours, input_audio_hours): the dearer one.
      const had = rates[dim];
      if (had === undefined || rate.base > had.base) rates[dim] = rate;
    }
  }
  return constraint ? { constraint, rates, unmetered } : { rates, unmetered };
}

/** Seconds after UTC midnight for a catalog time like `16:30:00Z` or `08:00:00+08:00`. */
export function parseUtcTimeOfDay(text: string): number {
  const m = /^(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|([+-])(\d{2}):(\d{2}))$/.exec(text);
  if (!m) throw new Error(`invalid time of day ${text}`);
  const local = Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) + Number(`0.${m[4] ?? '0'}`);
  const offset = m[5] === 'Z' ? 0 : (m[6] === '+' ? 1 : -1) * (Number(m[7]) * 3600 + Number(m[8]) * 60);
  return (local - offset + 86_400) % 86_400;
}

function toConstraint(c: ConditionalPrice['constraint']): PriceConstraint | undefined {
  if (!c) return undefined;
  if (c.type === 'start_date') {
    // The catalog compares with `new Date('YYYY-MM-DD')`, i.e. UTC midnight.
    const startMs = Date.parse(`${c.start_date}T00:00:00Z`);
    if (Number.isNaN(startMs)) throw new Error(`invalid start_date ${c.start_date}`);
    return { type: 'start_date', startMs };
  }
  if (c.type === 'time_of_date') return { type: 'time_of_day', startSec: parseUtcTimeOfDay(c.start_time), endSec: parseUtcTimeOfDay(c.end_time) };
  throw new Error(`unknown price constraint ${JSON.stringify(c)}`);
}

/** All price versions of a catalog or override model, in catalog order. Throws on malformed data. */
export function versionsFromModelInfo(model: Pick<CatalogModel, 'prices'>): PriceVersion[] {
  if (!Array.isArray(model.prices)) return [versionFromModelPrice(model.prices)];
  if (model.prices.length === 0) throw new Error('empty price list');
  return model.prices.map((cp) => versionFromModelPrice(cp.prices, toConstraint(cp.constraint)));
}

/**
 * The version valid at `atMs`, by the catalog's own rule (genai-prices `calcPrice`):
 * scan from the last entry back; the first one whose constraint holds wins (an entry
 * without a constraint always holds); if none holds, the first entry.
 */
export function selectVersion(versions: readonly PriceVersion[], atMs: number): PriceVersion {
  const secOfDay = (((atMs % 86_400_000) + 86_400_000) % 86_400_000) / 1000;
  for (let i = versions.length - 1; i >= 0; i--) {
    const v = versions[i]!;
    const c = v.constraint;
    if (!c) return v;
    if (c.type === 'start_date') {
      if (atMs >= c.startMs) return v;
    } else if (c.endSec < c.startSec ? secOfDay >= c.startSec || secOfDay < c.endSec : secOfDay >= c.startSec && secOfDay < c.endSec) {
      return v;
    }
  }
  return versions[0]!;
}

/** Pico per token of `rate` for a call with `totalInput` prompt tokens. */
export function picoAt(rate: Rate, totalInput: number): number {
  let pico = rate.base;
  for (const t of rate.tiers) if (totalInput > t.above) pico = t.pico;
  return pico;
}

/** The dimensions priced per use (USD per 1,000 uses in the catalog), not per token. */
const PER_USE: ReadonlySet<string> = new Set<Dimension>(['webSearch', 'fileSearch']);

/**
 * True when at least one usage dimension has a price: a token price, the per-hour price
 * of audio or a page price (per-search fees alone do not count).
 */
export function hasTokenPrice(rates: Rates): boolean {
  for (const dim of Object.keys(rates)) if (!PER_USE.has(dim)) return true;
  return false;
}

/** Display prices (USD per 1M tokens; web and file searches and pages per 1,000; audio per hour) of `rates` for a call with `totalInput` prompt tokens. */
export function rateSetAt(rates: Rates, totalInput: number): RateSet {
  const usd = (r: Rate | undefined, per = PICO_PER_USD_PER_MTOK): number | null => (r ? picoAt(r, totalInput) / per : null);
  return {
    input: usd(rates.input),
    cachedInput: usd(rates.cacheRead),
    cacheWrite: usd(rates.cacheWrite5m ?? rates.cacheWrite),
    cacheWrite1h: usd(rates.cacheWrite1h),
    output: usd(rates.output),
    inputAudio: usd(rates.inputAudio),
    cachedInputAudio: usd(rates.cacheAudioRead),
    inputImage: usd(rates.inputImage),
    outputAudio: usd(rates.outputAudio),
    outputImage: usd(rates.outputImage),
    outputReasoning: usd(rates.outputReasoning),
    webSearch: usd(rates.webSearch, PICO_PER_USD_PER_KCOUNT),
    fileSearch: usd(rates.fileSearch, PICO_PER_USD_PER_KCOUNT),
    audioHour: usd(rates.audioHour, PICO_PER_USD_PER_HOUR),
    documentPage: usd(rates.documentPage, PICO_PER_USD_PER_KCOUNT),
    annotatedPage: usd(rates.annotatedPage, PICO_PER_USD_PER_KCOUNT),
  };
}

/** Distinct tier thresholds over all dimensions, ascending. */
export function tierThresholds(rates: Rates): number[] {
  const set = new Set<number>();
  for (const r of Object.values(rates)) for (const t of r.tiers) set.add(t.above);
  return [...set].sort((a, b) => a - b);
}
