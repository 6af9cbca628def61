import type { AdvisorUsage } from '../providers/types.js';

/**
 * The note a call's cost carries when it leaves advisor sub-inferences out (PriceResult.note,
 * kept in the record's `error` column after any other text, joined by '; '): one entry per
 * consultation left out, in the order of `usage.advisors`. This module writes the entries
 * and finds them again, so `prices reprice` can replace the note of a stored call with the
 * one its new cost leaves (none once every consultation is priced).
 */

/** The head of an entry: which consultation. An entry ends with {@link entryTail}. */
function entryHead(advisor: Pick<AdvisorUsage, 'model'>): string {
  return advisor.model === '' ? 'an advisor sub-inference named no model' : `advisor model '${advisor.model}' `;
}

/** How an entry ends: the tokens left out of the cost. */
function entryTail(advisor: Pick<AdvisorUsage, 'inputTokens' | 'outputTokens'>): string {
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
 * `error` without the advisor note at its end: the entries of `advisors` (any wording
 * between an entry's head and tail, the one before this module included: "advisor model
 * 'x' has no price: its …"), from the last consultation back to the first, each only at the
 * very end of what is left and only as a whole '; '-separated part. null when nothing else
 * is left.
 */
export function withoutAdvisorNote(error: string | null, advisors: readonly AdvisorUsage[] | undefined): string | null {
  if (error === null || advisors === undefined) return error;
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
  return text === '' ? null : text;
}

/** The `error` column of a call repriced to a cost whose note is `note` (undefined: fully priced): its other text, then the note. */
export function replaceAdvisorNote(error: string | null, advisors: readonly AdvisorUsage[] | undefined, note: string | undefined): string | null {
  const rest = withoutAdvisorNote(error, advisors);
  if (note === undefined) return rest;
  return rest === null ? note : `${rest}; ${note}`;
}
