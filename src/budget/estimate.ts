import type { NanoUsd } from '../lib/money.js';
import type { Ratio } from '../pricing/modifiers.js';
import { US_PER_HOUR, audioMicroseconds } from '../pricing/rates.js';

/**
 * Reservation estimates: what a call may cost, known before it is forwarded.
 *
 * Prices are in pico-USD per token (1 pico-USD = 1e-12 USD), so catalog prices stay
 * integers: $2.50 per 1M tokens = 2_500_000 pico-USD per token. Convert with
 * {@link usdPerMillionToPicoPerToken}.
 *
 * The budget guarantee (policy.ts) is exact when the estimate is an upper bound of the
 * real cost. `maxOutputTokens`, when the client sets it, is a hard cap on output; prompt
 * tokens are approximated as `promptBytes / 4` (the request body, JSON included, is
 * usually larger than its prompt text; CJK text and code can run closer to 1 token per
 * 2-3 bytes, which the output side's slack normally absorbs). Images and documents a request
 * names by reference (a URL, a file id) are billed as input the body's bytes do not carry (a
 * URL's bytes are a few dozen tokens; the image is up to 1,445 on gpt-4o): they come in
 * `contextTokens`, each at a bound of what its provider bills for one
 * (providers/referenced-input-bounds.ts), at most the model's window (budget/gate.ts).
 */
export interface EstimateInput {
  /** Request body size in bytes (the prompt with its JSON envelope). */
  promptBytes: number;
  /** Client's requested max output tokens (max_tokens, max_completion_tokens, …); null/undefined when not set. */
  maxOutputTokens?: number | null;
  /** Input price in pico-USD per token; undefined when the model's price is unknown. */
  inputPricePerTokenPico?: number;
  /** Output price in pico-USD per token; undefined when unknown. */
  outputPricePerTokenPico?: number;
  /** Output tokens to assume when the client sets no maximum (per-model default). Defaults to {@link DEFAULT_MAX_OUTPUT_TOKENS}. */
  defaultMaxOutput?: number;
  /** Bytes per prompt token; defaults to {@link BYTES_PER_TOKEN}. */
  bytesPerToken?: number;
  /**
   * Input tokens the provider adds to the body's, billed at the input price: from state it
   * keeps (a previous response's conversation), an upload's audio or images, and the images and
   * documents the request names by URL or file id (GateRequest.referencedInputTokens); 0 when
   * none or unknown.
   */
  contextTokens?: number;
  /**
   * Prompt tokens a provider-side cache the request reads adds to the body's (a Gemini
   * `cachedContent`), billed at `cachedPricePerTokenPico`; 0 when none.
   */
  cachedTokens?: number;
  /** The cache-read price of those tokens, pico-USD per token; undefined: the input price. */
  cachedPricePerTokenPico?: number;
  /** Most uses of a per-use fee the request allows (web or file searches, reservation-prices.ts searchFeeBound); 0 when none. */
  maxUses?: number;
  /** That fee in pico-USD per use; undefined when unknown (priced at {@link FALLBACK_PICO_PER_USE}). */
  pricePerUsePico?: number;
  /**
   * A price modifier the request asks for (pricing/modifiers.ts: fast mode, US-only
   * inference) that multiplies the whole cost; absent: 1. Never below 1 here (gate.ts).
   */
  modifier?: Ratio;
  /** Seconds of uploaded audio (RequestInfo.upload.audioSeconds); 0 or absent when none. */
  audioSeconds?: number;
  /**
   * The model's price per hour of audio in pico-USD (whisper-1: 3.6e11); absent when it is
   * not billed by duration (the audio's seconds then cost nothing here: its tokens are in
   * `contextTokens`).
   */
  audioPicoPerHour?: number;
  /** Most pages of a document the request can be billed for (RequestInfo.documentPages); 0 or absent when none. */
  pages?: number;
  /**
   * The model's price per page in pico-USD, the dearer of it and the annotated page price when
   * the request asks for annotations (reservation-prices.ts pagePriceBound; mistral-ocr-2512:
   * 2e9, annotated 3e9); 0 for a model known to cost nothing per page; absent when unknown
   * (no model, a name the catalog does not know, a model without a page price): priced at
   * {@link FALLBACK_PICO_PER_PAGE}.
   */
  pricePerPagePico?: number;
}

