import type { NanoUsd } from '../lib/money.js';

/**
 * Where a price came from: the pinned catalog (`genai-prices@0.1.8`), a stored catalog
 * snapshot (`snapshot:2026-12-02:1a2b3c4d`, its fetch date and the first 8 hex digits of
 * its SHA-256), tokometer's own override table, or the user's config.
 */
export type PriceSource = `genai-prices@${string}` | `snapshot:${string}` | 'override' | 'config';

/**
 * A price the user set for one model (config `prices:`), in USD per 1M tokens. Pricing owns
 * this type; the field names are the price list's as people write it, so the loaded
 * config's entries pass unchanged. A price left unset (the cache prices here, and audio,
 * image input and output, reasoning and search, which have no field) is the catalog's for the same model
 * when the catalog prices it; otherwise the cache prices fall back as below.
 */
export interface ConfiguredPrice {
  /** Provider the price is restricted to; undefined = any provider. */
  provider?: string | undefined;
  input: number;
  /** Default the catalog's, else 0. */
  output?: number | undefined;
  /** Cache reads; default the catalog's, else `input`. */
  cached_input?: number | undefined;
  /** Writes to a 5-minute cache; default the catalog's, else `input`. */
  cache_write?: number | undefined;
  /** Writes to a 1-hour cache; default the catalog's, else `cache_write`. */
  cache_write_1h?: number | undefined;
  /**
   * USD per hour of input audio, for a model billed by the audio's duration (whisper-1):
   * a call reporting N seconds costs N × audio_hour / 3600. Default the catalog's, else none
   * (a call billed by duration is then unpriced).
   */
  audio_hour?: number | undefined;
  /**
   * Long-context prices, ascending by `above_input_tokens`: each price a tier sets applies to
   * every token of its kind in a call whose total input tokens (cache included) are above the
   * threshold; a price a tier leaves out keeps the one below it. A tier may only set a price the
   * entry sets (config/price-schema.ts checks it). A price without a tier holds at every size.
   */
  tiers?: ReadonlyArray<ConfiguredTier> | undefined;
}

/** One long-context tier of a `prices:` entry, USD per 1M tokens (the catalog's `{base, tiers: [{start, price}]}` per price, as one row per threshold). */
export interface ConfiguredTier {
  /** The tier applies when a call's total input tokens are strictly above this (the catalog's `start`). */
  above_input_tokens: number;
  input?: number | undefined;
  output?: number | undefined;
  cached_input?: number | undefined;
  cache_write?: number | undefined;
  cache_write_1h?: number | undefined;
}

/** What `price()` needs besides the usage. */
export interface PriceContext {
  /** tokometer provider name (`openai`, `gemini`, `xai`, or a custom openai-compatible name). */
  provider: string;
  /** Model as answered (dated snapshot, `vendor/model` for OpenRouter…). */
  model: string;
  /** When the call happened, ms since the epoch (UTC). Picks the price valid at that moment. */
  at: number;
}

/**
 * Cost per billing dimension, each in nano-USD rounded half up on its own.
 * Their sum can differ from `costNano` by a few nano, because the total is rounded once
 * from the exact pico-USD sum.
 */
export interface CostBreakdown {
  /** input − cache reads − cache writes (− audio input, − image input, each when it has its own price). */
  uncachedInput: NanoUsd;
  cacheRead: NanoUsd;
  cacheWrite5m: NanoUsd;
  cacheWrite1h: NanoUsd;
  /** Audio input tokens; 0 unless the model prices audio separately. */
  inputAudio: NanoUsd;
  /** Image input tokens; 0 unless the model prices image input separately (`input_image_mtok`). */
  inputImage: NanoUsd;
  /** output − audio output − image output (− reasoning when reasoning has its own price). Reasoning is otherwise in here. */
  output: NanoUsd;
  outputAudio: NanoUsd;
  /** Image output tokens; 0 unless the model prices image output separately. */
  outputImage: NanoUsd;
  /** Only for models that price reasoning separately (rare); otherwise 0 and reasoning is in `output`. */
  outputReasoning: NanoUsd;
  /** Web searches × the per-search fee; 0 when none ran or the model charges none. */
  webSearch: NanoUsd;
  /** File search tool calls × the per-call fee; 0 when none ran or the model charges none. */
  fileSearch: NanoUsd;
  /** Seconds of audio × the per-hour price / 3600 (whisper-1); 0 unless the model is priced by duration. */
  audioDuration: NanoUsd;
  /** Pages of a document × the price per page (Mistral OCR); 0 unless the model is priced per page. */
  documentPage: NanoUsd;
  /** Annotated pages × the price per annotated page (else the page price); `documentPage` then holds the other pages alone. 0 when none. */
  annotatedPage: NanoUsd;
}

