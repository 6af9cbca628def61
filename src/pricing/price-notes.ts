import type { AdvisorUsage } from '../providers/types.js';

/**
 * The notes the pricer writes when a cost is a lower bound (PriceResult.note), which the
 * record keeps in its `error` column after any other text, joined by '; ':
 * - a service-tier note (pricing/service-tiers.ts): the call ran on a tier billed above the
 *   standard price whose price is unknown, so it is priced at the standard rate;
 * - advisor entries (pricer.ts withAdvisors): one per sub-inference left out of the cost (an
 *   advisor consultation, an image of OpenAI's image generation tool), in the order of
 *   `usage.advisors`.
 * A note holds the tier note first, then the advisor entries. This module writes every one
 * of them and finds them again, so `prices reprice` can replace the notes of a stored call
 * with those its new cost leaves (none once it is fully priced), keep the column's other
 * text, and return the stored text unchanged when the notes are the same.
 */

/** How a service-tier note ends, after the model id. */
const TIER_NOTE_TAIL = '; priced at the standard rate (a lower bound)';

/**
 * The note of a call served on OpenAI tier `tier` (`priority`, `ultrafast`) of catalog model
 * `modelId` whose price on that tier is unknown: priced at the standard rate, a lower bound.
 * `fromConfig`: priced by a `prices:` entry named `modelId`, which has no field for a tier's
 * price (the table's price is not used against it).
 */
export function tierNote(tier: string, modelId: string, fromConfig = false): string {
  return `${tier} tier price unknown for ${modelId}${fromConfig ? ' (its prices: entry sets none)' : ''}${TIER_NOTE_TAIL}`;
}

/**
 * A service-tier note as a whole '; '-separated part, whichever tier and model it names (a
 * reprice may resolve the model to another catalog id than the recording did, or price the
 * tier by now). A model id holding '; ' is not matched.
 */
const TIER_NOTES = /(?:^|; )[^\s;]+ tier price unknown for (?:(?!; ).)+?; priced at the standard rate \(a lower bound\)(?=; |$)/g;

/** `error` without any service-tier note (every copy, wherever it stands); null when nothing else is left. */
function withoutTierNotes(error: string): string | null {
  if (!error.includes(TIER_NOTE_TAIL)) return error;
  const text = error.replace(TIER_NOTES, '');
  const rest = text.startsWith('; ') ? text.slice(2) : text;
  return rest === '' ? null : rest;
}

/**
 * The head of an advisor entry: which sub-inference (an image of the image generation tool,
 * one with `outputImageTokens`, names its image model). An entry ends with {@link entryTail}.
 */
function entryHead(advisor: Pick<AdvisorUsage, 'model' | 'outputImageTokens'>): string {
  if (advisor.outputImageTokens !== undefined) return `image model '${advisor.model}' `;
  return advisor.model === '' ? 'an advisor sub-inference named no model' : `advisor model '${advisor.model}' `;
}

/** How an advisor entry ends: the tokens left out of the cost (an image's: its image output tokens). */
function entryTail(advisor: Pick<AdvisorUsage, 'inputTokens' | 'outputTokens' | 'outputImageTokens'>): string {
  if (advisor.outputImageTokens !== undefined) return `: its ${advisor.outputImageTokens} image output tokens are not in the cost`;
  return `: its ${advisor.inputTokens} input and ${advisor.outputTokens} output tokens are not in the cost`;
}

/**
 * The entry for `advisor` left out of the cost: `reason` is the pricer's own (no known price,
 * a unit tokometer does not meter…); null when the consultation named no model.
 */
export function advisorNoteEntry(advisor: AdvisorUsage, reason: string | null): string {
  const head = entryHead(advisor);
  return `${reason === null ? head : `${head}is unpriced (${reason})`}${entryTail(advisor)}`;
}

/**
 * `error` without the advisor entries at its end: the entries of `advisors` (any wording
 * between an entry's head and tail, the one before the pricer gave its reason included:
 * "advisor model 'x' has no price: its …"), from the last consultation back to the first,
 * each only at the very end of what is left and only as a whole '; '-separated part.
 */
function withoutAdvisorEntries(error: string, advisors: readonly AdvisorUsage[]): string {
  let text = error;
  for (let i = advisors.length - 1; i >= 0 && text !== ''; i--) {
    const advisor = advisors[i]!;
    const tail = entryTail(advisor);
    if (!text.endsWith(tail)) continue;
    const head = entryHead(advisor);
    const latest = text.length - tail.length - head.length;
    const start = latest < 0 ? -1 : text.lastIndexOf(head, latest);
    if (start < 0 || (start > 0 && !text.startsWith('; ', start - 2))) continue;
    if (advisor.model === '' && start + head.length + tail.length !== text.length) continue;
    text = start === 0 ? '' : text.slice(0, start - 2);
  }
  return text;
}

/**
 * `error` without the pricer's notes: every service-tier note, then the entries of
 * `advisors` at its end (withoutAdvisorEntries). null when nothing else is left.
 */
export function withoutPriceNotes(error: string | null, advisors: readonly AdvisorUsage[] | undefined): string | null {
  if (error === null) return null;
  const rest = withoutTierNotes(error);
  if (rest === null || advisors === undefined) return rest;
  const text = withoutAdvisorEntries(rest, advisors);
  return text === '' ? null : text;
}

/**
 * The `error` column of a call repriced to a cost whose note is `note` (undefined: fully
 * priced): its other text, then the note. The stored text itself when it already ends with
 * that note, so an unchanged call is not rewritten.
 */
export function replacePriceNotes(error: string | null, advisors: readonly AdvisorUsage[] | undefined, note: string | undefined): string | null {
  const rest = withoutPriceNotes(error, advisors);
  if (note === undefined) return rest;
  return rest === null ? note : `${rest}; ${note}`;
}
