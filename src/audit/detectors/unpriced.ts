import { untokenedUnit, type UntokenedUnit } from '../../domain/billing-units.js';
import { isUnpriced } from '../../store/unpriced.js';
import { groupBy, totals } from '../calls.js';
import { fact, int } from '../stats.js';
import type { Detector, Finding } from '../types.js';

/**
 * Unpriced models: spend tokometer cannot count because the model has no price.
 *
 * Calls: unpriced as every command counts them (store/unpriced.ts: usage reported or
 * estimated, stored cost NULL) — the spend is real but missing from every report total
 * and budget. One notice per (provider, model) with its calls and tokens, plus the
 * `prices:` config snippet to add (USD per 1M tokens; the numbers are placeholders to
 * fill in from the provider's page). When the pricer knows the model now (a price was
 * added since), the notice says that the calls recorded before stay uncounted. Images
 * answered without tokens (billed per image: dall-e-3, domain/billing-units.ts) get their own
 * notice, and so do OCR pages of a model without a page price (billed per page: prices: has
 * no page field yet) and speech recorded without tokens (tts-1, another vendor's speech model:
 * billed per character): no token price can count them, so neither the snippet nor "known now" applies.
 */

export const unpriced: Detector = {
  id: 'unpriced',
  run(ctx) {
    const calls = ctx.calls.filter(isUnpriced);
    return [...groupBy(calls, (c) => JSON.stringify([c.provider, c.model])).values()].map((list) => {
      const { provider, model } = list[0]!;
      const t = totals(list);
      const known = ctx.pricer.describe(model, provider, ctx.now);
      const cached = list.reduce((s, c) => s + (c.usage?.cacheReadTokens ?? 0), 0);
      // Calls recorded without tokens, all billed by one unit no token price counts (per page, image or character).
      const units = new Set(list.map((c) => untokenedUnit(c.endpoint, c.usage?.inputTokens ?? 0, c.usage?.outputTokens ?? 0)));
      const unit = units.size === 1 ? [...units][0]! : null;
      if (unit !== null) return billedApart(list.length, provider, model, t, unit, BILLED_APART[unit].fix(model), BILLED_APART[unit].reason);
      const yamlKey = /^[A-Za-z0-9._-]+$/.test(model) ? model : JSON.stringify(model);
      return {
        detector: 'unpriced' as const,
        kind: 'notice' as const,
        title: `${model} (${provider}): ${int(list.length)} ${list.length === 1 ? 'call' : 'calls'} with no price — not in any total`,
        scope: { provider, model },
        evidence: {
          ...t,
          facts: [fact.tokens('cached_input_tokens', 'cached input tokens', cached), fact.count('unpriced_calls', 'calls without a cost', list.length)],
        },
        fix: known
          ? `A price for ${model} is known now (${known.source}: ${known.modelId}), so new calls are counted; the ${int(list.length)} calls recorded before it stay uncounted.`
          : `Add ${model}'s price to the config's prices: section (USD per 1M tokens, from ${provider}'s price page), then check it with tokometer prices show ${model}. Calls recorded before stay uncounted.`,
        savingNano: 0,
        savingPerMonthNano: 0,
        confidence: { level: 'high' as const, reason: 'The calls have token counts but the model matched no catalog, override or config price.' },
        ...(known
          ? {}
          : { snippet: ['prices:', `  ${yamlKey}: { provider: ${provider}, input: 0.00, cached_input: 0.00, output: 0.00 }   # USD per 1M tokens: fill in`].join('\n') }),
      };
    });
  },
};

/** What the notice of calls billed per page, image or character says: how to count them (`fix`), and why they are so read (`reason`). */
const BILLED_APART: Readonly<Record<UntokenedUnit, { fix: (model: string) => string; reason: string }>> = {
  page: {
    fix: (model) => `${model} is billed per page, and prices: has no field for pages yet: these calls stay uncounted until the catalog prices it (tokometer prices show ${model}; docs/prices.md, "Documents billed per page").`,
    reason: 'The calls are OCR pages without token counts (billed per page).',
  },
  image: {
    fix: (model) => `${model} is billed per image, and tokometer prices tokens only: a price under prices: cannot count these calls (docs/prices.md, "OpenAI Images API"). Their number is in report --by model; GPT image models (gpt-image-1 and later) are billed by tokens and counted.`,
    reason: 'The calls are images answered without token counts (billed per image).',
  },
  character: {
    fix: (model) => `${model} is billed per input character (the input's characters are in each call's note), and tokometer prices tokens only: a price under prices: cannot count these calls (docs/prices.md, "Text-to-speech"). Their number is in report --by model; gpt-4o-mini-tts is billed by tokens and counted.`,
    reason: 'The calls are speech answered as audio without token counts (billed per character).',
  },
};

/** The notice for calls billed per image, per page or per character, which no token price under prices: can count: no snippet. */
function billedApart(calls: number, provider: string, model: string, t: ReturnType<typeof totals>, unit: UntokenedUnit, fix: string, reason: string): Finding {
  return {
    detector: 'unpriced',
    kind: 'notice',
    title: `${model} (${provider}): ${int(calls)} ${calls === 1 ? 'call' : 'calls'} billed per ${unit}, with no price — not in any total`,
    scope: { provider, model },
    evidence: { ...t, facts: [fact.count('unpriced_calls', 'calls without a cost', calls)] },
    fix,
    savingNano: 0,
    savingPerMonthNano: 0,
    confidence: { level: 'high', reason },
  };
}
