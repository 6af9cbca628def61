import type { Usage } from './types.js';
import { isObj, count } from './json.js';

/**
 * Normalises Cohere usage to `Usage`, or null when no token counts are reported.
 *
 * `raw` is a v2 chat `usage` object (body `usage`, or `message-end.delta.usage` in a stream),
 * a v1 chat `meta` (body, or `stream-end.response.meta`) or an embed `meta` object; all carry
 * `billed_units`, `tokens` (chat) and `cached_tokens`.
 * - Cohere bills `billed_units.{input_tokens, output_tokens}`: whenever they carry a count,
 *   they are what is metered. The raw `tokens` counts include Cohere's own preamble and
 *   template (71 tokens against 5 billed for one short prompt), so they are the fallback
 *   only: used when `billed_units` is absent or null (or has no token count) and `tokens`
 *   has one. They are still the provider's own report (the call is recorded `reported`),
 *   closer to the bill than an estimate from the answer's characters, if above it.
 * - `cached_tokens` (prompt tokens that hit Cohere's cache) becomes `cacheReadTokens`,
 *   treated as a subset of the input and clamped to it.
 * - Image embeddings bill `billed_units.image_tokens` (PROVIDERS.md §6): they count as input
 *   tokens and are `inputImageTokens` too, priced at the model's image input price when it
 *   has one (embed-v4.0: tokometer's override, pricing/overrides.ts), else at its input price.
 *   Without them, an image embed would be priced from an estimate of its base64 body (~100×
 *   too high). A bare image count (`images`) and `search_units` are not token-priced and are ignored.
 * Cohere reports no reasoning split and no cost of its own.
 */
export function normaliseCohereUsage(raw: unknown): Usage | null {
  if (!isObj(raw)) return null;
  const counts = tokenCounts(raw.billed_units) ?? tokenCounts(raw.tokens);
  if (counts === null) return null;
  const usage: Usage = {
    inputTokens: counts.input,
    outputTokens: counts.output,
    cacheReadTokens: Math.min(count(raw.cached_tokens) ?? 0, counts.input),
    cacheWrite5mTokens: 0,
    cacheWrite1hTokens: 0,
    reasoningTokens: 0,
  };
  if (counts.images > 0) usage.inputImageTokens = counts.images;
  return usage;
}

/** Input (text plus image tokens, `images` of them image) and output of one `billed_units` or `tokens` object; null when it has no token count. */
function tokenCounts(units: unknown): { input: number; images: number; output: number } | null {
  if (!isObj(units)) return null;
  const text = count(units.input_tokens);
  const images = count(units.image_tokens);
  const output = count(units.output_tokens);
  if (text === undefined && images === undefined && output === undefined) return null;
  return { input: (text ?? 0) + (images ?? 0), images: images ?? 0, output: output ?? 0 };
}
