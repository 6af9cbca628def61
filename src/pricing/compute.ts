import type { Usage } from '../providers/types.js';
import { err, ok, type Result } from '../lib/result.js';
import { UNMODIFIED, isUnmodified, type Ratio } from './modifiers.js';
import { US_PER_HOUR, audioMicroseconds, picoAt, type Rate, type Rates } from './rates.js';
import type { CostBreakdown } from './types.js';

const ZERO: Rate = { base: 0, tiers: [] };

/**
 * The cost of one call from its normalised usage and integer rates, in nano-USD.
 *
 * Exact: every dimension is (integer tokens) × (integer pico-USD per token) in BigInt;
 * the pico sum is rounded half up to nano once at the end.
 *
 * Dimensions (counts follow the inclusion rules of `Usage`):
 * - uncached input = input − cacheRead − cacheWrite5m − cacheWrite1h (− inputAudio when audio is
 *   priced, − inputImage when image input is priced)
 * - cache read at cacheRead (fallback input); cache write 5m at cacheWrite5m → cacheWrite → input;
 *   cache write 1h at cacheWrite1h → cacheWrite → input (the catalog's ancestor rules)
 * - audio input at inputAudio, only when priced (else it stays in uncached input); its
 *   cached part (`cacheAudioReadTokens`, else the overlap of the cache and audio counts) at
 *   cacheAudioRead → cacheRead → inputAudio
 * - image input at inputImage (the catalog's `input_image_mtok`), only when priced (else it
 *   stays in uncached input, at input). Image tokens are never cached ones: no provider says
 *   how much of a cache hit was image (`cache_image_read_mtok` is unmetered, rates.ts), so
 *   image + uncached audio + cache reads + writes must fit in the input, else the usage is
 *   inconsistent
 * - output (− outputAudio, − outputImage, − reasoning when each is priced) at output;
 *   reasoning is part of output and is never counted twice
 * - web searches × the per-search fee and file search tool calls × the per-call fee (counts,
 *   not tokens), when the model has them
 * - seconds of audio (`audioSeconds`, whisper-1) × the per-hour price / 3600, when the model
 *   is priced by duration (`audioHour`): the seconds are taken to the microsecond (the exact
 *   pico cost is µs × pico-per-hour / 3,600,000,000, kept as that fraction), so a fractional
 *   second is priced to the nano-USD like the rest; a model without that price leaves them
 *   out (pricer.ts decides when that makes a call unpriced)
 * - pages of a document (`documentPages`, Mistral OCR; counts, like searches): the annotated
 *   ones among them (`annotatedPages` ≤ `documentPages`, else the usage is inconsistent) at the
 *   annotated page price → page price, the others at the page price. An annotated page is
 *   billed instead of, never on top of, a plain page: in the catalog's unit registry annotated
 *   pages are a subset of the pages, each unit priced on its own share only, and a unit
 *   without its own price falls back to its ancestor's (genai-prices compute_leaf_values),
 *   the way cache reads sit under input
 * Tiered prices are chosen by the TOTAL input tokens (cache included) and apply to all
 * tokens of the dimension.
 *
 * `modifier` (pricing/modifiers.ts: US-only inference, fast mode, flex) multiplies the exact
 * pico cost of the token dimensions and of the audio's duration, before the one rounding to
 * nano: never the rounded total, and never the per-use search and page fees (PER_USE_FEES).
 *
 * Returns an error for usage that breaks the inclusion rules (cache > input…): such a
 * call is recorded unpriced rather than priced from nonsense.
 */
