import type { Usage } from '../../providers/types.js';
import { fact, int, ratio, repricedSaving, spread } from '../stats.js';
import type { AuditContext } from '../types.js';
import { perFeatureDetector, tokenSpreadFacts } from './per-feature.js';

/**
 * Oversized prompts: per feature, the prompts far above the feature's typical size.
 *
 * Calls: answered, priced, usage known, not embeddings, grouped by feature (untagged calls
 * by key). With p50 and p95 the nearest-rank percentiles of input tokens, the tail is the
 * calls with input ≥ p95. Fires when the feature has ≥ MIN_CALLS calls and a real spread,
 * p95 ≥ SPREAD × p50 (uniformly long prompts are not "oversized", and their fix is a
 * different model or chunking, not trimming).
 *
 * Saving = Σ over the tail of price(usage) − price(usage trimmed to p50 input tokens).
 * Trimming removes uncached tokens first: the trimmed call keeps min(cache reads, p50)
 * cache-read tokens, then cache writes up to what is left; output is unchanged. Evidence
 * includes the input share of cost: Σ input-side cost / Σ cost from the price catalog.
 */

export const MIN_CALLS = 20;
export const SPREAD = 1.5;

export const oversizedPrompts = perFeatureDetector('oversized-prompts', MIN_CALLS, (ctx, calls, scope) => {
  const inputs = spread(calls.map((c) => c.usage.inputTokens));
  const { p50, p95 } = inputs;
  if (p95 < SPREAD * p50) return null;
  const tail = calls.filter((c) => c.usage.inputTokens >= p95);
  let saving = 0;
  for (const c of tail) saving += repricedSaving(ctx, c, trimInput(c.usage, p50));
  if (saving <= 0) return null;

  const tailTokens = tail.reduce((s, c) => s + c.usage.inputTokens, 0);
  const share = inputCostShare(ctx, calls);
  return {
    savingNano: saving,
    title: `${scope.value}: ${int(tail.length)} prompts at ${(p95 / Math.max(1, p50)).toFixed(1)}× the median size or more`,
    facts: [
      ...tokenSpreadFacts('input', inputs),
      fact.share('input_cost_share', 'input share of cost', share),
      fact.count('tail_calls', 'calls ≥ p95', tail.length),
      fact.tokens('tail_input_tokens', 'input tokens of those calls', tailTokens),
    ],
    fix:
      `Trim ${scope.dim} ${scope.value}'s largest prompts toward its median of ${int(p50)} tokens: ${int(tail.length)} calls sent ` +
      `${int(p95)}+ tokens (avg ${int(tailTokens / tail.length)}). Retrieve fewer or shorter chunks, summarise long history, ` +
      `or cap the document length before sending.`,
    confidence:
      share >= 0.5
        ? { level: 'medium', reason: `Input is ${Math.round(share * 100)}% of this cost; assumes the extra context of the largest prompts can go without hurting answers.` }
        : { level: 'low', reason: `Input is only ${Math.round(share * 100)}% of this cost, and trimming assumes the extra context is not needed.` },
  };
});

/** `usage` with input cut to `target` tokens, uncached tokens removed first (see file doc). */
export function trimInput(usage: Usage, target: number): Usage {
  if (usage.inputTokens <= target) return usage;
  const cacheRead = Math.min(usage.cacheReadTokens, target);
  const write5m = Math.min(usage.cacheWrite5mTokens, target - cacheRead);
  const write1h = Math.min(usage.cacheWrite1hTokens, target - cacheRead - write5m);
  return { ...usage, inputTokens: target, cacheReadTokens: cacheRead, cacheWrite5mTokens: write5m, cacheWrite1hTokens: write1h };
}

/** Σ input-side cost / Σ cost, both repriced from the catalog (0 when nothing prices). */
function inputCostShare(ctx: AuditContext, calls: ReadonlyArray<{ usage: Usage; provider: string; model: string; ts: number }>): number {
  let input = 0;
  let total = 0;
  for (const c of calls) {
    const r = ctx.pricer.price(c.usage, { provider: c.provider, model: c.model, at: c.ts });
    if (!r.priced) continue;
    const b = r.breakdown;
    total += r.costNano;
    input += b.uncachedInput + b.cacheRead + b.cacheWrite5m + b.cacheWrite1h + b.inputAudio + b.inputImage;
  }
  return ratio(input, total);
}
