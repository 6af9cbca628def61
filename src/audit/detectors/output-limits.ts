import { fact, int, ratio, repricedSaving, spread } from '../stats.js';
import { perFeatureDetector, tokenSpreadFacts } from './per-feature.js';

/**
 * Output limits: features whose answers have a runaway tail a `max_tokens` would cut.
 *
 * Calls: answered, priced, usage known, not embeddings, grouped by feature (untagged calls
 * by key). The proposed limit is cap = p95 of output tokens (nearest rank) rounded up to a
 * multiple of CAP_STEP. Runaway calls produced > RUNAWAY_FACTOR × cap output tokens. Fires
 * when the feature has ≥ MIN_CALLS calls and at least one runaway call.
 *
 * Saving = Σ over calls with output > cap of price(usage) − price(usage with output = cap
 * and reasoning ≤ cap), from the price catalog: what `max_tokens: cap` would have cut.
 * Confidence is medium when most calls (≥ 50%) sent no max_tokens (the tail is unbounded
 * by accident), low otherwise (the callers asked for long answers).
 */

export const MIN_CALLS = 20;
export const CAP_STEP = 100;
export const RUNAWAY_FACTOR = 2;

export const outputLimits = perFeatureDetector('output-limits', MIN_CALLS, (ctx, calls, scope) => {
  const outputs = spread(calls.map((c) => c.usage.outputTokens));
  const cap = Math.max(CAP_STEP, Math.ceil(outputs.p95 / CAP_STEP) * CAP_STEP);
  const runaway = calls.filter((c) => c.usage.outputTokens > RUNAWAY_FACTOR * cap);
  if (runaway.length === 0) return null;
  const over = calls.filter((c) => c.usage.outputTokens > cap);
  let saving = 0;
  for (const c of over) {
    saving += repricedSaving(ctx, c, { ...c.usage, outputTokens: cap, reasoningTokens: Math.min(c.usage.reasoningTokens, cap) });
  }
  if (saving <= 0) return null;

  const uncapped = calls.filter((c) => c.maxOutputTokens === null).length;
  const uncappedShare = ratio(uncapped, calls.length);
  const overTokens = over.reduce((s, c) => s + c.usage.outputTokens - cap, 0);
  return {
    savingNano: saving,
    title: `${scope.value}: ${int(runaway.length)} answers ran past ${RUNAWAY_FACTOR}× the usual length`,
    facts: [
      fact.share('no_max_tokens_share', 'calls without max_tokens', uncappedShare),
      ...tokenSpreadFacts('output', outputs),
      fact.count('calls_over_cap', `calls over ${int(cap)} tokens`, over.length),
      fact.tokens('tokens_over_cap', 'output tokens beyond the cap', overTokens),
    ],
    fix:
      `Set max_tokens: ${cap} on ${scope.dim} ${scope.value} (its p95 answer is ${int(outputs.p95)} tokens; ${Math.round(uncappedShare * 100)}% of its calls ` +
      `set no limit). Handle finish_reason "length" by asking for a continuation when an answer really needs more.`,
    confidence:
      uncappedShare >= 0.5
        ? { level: 'medium', reason: `${Math.round(uncappedShare * 100)}% of calls set no limit, so the tail is unbounded by accident; a cap at p95 cuts only the longest 5%.` }
        : { level: 'low', reason: 'Most calls already set max_tokens, so the long answers were asked for; check they are needed before lowering it.' },
  };
});