export function computeCost(usage: Usage, rates: Rates, modifier: Ratio = UNMODIFIED): Result<{ costNano: number; breakdown: CostBreakdown }> {
  const fast = isUnmodified(modifier) ? fastCost(usage, rates) : null;
  if (fast !== null) return ok(fast);
  const counts = {
    input: usage.inputTokens,
    output: usage.outputTokens,
    cacheRead: usage.cacheReadTokens,
    cacheWrite5m: usage.cacheWrite5mTokens,
    cacheWrite1h: usage.cacheWrite1hTokens,
    reasoning: usage.reasoningTokens,
    inputAudio: usage.inputAudioTokens ?? 0,
    inputImage: usage.inputImageTokens ?? 0,
    cacheAudioRead: usage.cacheAudioReadTokens ?? 0,
    outputAudio: usage.outputAudioTokens ?? 0,
    outputImage: usage.outputImageTokens ?? 0,
    webSearches: usage.webSearches ?? 0,
    fileSearches: usage.fileSearches ?? 0,
    documentPages: usage.documentPages ?? 0,
    annotatedPages: usage.annotatedPages ?? 0,
  };
  for (const [name, n] of Object.entries(counts)) {
    if (!Number.isSafeInteger(n) || n < 0) return err(`invalid usage: ${name} tokens = ${n}`);
  }
  const audioUs = durationUs(usage.audioSeconds, rates.audioHour);
  if (audioUs === null) return err(`invalid usage: audio seconds = ${usage.audioSeconds}`);
  if (counts.annotatedPages > counts.documentPages) {
    return err(`inconsistent usage: annotated pages (${counts.annotatedPages}) exceed document pages (${counts.documentPages})`);
  }
  const cacheWrites = counts.cacheWrite5m + counts.cacheWrite1h;
  if (counts.cacheRead + cacheWrites > counts.input) {
    return err(`inconsistent usage: cache tokens (${counts.cacheRead + cacheWrites}) exceed input tokens (${counts.input})`);
  }

  const audioIn = rates.inputAudio ? counts.inputAudio : 0;
  // Providers report cached tokens and audio tokens separately; when they overlap,
  // the overlap can only be cached audio. Gemini also says how much of the cache was audio.
  const overlap = Math.max(0, counts.cacheRead + cacheWrites + audioIn - counts.input);
  const cachedAudio = audioIn > 0 ? Math.max(overlap, counts.cacheAudioRead) : 0;
  if (cachedAudio > Math.min(audioIn, counts.cacheRead)) {
    return err(`inconsistent usage: cached audio (${cachedAudio}) exceeds audio input (${audioIn}) or cache reads (${counts.cacheRead}) of ${counts.input} input tokens`);
  }
  // Image input is all uncached: it must fit beside the uncached audio and the cache tokens.
  const imageIn = rates.inputImage ? counts.inputImage : 0;
  if (imageIn + audioIn - cachedAudio + counts.cacheRead + cacheWrites > counts.input) {
    return err(`inconsistent usage: image input (${imageIn}), uncached audio input (${audioIn - cachedAudio}) and cache tokens (${counts.cacheRead + cacheWrites}) exceed input tokens (${counts.input})`);
  }
  const outAudio = rates.outputAudio ? counts.outputAudio : 0;
  const outImage = rates.outputImage ? counts.outputImage : 0;
  const reasoning = rates.outputReasoning ? counts.reasoning : 0;
  if (outAudio + outImage + reasoning > counts.output) {
    return err(`inconsistent usage: audio/image/reasoning output tokens (${outAudio + outImage + reasoning}) exceed output tokens (${counts.output})`);
  }

  const total = counts.input;
  const input = rates.input ?? ZERO;
  const cacheRead = rates.cacheRead ?? input;
  const cacheWrite = rates.cacheWrite ?? input;
  const output = rates.output ?? ZERO;
  const cost = (tokens: number, rate: Rate): bigint => BigInt(tokens) * BigInt(picoAt(rate, total));

  // Cached audio is billed at the most specific price that covers it (the catalog's rule):
  // its own, else the cache-read price, else (no cache discount) the audio price.
  const cachedAudioRate = rates.cacheAudioRead ?? (rates.cacheRead ? cacheRead : (rates.inputAudio ?? input));
  const pico = {
    uncachedInput: cost(counts.input - counts.cacheRead - cacheWrites - audioIn + cachedAudio - imageIn, input),
    cacheRead: cost(counts.cacheRead - cachedAudio, cacheRead) + cost(cachedAudio, cachedAudioRate),
    cacheWrite5m: cost(counts.cacheWrite5m, rates.cacheWrite5m ?? cacheWrite),
    cacheWrite1h: cost(counts.cacheWrite1h, rates.cacheWrite1h ?? cacheWrite),
    inputAudio: cost(audioIn - cachedAudio, rates.inputAudio ?? ZERO),
    inputImage: cost(imageIn, rates.inputImage ?? ZERO),
    output: cost(counts.output - outAudio - outImage - reasoning, output),
    outputAudio: cost(outAudio, rates.outputAudio ?? ZERO),
    outputImage: cost(outImage, rates.outputImage ?? ZERO),
    outputReasoning: cost(reasoning, rates.outputReasoning ?? ZERO),
    webSearch: cost(counts.webSearches, rates.webSearch ?? ZERO),
    fileSearch: cost(counts.fileSearches, rates.fileSearch ?? ZERO),
    documentPage: cost(counts.documentPages - counts.annotatedPages, rates.documentPage ?? ZERO),
    annotatedPage: cost(counts.annotatedPages, rates.annotatedPage ?? rates.documentPage ?? ZERO),
  };
  // The modifier scales token and duration prices only; the per-use search fees stay as
  // listed. Every sum is kept exact, in 1/(denominator × 3.6e9) pico (the duration's cost is
  // µs × pico per hour / 3.6e9), so the total is rounded once.
  const num = BigInt(modifier.numerator);
  const den = BigInt(modifier.denominator);
  let scaledSum = 0n;
  const breakdown = {} as CostBreakdown;
  for (const [k, v] of Object.entries(pico) as Array<[Exclude<keyof CostBreakdown, 'audioDuration'>, bigint]>) {
    const perUse = PER_USE_FEES.has(k);
    scaledSum += (perUse ? v * den : v * num) * US_PER_HOUR;
    breakdown[k] = picoToNano(v, perUse ? UNMODIFIED : modifier);
  }
  const durationPerHour = BigInt(audioUs) * BigInt(rates.audioHour?.base ?? 0);
  scaledSum += durationPerHour * num;
  breakdown.audioDuration = picoToNano(durationPerHour, { numerator: modifier.numerator, denominator: modifier.denominator * Number(US_PER_HOUR) });
  return ok({ costNano: picoToNano(scaledSum, { numerator: 1, denominator: modifier.denominator * Number(US_PER_HOUR) }), breakdown });
}


