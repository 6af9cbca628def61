/**
 * Rough token estimate for calls whose usage never arrived (an interrupted stream, a
 * provider that omits usage). Rows built from it are flagged `estimated`.
 *
 * Rule of thumb: about {@link CHARS_PER_TOKEN} characters (UTF-16 code units) per token for
 * English text with BPE tokenizers. The one rule for text of a request (its body) and of an
 * answer (the text it generated: ProviderAdapter.answerTextLength).
 */

/** Characters (UTF-16 code units) per token the estimate assumes. */
export const CHARS_PER_TOKEN = 4;

/** Tokens of `text`: a non-negative integer, ceil(length / 4), 0 for ''. */
export function estimateTokens(text: string): number {
  return estimateTokensOfLength(text.length);
}

/** Tokens of a text of `chars` characters (UTF-16 code units), as estimateTokens counts them: ceil(chars / 4), 0 for none. */
export function estimateTokensOfLength(chars: number): number {
  return Math.max(0, Math.ceil(chars / CHARS_PER_TOKEN));
}
