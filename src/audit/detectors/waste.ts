import { featureScope, groupBy, totals, type AuditCall } from '../calls.js';
import { RETRY_WINDOW_MS, STORM_MIN_CALLS, repeats, sameRequestKey } from '../repeats.js';
import { fact, int, maxOf } from '../stats.js';
import type { AuditContext, Detector, Finding } from '../types.js';

/**
 * Waste: money spent on calls that bought nothing. Three findings, per feature (untagged
 * calls by key), on disjoint sets of calls (see repeats.ts):
 *
 * - Failed but billed: outcome upstream_error, client_aborted or upstream_failed with a
 *   stored cost > 0, outside retry storms. Fires at ≥ MIN_CALLS such calls.
 *   Saving = Σ their stored cost (the upper bound: none of them failing).
 * - Retry storms: bursts of ≥ STORM_MIN_CALLS identical requests (same key, provider and request hash), each
 *   ≤ RETRY_WINDOW_MS after the previous. Saving = Σ stored cost of every call of a burst
 *   except its last (the one that the client kept). Fires at ≥ 1 storm with cost > 0.
 * - Re-embedding: answered embedding calls repeating an earlier identical request.
 *   Fires at ≥ MIN_CALLS. Saving = Σ their stored cost (embeddings of the same input are
 *   deterministic, so a stored vector serves every repeat).
 */

export const MIN_CALLS = 3;
const FAILED = new Set(['upstream_error', 'client_aborted', 'upstream_failed']);

const scopeKey = (c: AuditCall) => JSON.stringify(Object.values(featureScope(c)));

export const waste: Detector = {
  id: 'waste',
  run(ctx) {
    return [...failedButBilled(ctx), ...retryStorms(ctx), ...reembedding(ctx)];
  },
};

function failedButBilled(ctx: AuditContext): Finding[] {
  const { inStorm } = repeats(ctx);
  const failed = ctx.calls.filter((c) => FAILED.has(c.outcome) && (c.costNano ?? 0) > 0 && !inStorm.has(c.id));
  const out: Finding[] = [];
  for (const list of groupBy(failed, scopeKey).values()) {
    if (list.length < MIN_CALLS) continue;
    const t = totals(list);
    const scope = featureScope(list[0]!);
    const aborted = list.filter((c) => c.outcome === 'client_aborted').length;
    const errors = list.filter((c) => c.outcome === 'upstream_error').length;
    const cut = list.length - aborted - errors;
    const mostlyAborted = aborted * 2 >= list.length;
    out.push({
      detector: 'waste',
      kind: 'saving',
      title: `${scope.value}: ${int(list.length)} failed or abandoned calls still billed`,
      scope: { [scope.dim]: scope.value },
      evidence: {
        ...t,
        facts: [
          fact.count('client_aborted_calls', 'client went away', aborted),
          fact.count('upstream_error_calls', 'provider error status', errors),
          fact.count('upstream_failed_calls', 'connection cut or timed out', cut),
        ],
      },
      fix: mostlyAborted
        ? `Most of these were abandoned by the client mid-answer: stream the answer and show it as it arrives, raise the client timeout above the feature's p99 latency, or lower max_tokens so answers finish.`
        : `Check the provider errors and timeouts behind these calls (the proxy log names each one): fix malformed requests, set timeouts above the p99 latency, and stop retrying errors that cannot succeed.`,
      savingNano: t.costNano,
      savingPerMonthNano: ctx.perMonth(t.costNano),
      confidence: mostlyAborted
        ? { level: 'medium', reason: 'Aborted answers are billed in full up to the cut; some aborts are users leaving on purpose.' }
        : { level: 'low', reason: 'Upper bound: assumes every one of these failures is avoidable.' },
    });
  }
  return out;
}

function retryStorms(ctx: AuditContext): Finding[] {
  const out: Finding[] = [];
  for (const storms of groupBy(repeats(ctx).storms, (s) => scopeKey(s[0]!)).values()) {
    const calls = storms.flat();
    const wasted = storms.flatMap((s) => s.slice(0, -1));
    const saving = totals(wasted).costNano;
    if (saving <= 0) continue;
    const scope = featureScope(calls[0]!);
    const largest = maxOf(storms.map((s) => s.length));
    out.push({
      detector: 'waste',
      kind: 'saving',
      title: `${scope.value}: ${int(storms.length)} retry storm${storms.length === 1 ? '' : 's'} (identical requests seconds apart)`,
      scope: { [scope.dim]: scope.value },
      evidence: {
        ...totals(calls),
        facts: [
          fact.count('storms', `bursts of ≥ ${STORM_MIN_CALLS} identical requests ≤ ${RETRY_WINDOW_MS / 1000} s apart`, storms.length),
          fact.count('largest_storm_calls', 'calls in the largest burst', largest),
          fact.count('wasted_calls', 'calls before the last of each burst', wasted.length),
        ],
      },
      fix:
        `Retry with exponential backoff and jitter, at most 2–3 attempts, only on 429/5xx/timeouts; debounce double submits in the UI. ` +
        `Official SDKs already retry: do not wrap them in a second retry loop.`,
      savingNano: saving,
      savingPerMonthNano: ctx.perMonth(saving),
      confidence: { level: 'high', reason: `Byte-identical requests within ${RETRY_WINDOW_MS / 1000} s of each other; only the last of each burst is kept.` },
    });
  }
  return out;
}

function reembedding(ctx: AuditContext): Finding[] {
  const out: Finding[] = [];
  for (const list of groupBy(repeats(ctx).reembedded, scopeKey).values()) {
    const t = totals(list);
    if (list.length < MIN_CALLS || t.costNano <= 0) continue;
    const scope = featureScope(list[0]!);
    out.push({
      detector: 'waste',
      kind: 'saving',
      title: `${scope.value}: the same text embedded ${int(list.length)} more times`,
      scope: { [scope.dim]: scope.value, endpoint: list[0]!.endpoint },
      evidence: {
        ...t,
        facts: [
          fact.count('repeat_embeddings', 'repeats of an earlier identical embedding request', list.length),
          fact.count('distinct_inputs', 'distinct requests repeated', new Set(list.map(sameRequestKey)).size),
        ],
      },
      fix: 'Store each embedding keyed by a hash of (model, input text) and look it up before calling the API; re-embed only new or changed text.',
      savingNano: t.costNano,
      savingPerMonthNano: ctx.perMonth(t.costNano),
      confidence: { level: 'high', reason: 'Identical embedding requests return identical vectors.' },
    });
  }
  return out;
}
