import { isEmbedding, type AuditCall } from './calls.js';
import type { AuditContext } from './types.js';

/**
 * Identical requests (same metering key, provider and request hash = SHA-256 of the body),
 * split into disjoint sets so that no call's cost is claimed by two detectors. Repeats count
 * within one key only: two keys sending the same body are two clients (tenants, apps), not
 * one client retrying, and one key's cache never holds another key's answers.
 *
 * - storms (waste): a burst is a run of same-hash calls of one user (the `user_id` tag; calls
 *   without one are one user), each starting ≤ RETRY_WINDOW_MS after the previous one; a burst
 *   of ≥ STORM_MIN_CALLS calls is a retry storm. Several users of a key sending the same body
 *   (a canned prompt) within seconds are not retrying. Refused calls (never forwarded, cost 0)
 *   are ignored.
 * - exactRepeats (caching): answered, non-embedding calls outside storms whose hash an
 *   earlier answered call of the key in the window already had, whichever user sent it — an
 *   exact cache would have answered.
 * - reembedded (waste): the same for embedding calls — the same text embedded again.
 */

export const RETRY_WINDOW_MS = 10_000;
export const STORM_MIN_CALLS = 3;

/** What makes two calls the same request: metering key (null = no key), provider, request hash. */
export function sameRequestKey(c: AuditCall): string {
  return JSON.stringify([c.keyName, c.provider, c.requestHash]);
}

/** The user whose repeated calls can be retries: the `user_id` tag, null without one. */
const USER_TAG = 'user_id';

/** What makes two calls one client's retry: the same request (sameRequestKey) from the same user. */
function sameRetryKey(c: AuditCall): string {
  return JSON.stringify([c.keyName, c.provider, c.requestHash, c.tags[USER_TAG] ?? null]);
}

export interface RepeatPartition {
  /** Each storm's calls, oldest first. */
  storms: AuditCall[][];
  /** ids of every call in a storm. */
  inStorm: ReadonlySet<number>;
  exactRepeats: AuditCall[];
  reembedded: AuditCall[];
}

const cache = new WeakMap<AuditContext, RepeatPartition>();

/** The partition for this audit (computed once per context). `ctx.calls` is sorted by time. */
export function repeats(ctx: AuditContext): RepeatPartition {
  let p = cache.get(ctx);
  if (p === undefined) {
    p = partition(ctx.calls);
    cache.set(ctx, p);
  }
  return p;
}

function partition(calls: readonly AuditCall[]): RepeatPartition {
  const storms: AuditCall[][] = [];
  const inStorm = new Set<number>();
  const bursts = new Map<string, AuditCall[]>();
  const closeBurst = (burst: AuditCall[]) => {
    if (burst.length < STORM_MIN_CALLS) return;
    storms.push(burst);
    for (const c of burst) inStorm.add(c.id);
  };
  for (const c of calls) {
    if (c.requestHash === null || c.outcome === 'refused') continue;
    const key = sameRetryKey(c);
    const burst = bursts.get(key);
    if (burst !== undefined && c.ts - burst[burst.length - 1]!.ts <= RETRY_WINDOW_MS) burst.push(c);
    else {
      if (burst !== undefined) closeBurst(burst);
      bursts.set(key, [c]);
    }
  }
  for (const burst of bursts.values()) closeBurst(burst);
  storms.sort((a, b) => a[0]!.ts - b[0]!.ts);

  const seen = new Set<string>();
  const exactRepeats: AuditCall[] = [];
  const reembedded: AuditCall[] = [];
  for (const c of calls) {
    // A repeated image request asks for a new image, not the one already made: no answer to reuse.
    if (c.requestHash === null || c.outcome !== 'ok' || c.endpoint.startsWith('images.')) continue;
    const key = sameRequestKey(c);
    if (seen.has(key) && !inStorm.has(c.id)) (isEmbedding(c) ? reembedded : exactRepeats).push(c);
    seen.add(key);
  }
  return { storms, inStorm, exactRepeats, reembedded };
}