/** Prompt bytes per token assumed by the estimate. */
export const BYTES_PER_TOKEN = 4;
/** Output tokens assumed when neither the client nor the model gives a maximum. */
export const DEFAULT_MAX_OUTPUT_TOKENS = 1024;
/** Fallback input price when the model's price is unknown: $15 per 1M tokens (a top-tier model), in pico-USD/token. */
export const FALLBACK_INPUT_PICO_PER_TOKEN = 15_000_000;
/** Fallback output price when unknown: $75 per 1M tokens, in pico-USD/token. */
export const FALLBACK_OUTPUT_PICO_PER_TOKEN = 75_000_000;
/** Fallback per-use fee when unknown: $25 per 1,000 web searches (OpenAI's dearest; file searches are $2.50), in pico-USD per use. */
export const FALLBACK_PICO_PER_USE = 25_000_000_000;
/**
 * Fallback price per page of a document when unknown: $5 per 1,000 pages = 5e9 pico-USD a page,
 * the dearest page price in the pinned catalog (genai-prices 0.1.8: annotated pages on
 * mistral-ocr-4-0, mistral-ocr-4-1 and mistral-ocr-latest from 2026-06-23; their plain pages
 * are $4). An upper bound whether or not the request asks for annotations.
 */
export const FALLBACK_PICO_PER_PAGE = 5_000_000_000;

/** `seconds` of audio at `picoPerHour`, pico-USD: exact, rounded up (the seconds to the microsecond, as the pricer takes them). */
function audioPico(seconds: number, picoPerHour: number): number {
  if (seconds === 0 || picoPerHour === 0) return 0;
  const product = BigInt(audioMicroseconds(seconds)) * BigInt(Math.round(picoPerHour));
  return Number((product + US_PER_HOUR - 1n) / US_PER_HOUR);
}

/** USD per 1M tokens (catalog/config unit) → integer pico-USD per token. */
export function usdPerMillionToPicoPerToken(usdPerMillion: number): number {
  return Math.round(usdPerMillion * 1_000_000);
}

function nonNegative(n: number | null | undefined, fallback: number): number {
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : fallback;
}

/**
 * Estimated cost of a call in nano-USD (integer, >= 0, rounded up, at most
 * Number.MAX_SAFE_INTEGER):
 *   (ceil(promptBytes / bytesPerToken) + contextTokens) * inputPrice + cachedTokens * cachedPrice
 *   + (maxOutputTokens ?? defaultMaxOutput) * outputPrice + maxUses * pricePerUse
 *   + audioSeconds * audioPicoPerHour / 3600 + pages * pricePerPage
 * with each unknown price replaced by its conservative fallback: input and output
 * FALLBACK_INPUT_PICO_PER_TOKEN and FALLBACK_OUTPUT_PICO_PER_TOKEN (the cached tokens' price:
 * the input price), the per-use fee FALLBACK_PICO_PER_USE, the page price
 * FALLBACK_PICO_PER_PAGE. The per-hour audio price has no fallback: absent means the model is
 * not billed by duration, and an upload's audio is then held as tokens (`contextTokens`, at
 * the input price or its fallback). The token and audio part is multiplied by `modifier`
 * (when given; never the per-use or per-page fees) before the rounding up. Pure.
 */
export function estimateCostNano(input: EstimateInput): NanoUsd {
  const bytesPerToken = nonNegative(input.bytesPerToken, BYTES_PER_TOKEN) || BYTES_PER_TOKEN;
  const promptTokens = Math.ceil(nonNegative(input.promptBytes, 0) / bytesPerToken) + Math.ceil(nonNegative(input.contextTokens, 0));
  const defaultOut = nonNegative(input.defaultMaxOutput, DEFAULT_MAX_OUTPUT_TOKENS);
  const outputTokens = Math.ceil(nonNegative(input.maxOutputTokens, defaultOut));
  const inPrice = nonNegative(input.inputPricePerTokenPico, FALLBACK_INPUT_PICO_PER_TOKEN);
  const outPrice = nonNegative(input.outputPricePerTokenPico, FALLBACK_OUTPUT_PICO_PER_TOKEN);
  const uses = Math.ceil(nonNegative(input.maxUses, 0));
  const pages = Math.ceil(nonNegative(input.pages, 0));
  const fees = (uses === 0 ? 0 : uses * nonNegative(input.pricePerUsePico, FALLBACK_PICO_PER_USE)) + (pages === 0 ? 0 : pages * nonNegative(input.pricePerPagePico, FALLBACK_PICO_PER_PAGE));
  const audio = audioPico(nonNegative(input.audioSeconds, 0), nonNegative(input.audioPicoPerHour, 0));
  const cachedTokens = Math.ceil(nonNegative(input.cachedTokens, 0));
  const cached = cachedTokens === 0 ? 0 : cachedTokens * nonNegative(input.cachedPricePerTokenPico, inPrice);
  const tokens = promptTokens * inPrice + cached + outputTokens * outPrice + audio;
  // The modifier scales token prices only, as the pricer does (pricing/compute.ts PER_USE_FEES).
  const pico = (input.modifier === undefined ? tokens : (tokens * input.modifier.numerator) / input.modifier.denominator) + fees;
  return Math.min(Math.ceil(pico / 1000), Number.MAX_SAFE_INTEGER);
}
