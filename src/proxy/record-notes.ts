/** The texts a call's record carries beside its figures (call-recorder.ts): its `error` notes and the budget a refusal names. */

/** The record's `error`: the notes that are set, joined by '; '; null when none is. */
export function joinNotes(notes: ReadonlyArray<string | null | undefined>): string | null {
  const set = notes.filter((n): n is string => n !== null && n !== undefined);
  return set.length === 0 ? null : set.join('; ');
}

/** A short description of what was thrown (the record's `error` and logs; at most 200 characters). */
export function describeFailure(failure: unknown): string {
  const text = failure instanceof Error ? failure.message : String(failure);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/** The name of the budget in a refusal's details (`budget.name`), if any. */
export function budgetName(details: Record<string, unknown>): string | null {
  const budget = details.budget;
  return typeof budget === 'object' && budget !== null && typeof (budget as { name?: unknown }).name === 'string' ? (budget as { name: string }).name : null;
}
