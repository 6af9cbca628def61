import type { Usage } from '../providers/types.js';
import type { Rates } from './rates.js';

/**
 * Why a call cannot be priced by the price found for it, as to the audio's duration; null when
 * it can. A model priced per hour of audio (`hasHourPrice`: whisper-1) needs the seconds
 * (`usage.audioSeconds`): without them its cost is unknown, not $0. A usage billed by duration
 * alone (seconds, no token counts: whisper-1's `{type: "duration"}`) for a model with no
 * per-hour price is unpriced too: no token price (a configured one included) may stand in for
 * it as $0. A usage with tokens and seconds (an estimate of a token-billed transcription,
 * proxy/recorded-usage.ts) is priced by whichever the model has.
 */
export function durationMismatch(usage: Usage, hasHourPrice: boolean, modelId: string): string | null {
  const seconds = usage.audioSeconds;
  if (hasHourPrice) return seconds === undefined ? `'${modelId}' is priced per hour of audio, and the call's usage reports no duration` : null;
  if (seconds === undefined || usage.inputTokens > 0 || usage.outputTokens > 0) return null;
  return `billed per second of audio (${seconds} s), and '${modelId}' has no price per hour of audio; add audio_hour under 'prices:' in the config`;
}

/**
 * Why a call cannot be priced by the price found for it, as to the pages of a document; null
 * when it can. A model priced per page (`documentPage`: Mistral OCR) needs the pages
 * (`usage.documentPages`): without them its cost is unknown, not $0. Pages alone (no token
 * counts) for a model without a page price are unpriced too. Annotated pages on a model with
 * a page price but no annotated one (mistral-ocr-2503) are priced: at the page price, the
 * catalog's fallback from a unit to its ancestor (compute.ts).
 */
export function pageMismatch(usage: Usage, rates: Rates, modelId: string): string | null {
  const pages = usage.documentPages;
  if (rates.documentPage !== undefined) return pages === undefined ? `'${modelId}' is priced per page, and the call's usage reports no pages` : null;
  if (pages === undefined || usage.inputTokens > 0 || usage.outputTokens > 0) return null;
  return `billed per page (${pages} pages), and '${modelId}' has no price per page`;
}
