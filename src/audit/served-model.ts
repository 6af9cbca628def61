import type { Pricer } from '../pricing/pricer.js';
import type { AuditCall } from './calls.js';

/**
 * Whether a call was answered by the model its request named, or by another one the client
 * did not choose: an Anthropic server-side fallback (the request's `fallbacks`; the requested
 * model declined and the API ran the request again on a fallback model, recorded as the
 * serving model since the answer names it: docs/prices.md, "Anthropic server-side
 * fallback") or a router that picks the model (OpenRouter's `models` list or `route`).
 *
 * The answer names the requested model when it is that name (case aside), a dated snapshot
 * of it (`gpt-4o` → `gpt-4o-2024-08-06`, `claude-sonnet-4-5` → `claude-sonnet-4-5-20250929`),
 * or a name the price catalog resolves to the same entry (the alias
 * `claude-3-5-sonnet-latest` → `claude-3-5-sonnet-20241022`). Any other answer is another model.
 */

/**
 * A check over one audit's calls: the model the request named when another model served
 * the call, else null. Catalog look-ups (at `at`, ms) are made once per (provider, requested,
 * served) names.
 */
export function otherModelCheck(pricer: Pricer, at: number): (call: AuditCall) => string | null {
  const known = new Map<string, boolean>();
  return (call) => {
    const requested = call.modelRequestedIfOther;
    if (requested === null) return null;
    const key = JSON.stringify([call.provider, requested, call.model]);
    let other = known.get(key);
    if (other === undefined) known.set(key, (other = !sameModel(pricer, at, call.provider, requested, call.model)));
    return other ? requested : null;
  };
}

/** A dated snapshot's suffix: `-2024-08-06` (OpenAI), `-20250929` (Anthropic), `-0613` (older OpenAI). */
const SNAPSHOT_SUFFIX = /^-(\d{4}-\d{2}-\d{2}|\d{8}|\d{4})$/;

function sameModel(pricer: Pricer, at: number, provider: string, requested: string, served: string): boolean {
  const r = requested.toLowerCase();
  const s = served.toLowerCase();
  if (r === s || (s.startsWith(r) && SNAPSHOT_SUFFIX.test(s.slice(r.length)))) return true;
  const rEntry = pricer.describe(requested, provider, at);
  const sEntry = pricer.describe(served, provider, at);
  return rEntry !== null && sEntry !== null && rEntry.modelId === sEntry.modelId;
}
