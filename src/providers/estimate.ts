/**
 * Rough token estimate for calls whose usage never arrived (an interrupted stream, a
 * provider that omits usage). Rows built from it are flagged `estimated`.
 *
 * Rule of thumb: about 4 characters (UTF-16 code units) per token for English text
 * with BPE tokenizers. Returns a non-negative integer: ceil(length / 4), 0 for ''.
 */
export function estimateTokens(text: string): number {
  return Math.max(0, Math.ceil(text.length / 4));
}
