import { featureScope, groupBy, isPricedGeneration, totals, type AuditCall } from '../calls.js';
import { compareModelIds, smallerSiblings } from '../cheaper-models.js';
import { otherModelCheck } from '../served-model.js';
import { fact, int, percentile, priceAs } from '../stats.js';
import type { Detector, Finding } from '../types.js';

/**
 * Model downgrade: a (feature, provider, model) whose calls are mostly small jobs — short
 * answers from prompts a small model handles — on a model that has a same-provider sibling
 * at most half the price for the same tokens.
 *
 * Calls: answered, priced, usage known, not embeddings. A call is a small job when it
 * produced ≤ SHORT_OUTPUT_TOKENS output tokens from ≤ MODEST_INPUT_TOKENS input tokens (a
 * quarter of the 128k context every current small model has: summarising an 8,000-token
 * document into a paragraph is a small job; long-context reasoning is not). Fires when the group has
 * ≥ MIN_CALLS calls, ≥ MOSTLY_SHARE of them are small jobs, and a smaller sibling (see
 * cheaper-models.ts) prices the group's observed tokens (cache reads included) at
 * ≤ MAX_COST_RATIO of the current model. Among those siblings the most expensive one is
 * proposed (the most capable that still halves the bill; ties → newest version).
 *
 * Saving = Σ price(call's usage, current model) − Σ price(same usage, sibling), both from
 * the price catalog at each call's time, over all of the group's calls.
 *
 * Only calls the model their request named answered are advised on (served-model.ts): the
 * client can move those. A call another model served (an Anthropic server-side fallback
 * after the requested model declined, a router's pick) is recorded as the serving model,
 * which the client never chose. Those are left out and, per (provider, requested model,
 * serving model) with ≥ MIN_CALLS of them, told in a notice: their calls and stored cost,
 * and the share of the requested model's calls they are.
 */

export const SHORT_OUTPUT_TOKENS = 500;
export const MODEST_INPUT_TOKENS = 32_000;
export const MOSTLY_SHARE = 0.8;
export const MIN_CALLS = 20;
export const MAX_COST_RATIO = 0.5;

type Priced = AuditCall & { usage: NonNullable<AuditCall['usage']>; costNano: number };

export const modelDowngrade: Detector = {
  id: 'model-downgrade',
  run(ctx) {
    const findings: Finding[] = [];
    const otherModelRequested = otherModelCheck(ctx.pricer, ctx.until);
    const priced = ctx.calls.filter(isPricedGeneration);
    const asked = priced.filter((c) => otherModelRequested(c) === null);
    findings.push(...servedByOtherModel(priced, otherModelRequested));
    const groups = groupBy(asked, (c) => {
      const s = featureScope(c);
      return JSON.stringify([s.dim, s.value, c.provider, c.model]);
    });
    for (const calls of groups.values()) {
      if (calls.length < MIN_CALLS) continue;
      const first = calls[0]!;
      const small = calls.filter((c) => c.usage.outputTokens <= SHORT_OUTPUT_TOKENS && c.usage.inputTokens <= MODEST_INPUT_TOKENS);
      const smallShare = small.length / calls.length;
      if (smallShare < MOSTLY_SHARE) continue;

      const current = sumPrices(calls, (c) => priceAs(ctx, c, c.usage));
      if (current === null || current <= 0) continue;
      let best: { model: string; cost: number } | undefined;
      for (const sibling of smallerSiblings(ctx.pricer, first.provider, first.model, ctx.until)) {
        const cost = sumPrices(calls, (c) => priceAs(ctx, c, c.usage, sibling));
        if (cost === null || cost > current * MAX_COST_RATIO) continue;
        if (best === undefined || cost > best.cost || (cost === best.cost && compareModelIds(sibling, best.model) > 0)) best = { model: sibling, cost };
      }
      if (best === undefined) continue;

      const scope = featureScope(first);
      const saving = current - best.cost;
      const inputs = calls.map((c) => c.usage.inputTokens);
      const outputs = calls.map((c) => c.usage.outputTokens);
      const pct = Math.round(smallShare * 100);
      const confident = smallShare >= 0.95 && calls.length >= 200;
      findings.push({
        detector: 'model-downgrade',
        kind: 'saving',
        title: `${scope.value}: ${first.model} → ${best.model} for short answers`,
        scope: { [scope.dim]: scope.value, provider: first.provider, model: first.model },
        evidence: {
          ...totals(calls),
          facts: [
            fact.share('small_job_share', `calls with ≤ ${int(MODEST_INPUT_TOKENS)} in / ≤ ${SHORT_OUTPUT_TOKENS} out tokens`, smallShare),
            fact.tokens('p50_input_tokens', 'input p50', percentile(inputs, 50)),
            fact.tokens('p95_input_tokens', 'input p95', percentile(inputs, 95)),
            fact.tokens('p50_output_tokens', 'output p50', percentile(outputs, 50)),
            fact.tokens('p95_output_tokens', 'output p95', percentile(outputs, 95)),
            fact.text('proposed_model', 'proposed model', best.model),
            fact.usd('proposed_cost_usd', `same tokens on ${best.model}`, best.cost),
          ],
        },
        fix:
          `Move ${scope.dim} ${scope.value} from ${first.model} to ${best.model} (${first.provider}): ${pct}% of its calls answer in ` +
          `≤ ${SHORT_OUTPUT_TOKENS} tokens from ≤ ${int(MODEST_INPUT_TOKENS)}-token prompts. Replay a few hundred logged prompts on both models ` +
          `and compare before switching; keep ${first.model} only for the calls that need it.`,
        savingNano: saving,
        savingPerMonthNano: ctx.perMonth(saving),
        confidence: confident
          ? { level: 'medium', reason: `${pct}% of ${int(calls.length)} calls are small jobs; answer quality on ${best.model} is untested.` }
          : { level: 'low', reason: `${pct}% of ${int(calls.length)} calls are small jobs; a smaller model may answer worse, so test before switching.` },
      });
    }
    return findings;
  },
};

