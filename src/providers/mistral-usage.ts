import { normaliseOpenAiUsage } from './openai-usage.js';
import type { Usage } from './types.js';
import { isObj, count } from './json.js';

/**
 * Normalises a Mistral `usage` object (chat completions, FIM, embeddings) to `Usage`, or
 * null when it carries no token counts.
 *
 * Mistral's usage is OpenAI-shaped (`prompt_tokens` includes cached tokens,
 * `completion_tokens` is all output), so the OpenAI normaliser does the counting. On top:
 * - prompt-cache hits arrive as `prompt_tokens_details.cached_tokens` (documented), and in
 *   some responses as `num_cached_tokens` or `prompt_token_details.cached_tokens`; the first
 *   present one wins, clamped to the prompt.
 * - `usage.service_tier` (standard | priority) becomes `serviceTier`.
 * - Mistral reports no cost of its own, so `providerCostNano` is never set (an unknown
 *   `cost` key is not read as dollars).
 * Unknown keys are ignored, and so is `prompt_audio_seconds` here: only a transcription's
 * seconds are read (mistral-transcriptions.ts); a chat call with audio is priced by its tokens
 * alone (any per-minute audio charge on chat is not metered).
 */
export function normaliseMistralUsage(raw: unknown): Usage | null {
  const usage = normaliseOpenAiUsage(raw);
  if (!usage || !isObj(raw)) return null;
  delete usage.providerCostNano;
  if (usage.cacheReadTokens === 0) {
    const alt = count(raw.num_cached_tokens) ?? (isObj(raw.prompt_token_details) ? count(raw.prompt_token_details.cached_tokens) : undefined) ?? 0;
    usage.cacheReadTokens = Math.min(alt, usage.inputTokens - usage.cacheWrite5mTokens);
  }
  const tier = raw.service_tier;
  if (typeof tier === 'string' && tier.length > 0) usage.serviceTier = tier;
  return usage;
}
