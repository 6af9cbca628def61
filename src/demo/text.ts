import { createRng, hashString } from './random.js';

/**
 * Filler text of a chosen token size, for the demo's prompts and the simulated
 * provider's answers. Both sides agree that one token is CHARS_PER_TOKEN characters, so
 * the workload can size a prompt in tokens and the simulated provider reports the same.
 */

/** Characters per token, as the demo sizes prompts and the simulated provider counts them. */
export const CHARS_PER_TOKEN = 4;

/** Tokens in `text` as the simulated provider counts them: ⌈characters / 4⌉. */
export function countTokens(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}

const WORDS = (
  'the of and to in a is that for it as with was on be by this are from at or an which revenue quarter ' +
  'customer contract invoice policy renewal report summary account team product release roadmap risk ' +
  'budget forecast margin pipeline support ticket escalation onboarding migration latency incident ' +
  'review approval compliance audit vendor procurement schedule milestone deliverable stakeholder ' +
  'function const return await async import export interface type string number boolean value result ' +
  'error request response config handler service client server cache index query table column record ' +
  'increase decrease growth churn retention usage seats region europe america asia north south annual'
).split(' ');

/** Size of the shared corpus in characters; prompts are slices of it. */
const CORPUS_CHARS = 1 << 19;

let doubled: string | undefined;

/** The corpus twice over (so any slice up to CORPUS_CHARS long needs no wrap), built once. */
function corpus(): string {
  if (doubled !== undefined) return doubled;
  const rng = createRng(7, 'corpus');
  const parts: string[] = [];
  let length = 0;
  let sentence = 0;
  while (length < CORPUS_CHARS) {
    let word = rng.pick(WORDS);
    if (sentence === 0) word = word[0]!.toUpperCase() + word.slice(1);
    sentence++;
    const end = sentence > 6 && rng.chance(0.12);
    const piece = end ? `${word}. ` : `${word} `;
    if (end) sentence = 0;
    parts.push(piece);
    length += piece.length;
  }
  const once = parts.join('').slice(0, CORPUS_CHARS);
  doubled = once + once;
  return doubled;
}

/**
 * Exactly `tokens × CHARS_PER_TOKEN` characters of English-looking text, the same for the
 * same `key` (different keys start at different places of the corpus).
 */
export function textFor(key: string, tokens: number): string {
  const length = Math.min(Math.max(0, Math.round(tokens)) * CHARS_PER_TOKEN, CORPUS_CHARS);
  const offset = hashString(key) % CORPUS_CHARS;
  return corpus().slice(offset, offset + length);
}