/**
 * `seconds` of audio in whole microseconds (rounded half up), the unit the duration is priced
 * in; 0 when the model has no per-hour price (`rate` absent) or the usage no seconds; null
 * for seconds that are no duration (negative, not finite).
 */
function durationUs(seconds: number | undefined, rate: Rate | undefined): number | null {
  if (seconds === undefined) return 0;
  if (!Number.isFinite(seconds) || seconds < 0) return null;
  return rate === undefined ? 0 : audioMicroseconds(seconds);
}

/**
 * Breakdown dimensions that are per-use fees, not token prices: a price modifier (US-only,
 * fast mode, flex) never changes them (Anthropic and OpenAI list web search at $10 per 1,000
 * searches whatever the speed, region or tier of the tokens; no modifier applies to
 * Mistral's page prices).
 */
const PER_USE_FEES: ReadonlySet<keyof CostBreakdown> = new Set(['webSearch', 'fileSearch', 'documentPage', 'annotatedPage']);

/** Rounds non-negative pico-USD, times `modifier` (default 1), to nano-USD, half up: one rounding of the exact product. */
export function picoToNano(pico: bigint, modifier: Ratio = UNMODIFIED): number {
  const scale = BigInt(modifier.denominator) * 1000n;
  return Number((pico * BigInt(modifier.numerator) + scale / 2n) / scale);
}

/**
 * The common case exactly, without BigInt, Object.entries or the validation loop: no audio
 * (neither tokens nor a price), no image output tokens, no image input tokens priced on their
 * own (image tokens on a model without an image input price are plain input, as the general
 * path prices them: every vision call on such a model stays here), no web or file search, no
 * separately priced reasoning, valid counts, and every pico product and sum a safe integer
 * (tokens × pico per token stays far below 2^53 for real calls). A model with an image input
 * price and no image tokens in the usage stays here too (its image price applies to 0 tokens).
 * Null sends the call to the general path above, which also produces its error messages.
 */
function fastCost(u: Usage, rates: Rates): { costNano: number; breakdown: CostBreakdown } | null {
  if (imageTokensPricedOrInvalid(u.inputImageTokens, rates) || rates.inputAudio || rates.outputAudio || rates.outputReasoning || rates.audioHour || u.inputAudioTokens || u.outputAudioTokens || u.outputImageTokens || u.webSearches || u.fileSearches || u.audioSeconds !== undefined || u.documentPages !== undefined || u.annotatedPages !== undefined) return null;
  const { inputTokens: input, outputTokens: output, cacheReadTokens: read, cacheWrite5mTokens: w5, cacheWrite1hTokens: w1, reasoningTokens: reasoning } = u;
  if (!Number.isSafeInteger(input) || !Number.isSafeInteger(output) || !Number.isSafeInteger(read) || !Number.isSafeInteger(w5) || !Number.isSafeInteger(w1) || !Number.isSafeInteger(reasoning)) return null;
  if (input < 0 || output < 0 || read < 0 || w5 < 0 || w1 < 0 || reasoning < 0 || read + w5 + w1 > input) return null;
  const inRate = rates.input ?? ZERO;
  const write = rates.cacheWrite ?? inRate;
  const p = [
    (input - read - w5 - w1) * picoAt(inRate, input),
    read * picoAt(rates.cacheRead ?? inRate, input),
    w5 * picoAt(rates.cacheWrite5m ?? write, input),
    w1 * picoAt(rates.cacheWrite1h ?? write, input),
    output * picoAt(rates.output ?? ZERO, input),
  ];
  const sum = p[0]! + p[1]! + p[2]! + p[3]! + p[4]!;
  if (!Number.isSafeInteger(sum)) return null;
  const nano = (pico: number): number => (pico + 500 - ((pico + 500) % 1000)) / 1000;
  return {
    costNano: nano(sum),
    breakdown: { uncachedInput: nano(p[0]!), cacheRead: nano(p[1]!), cacheWrite5m: nano(p[2]!), cacheWrite1h: nano(p[3]!), inputAudio: 0, inputImage: 0, output: nano(p[4]!), outputAudio: 0, outputImage: 0, outputReasoning: 0, webSearch: 0, fileSearch: 0, audioDuration: 0, documentPage: 0, annotatedPage: 0 },
  };
}

/**
 * Whether image input tokens need the general path: some are in the usage and either the
 * model prices them on their own (`inputImage`) or the count is no count (negative, fractional:
 * the general path reports it as invalid usage). Image tokens of a model without an image
 * price are plain input, which the fast path prices as the general path does.
 */
function imageTokensPricedOrInvalid(tokens: number | undefined, rates: Rates): boolean {
  if (tokens === undefined || tokens === 0) return false;
  return rates.inputImage !== undefined || !Number.isSafeInteger(tokens) || tokens < 0;
}