/**
 * One notice per (provider, requested model, serving model) with ≥ MIN_CALLS calls another
 * model served: what the advice above leaves out, and why.
 */
function servedByOtherModel(priced: readonly Priced[], otherModelRequested: (c: AuditCall) => string | null): Finding[] {
  const requestedOf = (c: Priced) => c.modelRequestedIfOther ?? c.model;
  const askedFor = groupBy(priced, (c) => JSON.stringify([c.provider, requestedOf(c)]));
  const servedElsewhere = groupBy(priced, (c) => {
    const requested = otherModelRequested(c);
    return requested === null ? null : JSON.stringify([c.provider, requested, c.model]);
  });
  const out: Finding[] = [];
  for (const calls of servedElsewhere.values()) {
    if (calls.length < MIN_CALLS) continue;
    const { provider, model: served } = calls[0]!;
    const requested = otherModelRequested(calls[0]!)!;
    const allAsked = askedFor.get(JSON.stringify([provider, requested]))?.length ?? calls.length;
    out.push({
      detector: 'model-downgrade',
      kind: 'notice',
      title: `${requested} (${provider}): ${int(calls.length)} calls served by ${served}, left out of model advice`,
      scope: { provider, model_requested: requested, model: served },
      evidence: {
        ...totals(calls),
        facts: [fact.share('served_share', `share of the calls that asked for ${requested}`, calls.length / allAsked)],
      },
      fix:
        `${served} served these calls though they asked for ${requested}: with an Anthropic server-side fallback, ${requested} declined ` +
        `them and the API ran them again on the request's fallback model (a router, such as OpenRouter's, picks the model itself). ` +
        `No smaller model is proposed for them: the client chose ${requested}, not ${served}. Their cost follows how often ` +
        `${requested} declines and which fallback models the requests name.`,
      savingNano: 0,
      savingPerMonthNano: 0,
      confidence: { level: 'high', reason: `Each answer named ${served} as the model that served it; its request named ${requested}.` },
    });
  }
  return out;
}

/** Σ prices, or null when any call cannot be priced. */
function sumPrices(calls: readonly Priced[], priceOf: (c: Priced) => number | null): number | null {
  let sum = 0;
  for (const c of calls) {
    const p = priceOf(c);
    if (p === null) return null;
    sum += p;
  }
  return sum;
}
