import type { Pricer } from '../pricing/pricer.js';

/**
 * Finds the same provider's smaller siblings of a model from the price catalog
 * (`pricer.list(provider)`), by name: a premium model and its cheaper sibling share a
 * family name and differ by a size word. Two rules, on `-`-separated, lower-cased ids:
 *
 * 1. Suffix: the sibling is the model's id plus size words, e.g. `gpt-4o` → `gpt-4o-mini`,
 *    `gpt-5` → `gpt-5-nano`, `gemini-2.5-flash` → `gemini-2.5-flash-lite`.
 * 2. Ladder: a size word of the model is replaced by a smaller one of the same ladder, the
 *    tokens before it are equal and the tokens after it are versions or size words, e.g.
 *    `claude-opus-4-1` → `claude-sonnet-4-5`, `gemini-2.5-pro` → `gemini-2.5-flash`,
 *    `mistral-large-latest` → `mistral-small-latest`, `gpt-4.1-mini` → `gpt-4.1-nano`.
 *
 * Entries that are deprecated, lack an input or output token price, are variants (`:free`, `ft:`, `vendor/model`) or are for
 * other modalities (audio, image, embeddings, realtime…) are never proposed. Whether a
 * sibling is actually cheaper for a workload is decided by pricing the observed tokens.
 */

/** Size ladders, largest first. */
const LADDERS: readonly (readonly string[])[] = [
  ['opus', 'sonnet', 'haiku'],
  ['ultra', 'pro', 'flash'],
  ['large', 'medium', 'small'],
  ['mini', 'nano'],
];
/** Words that make a name smaller when appended. */
const SIZE_WORDS = new Set(['mini', 'nano', 'lite', 'flash', 'small', 'haiku', 'tiny']);
/** Tokens that only version a name: 4, 5, 2.5, 20250929, latest, preview. */
const VERSION_RE = /^(\d+(\.\d+)*|latest|preview)$/;
/** Another modality or a special-purpose model: never a drop-in replacement for chat. */
const OTHER_MODALITY_RE = /(audio|tts|realtime|transcribe|image|embed|search|live|vision|ocr|moderation|computer-use|guard|codex)/;

function tailIsSmallOrVersion(tokens: readonly string[]): boolean {
  return tokens.every((t) => SIZE_WORDS.has(t) || VERSION_RE.test(t));
}

/** True when `candidate` is a smaller sibling of `base` by the rules above (both lower-case catalog ids). */
export function isSmallerSibling(base: string, candidate: string): boolean {
  if (candidate === base || /[:/]/.test(candidate) || OTHER_MODALITY_RE.test(candidate)) return false;
  if (candidate.startsWith(`${base}-`)) {
    const rest = candidate.slice(base.length + 1).split('-');
    if (rest.some((t) => SIZE_WORDS.has(t)) && tailIsSmallOrVersion(rest)) return true;
  }
  const b = base.split('-');
  const c = candidate.split('-');
  for (let i = 0; i < b.length && i < c.length; i++) {
    if (i > 0 && b[i - 1] !== c[i - 1]) return false;
    const ladder = LADDERS.find((l) => l.includes(b[i]!));
    if (ladder === undefined) continue;
    const from = ladder.indexOf(b[i]!);
    const to = ladder.indexOf(c[i]!);
    if (to > from && tailIsSmallOrVersion(c.slice(i + 1))) return true;
  }
  return false;
}

/**
 * Catalog ids of the smaller siblings of `model` at `provider`, valid at `at` (ms). Empty
 * when the model itself has no price (an unpriced model cannot be compared).
 */
export function smallerSiblings(pricer: Pricer, provider: string, model: string, at: number): string[] {
  const own = pricer.describe(model, provider, at);
  if (own === null) return [];
  const base = own.modelId.toLowerCase();
  const out = new Set<string>();
  for (const d of pricer.list(provider, at)) {
    if (d.deprecated || d.rates.input === null || d.rates.output === null) continue;
    const id = d.modelId.toLowerCase();
    if (isSmallerSibling(base, id)) out.add(d.modelId);
  }
  return [...out];
}

/** Natural order for model ids (`4-10` after `4-9`); the newest version sorts last. */
export function compareModelIds(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}
