import type { CallOutcome, UsageSource } from './types.js';

/**
 * "Served by the provider", the one definition reports count by default (issue #18: a
 * refused or failed call is not a call the feature made): every call except those
 * tokometer answered itself (outcome `refused`), those the provider answered with an
 * error status (outcome `upstream_error`: 400, 413, 429, 5xx — not billed, no usage), and
 * those that failed before the provider sent anything and with no usage to estimate
 * (outcome `upstream_failed`, no first byte, usage_source `not_metered`: in practice a
 * connection that was never made).
 *
 * So ok and client_aborted calls (the proxy records a client abort only once the request
 * is on its way) count, and so does an upstream_failed call whose provider took the
 * request (a reset or timeout after it was sent, a cut stream: its usage is estimated or
 * a byte came back). The others are counted apart, per outcome, in every report's footer.
 * Decided from stored columns alone, so rollups can keep it as a dimension.
 */

/** Which calls a query covers by this rule: only those that reached the provider, or only the others. Undefined: all. */
export type Reach = 'reached' | 'unreached';

/** SQL condition: the call row `alias` (of `calls`) reached the provider. */
export function reachedSql(alias: string): string {
  const a = alias;
  return `NOT (${a}.outcome IN ('refused', 'upstream_error') OR (${a}.outcome = 'upstream_failed' AND ${a}.ttfb_ms IS NULL AND ${a}.usage_source = 'not_metered'))`;
}

/** The same rule on a call record. */
export function isReached(call: { readonly outcome: CallOutcome; readonly ttfbMs: number | null; readonly usageSource: UsageSource }): boolean {
  return !(call.outcome === 'refused' || call.outcome === 'upstream_error' || (call.outcome === 'upstream_failed' && call.ttfbMs === null && call.usageSource === 'not_metered'));
}
