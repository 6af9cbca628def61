import type { Usage } from './types.js';
import { isObj, count } from './json.js';

/**
 * Normalises Cohere v2 usage to `Usage`, or null when nothing billable is reported.
 *
 * `raw` is a chat `usage` object (body `usage`, or `message-end.delta.usage` in a stream)
 * or an embed `meta` object; both carry `billed_units` and `cached_tokens`.
 * - Billing follows `billed_units.{input_tokens, output_tokens}`. The raw `tokens` counts
 *   include Cohere's own preamble and template (71 tokens against 5 billed for one short
 *   prompt), so they are never used, not even as a fallback.
 * - `cached_tokens` (prompt tokens that hit Cohere's cache) becomes `cacheReadTokens`,
 *   treated as a subset of the billed input and clamped to it.
 * - Image embeddings bill `billed_units.image_tokens` (PROVIDERS.md §6): they count as input
 *   tokens, priced at the model's input rate (the catalog has no separate image rate; a
 *   `prices:` override sets one). Without them, an image embed would be priced from an
 *   estimate of its base64 body (~100× too high). A bare image count (`images`) and
 *   `search_units` are not token-priced and are ignored.
 * Cohere reports no reasoning split and no cost of its own.
 */
export function normaliseCohereUsage(raw: unknown): Usage | null {
  if (!isObj(raw) || !isObj(raw.billed_units)) return null;
  const text = count(raw.billed_units.input_tokens);
  const images = count(raw.billed_units.image_tokens);
  const output = count(raw.billed_units.output_tokens);
  if (text === undefined && images === undefined && output === undefined) return null;
  const inputTokens = (text ?? 0) + (images ?? 0);
  return {
    inputTokens,
    outputTokens: output ?? 0,
    cacheReadTokens: Math.min(count(raw.cached_tokens) ?? 0, inputTokens),
    cacheWrite5mTokens: 0,
    cacheWrite1hTokens: 0,
    reasoningTokens: 0,
  };
}