/** The cost of one call, or an explicit reason why there is none. Never a silent 0. */
export type PriceResult =
  | {
      priced: true;
      /** Total cost, integer nano-USD (exact pico sum rounded half up once). */
      costNano: NanoUsd;
      source: PriceSource;
      /** The price entry that matched: catalog or override model id, or the config key. */
      modelId: string;
      /** genai-prices provider id of that entry (`google`, `x-ai`…); null for config prices. */
      providerId: string | null;
      breakdown: CostBreakdown;
      /** What the cost leaves out, when it is a lower bound (an advisor sub-inference whose model has no price); the record keeps it. */
      note?: string;
    }
  | { priced: false; reason: string };

/** Prices in USD per 1M tokens, for display. null = no separate price (billed per the fallback rules). */
export interface RateSet {
  input: number | null;
  /** Cache read. Fallback: input. */
  cachedInput: number | null;
  /** Cache write with the default (5 minute) lifetime. Fallback: input. */
  cacheWrite: number | null;
  /** Cache write with a 1 hour lifetime. Fallback: cacheWrite. */
  cacheWrite1h: number | null;
  output: number | null;
  /** Audio input. Fallback: input. */
  inputAudio: number | null;
  /** Cached audio input (catalog `cache_audio_read_mtok`). Fallback: cachedInput when priced, else inputAudio (compute.ts). */
  cachedInputAudio: number | null;
  /** Image input (catalog `input_image_mtok`). Fallback: input. */
  inputImage: number | null;
  /** Audio output. Fallback: output. */
  outputAudio: number | null;
  /** Image output. Fallback: output. */
  outputImage: number | null;
  /** Reasoning output. Fallback: output. */
  outputReasoning: number | null;
  /** USD per 1,000 web searches (not per 1M tokens); null = searches are not charged. */
  webSearch: number | null;
  /** USD per 1,000 file search tool calls (catalog `storage_searches_kcount`); null = not charged. */
  fileSearch: number | null;
  /** USD per hour of input audio (catalog `audio_hours`, `input_audio_hours`; not per 1M tokens); null = not priced by duration. */
  audioHour: number | null;
  /** USD per 1,000 pages of a document (catalog `input_document_kpages`: Mistral OCR); null = not priced per page. */
  documentPage: number | null;
  /** USD per 1,000 annotated pages (catalog `input_annotated_document_kpages`), billed instead of `documentPage`; null = none (an annotated page is then billed at `documentPage`). */
  annotatedPage: number | null;
}

/** A model's prices at one moment, for `tokometer prices` and the TUI. */
export interface PriceDescription {
  source: PriceSource;
  /** genai-prices provider id; for config entries, the configured provider or null. */
  providerId: string | null;
  modelId: string;
  name?: string;
  /** Prices below the first tier. */
  rates: RateSet;
  /**
   * Long-context tiers: when the call's TOTAL input tokens (cache included) are above
   * `aboveInputTokens`, the tier's prices apply to every token of the call.
   */
  tiers: Array<{ aboveInputTokens: number; rates: RateSet }>;
  /** Catalog price keys tokometer does not meter (video tokens, cached image reads, OCR pages…). */
  unmetered: string[];
  /** True when the price depends on the date or time of day of the call. */
  timeDependent: boolean;
  deprecated: boolean;
  /** When the source took effect: a snapshot's fetch time (ms). Absent for built-in and config prices. */
  sourceSince?: number;
  /** Most tokens of one call, prompt and output together (the catalog's `context_window`); absent when unknown. */
  contextWindow?: number;
  /** Start (UTC midnight, ms) of the dated price shown, when the source dates it. */
  effectiveFrom?: number;
  /** The daily UTC window [startSec, endSec) (seconds after midnight) of the time-of-day price shown (DeepSeek's peak hours); absent for a price not limited to one. */
  window?: { startSec: number; endSec: number };
  /**
   * A config entry's prices that come from the catalog: the dimensions (`fields` of
   * `rates`) the entry leaves unset, priced by this catalog entry (override, snapshot or
   * pinned catalog) of the same model. Absent when every price shown is the entry's own.
   */
  inherited?: {
    source: PriceSource;
    providerId: string | null;
    modelId: string;
    sourceSince?: number;
    fields: Array<keyof RateSet>;
    /**
     * The prices the entry sets and holds at every size where this catalog entry's change above
     * a threshold (pricing/entry-tiers.ts), with the catalog's price there; absent when none.
     */
    untiered?: UntieredPrice[];
  };
}

/** A price a `prices:` entry holds at every size where the catalog's price of the same kind changes above a threshold (pricing/entry-tiers.ts). */
export interface UntieredPrice {
  /** The price, as `RateSet` names it (input, cachedInput, cacheWrite, cacheWrite1h, output). */
  field: keyof RateSet;
  /** The catalog's threshold: its tier applies when the call's total input tokens are above it. */
  aboveInputTokens: number;
  /** The catalog's price above the threshold, USD per 1M tokens. */
  catalog: number;
}
