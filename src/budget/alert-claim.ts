import { errorMessage } from '../lib/errors.js';

/**
 * ms an alert's webhook waits at most for the store to say whether this replica stored the
 * alert's row (the claim). Normally one insert's round trip; beyond this the store counts as
 * unreachable and the webhook goes out anyway (docs/reliability.md, "one webhook per alert").
 */
export const ALERT_CLAIM_WAIT_MS = 3_000;

/**
 * The store's answer to an alert's claim: `mine` when this replica's insert stored its row
 * (this replica sends the webhook), `taken` when the row was there already (another
 * replica stored it first and sends it), `unknown` when the store refused or did not answer
 * within the wait (`reason` says which): the webhook is sent, possibly a duplicate.
 */
export type ClaimAnswer = { readonly kind: 'mine' } | { readonly kind: 'taken' } | { readonly kind: 'unknown'; readonly reason: string };

/**
 * Waits for `inserted` (the claim: resolves true when this call stored the row, false when it
 * was stored already, rejects when the store refused) at most `ms` from now; never rejects.
 * The timer never holds the process open and is cleared once the claim answers.
 */
export function awaitClaim(inserted: Promise<boolean>, ms: number): Promise<ClaimAnswer> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ kind: 'unknown', reason: `the store gave no answer within ${ms / 1000} s` }), ms) as unknown as { unref?: () => void };
    timer.unref?.();
    const answered = (answer: ClaimAnswer) => {
      clearTimeout(timer as unknown as ReturnType<typeof setTimeout>);
      resolve(answer);
    };
    inserted.then(
      (mine) => answered(mine ? { kind: 'mine' } : { kind: 'taken' }),
      (error: unknown) => answered({ kind: 'unknown', reason: `the store refused it: ${errorMessage(error)}` }),
    );
  });
}
