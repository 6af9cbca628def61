import { describe, expect, it } from 'vitest';
import { repricer } from '../../src/cli/prices-reprice.js';
import { createPricer } from '../../src/pricing/pricer.js';
import type { Usage } from '../../src/providers/types.js';
import type { RepriceCall } from '../../src/store/price-records.js';

/**
 * The `error` a reprice writes back for an OpenAI call served on a tier whose price is not
 * known (pricing/service-tiers.ts): the pricer's note once, whatever the column held of
 * earlier runs; the same text as stored when nothing changed, so the store leaves the row
 * alone (store/reprice.ts rewrites a row only when its cost, source or error differ).
 */

const T0 = 1_750_000_000_000;
const NOTE = (tier: string, model: string) => `${tier} tier price unknown for ${model}; priced at the standard rate (a lower bound)`;
const EARLIER = 'usage estimated from the request: the stream ended before its usage';

/** A stored gpt-5-nano call served on `tier` (10,000 in, 2,000 out: 1,300,000 nano-USD at the standard $0.05 / $0.40 per 1M) whose error is `error`. */
function stored(error: string | null, tier = 'priority', model = 'gpt-5-nano'): RepriceCall {
  const usage: Usage = { inputTokens: 10_000, outputTokens: 2_000, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, reasoningTokens: 0, serviceTier: tier };
  return { id: 1, ts: T0, keyName: null, provider: 'openai', endpoint: 'chat.completions', model, usage, usageSource: 'reported', costNano: 1_300_000, priceSource: 'genai-prices@0.1.8', tags: {}, error };
}

const reprice = repricer(createPricer());

describe('prices reprice and the service-tier note in a call\'s error', () => {
  it('leaves a call that already carries the note unchanged: the same text, so the row is not rewritten', () => {
    expect(reprice(stored(NOTE('priority', 'gpt-5-nano')))).toEqual({ costNano: 1_300_000, priceSource: 'genai-prices@0.1.8', error: NOTE('priority', 'gpt-5-nano') });
    expect(reprice(stored(`${EARLIER}; ${NOTE('priority', 'gpt-5-nano')}`))?.error).toBe(`${EARLIER}; ${NOTE('priority', 'gpt-5-nano')}`);
    expect(reprice(stored(NOTE('ultrafast', 'gpt-5-nano'), 'ultrafast'))?.error).toBe(NOTE('ultrafast', 'gpt-5-nano'));
  });

  it('writes the note once over a column that holds it several times (earlier reprices appended it again)', () => {
    const note = NOTE('priority', 'gpt-5-nano');
    expect(reprice(stored(`${note}; ${note}; ${note}`))?.error).toBe(note);
    expect(reprice(stored(`${EARLIER}; ${note}; ${note}`))?.error).toBe(`${EARLIER}; ${note}`);
  });

  it('adds the note to a call recorded without it, after its other text', () => {
    expect(reprice(stored(null))?.error).toBe(NOTE('priority', 'gpt-5-nano'));
    expect(reprice(stored(EARLIER))?.error).toBe(`${EARLIER}; ${NOTE('priority', 'gpt-5-nano')}`);
  });

  it('drops a note that is no longer true: a standard-tier call, or a model priced at its tier now (gpt-4o: 10,000 × 4,250 + 2,000 × 17,000 = 76,500,000)', () => {
    expect(reprice(stored(`${EARLIER}; ${NOTE('priority', 'gpt-5-nano')}`, 'default'))?.error).toBe(EARLIER);
    expect(reprice(stored(NOTE('priority', 'gpt-4o'), 'priority', 'gpt-4o'))).toEqual({ costNano: 76_500_000, priceSource: 'genai-prices@0.1.8', error: null });
  });
});
