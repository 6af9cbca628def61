import { describe, expect, it } from 'vitest';
import { createPricer } from '../../src/pricing/pricer.js';
import { observeOpenAi } from '../../src/providers/openai-usage.js';
import { NOW } from './support.js';

/**
 * OpenAI priority processing: an answer that reports `service_tier: "priority"` is billed at
 * the model's priority prices per 1M tokens (openai.com/api-priority-processing, read
 * 2026-12-06), not at a multiple of its standard ones. A model the table does not list is
 * priced at its standard rate, a lower bound, with a note (PriceResult.note) saying so.
 */

const catalog = createPricer();

/** The price result of one Chat Completions answer of `model` with `service_tier` `tier`. */
function priceOf(model: string, tier: string, usage: Record<string, unknown>, pricer = catalog, provider = 'openai') {
  const observed = observeOpenAi({ model, service_tier: tier, usage });
  if (observed.usage === null) throw new Error('no usage');
  return pricer.price(observed.usage, { provider, model, at: NOW });
}

function costOf(model: string, tier: string, usage: Record<string, unknown>): number | null {
  const r = priceOf(model, tier, usage);
  return r.priced ? r.costNano : null;
}

// 10,000 input tokens of which 4,000 cached, 2,000 output.
const USAGE = { prompt_tokens: 10_000, completion_tokens: 2_000, total_tokens: 12_000, prompt_tokens_details: { cached_tokens: 4_000 } };

describe('OpenAI priority processing prices', () => {
  // o3 priority: $3.50 / $0.875 cached / $14 per 1M = 3,500 / 875 / 14,000 nano per token:
  //   6,000 × 3,500 + 4,000 × 875 + 2,000 × 14,000 = 21,000,000 + 3,500,000 + 28,000,000 = 52,500,000.
  // Standard ($2 / $0.50 / $8): 12,000,000 + 2,000,000 + 16,000,000 = 30,000,000.
  it('an o3 answer served on priority costs its priority prices, cached input included: 52,500,000, not 30,000,000', () => {
    const r = priceOf('o3', 'priority', USAGE);
    expect(r).toMatchObject({ priced: true, costNano: 52_500_000, modelId: 'o3' });
    expect(r.priced && r.note).toBeUndefined();
    expect(r.priced && r.breakdown).toMatchObject({ uncachedInput: 21_000_000, cacheRead: 3_500_000, output: 28_000_000 });
  });

  // gpt-5-mini priority: $0.45 / $0.045 / $3.60 = 450 / 45 / 3,600 nano per token:
  //   6,000 × 450 + 4,000 × 45 + 2,000 × 3,600 = 2,700,000 + 180,000 + 7,200,000 = 10,080,000.
  it('a dated gpt-5-mini snapshot is priced at gpt-5-mini\'s priority prices: 10,080,000', () => {
    expect(costOf('gpt-5-mini-2025-08-07', 'priority', USAGE)).toBe(10_080_000);
  });

  // gpt-4o-2024-05-13 priority: $8.75 input, no cached price (as at standard, where it has no
  // cache discount: cached input at the input price), $26.25 output:
  //   10,000 × 8,750 + 2,000 × 26,250 = 87,500,000 + 52,500,000 = 140,000,000.
  it('gpt-4o-2024-05-13 has no cached priority price: its cached input is billed at its priority input price', () => {
    expect(costOf('gpt-4o-2024-05-13', 'priority', USAGE)).toBe(140_000_000);
  });

  // OpenAI's reference: "service_tier=fast or service_tier=priority … The response will show
  // service_tier=priority"; should an answer name the tier `fast`, it is the same tier.
  it('an answer reporting the tier as "fast" is priced as priority', () => {
    expect(costOf('o3', 'fast', USAGE)).toBe(52_500_000);
  });

  // gpt-5.4 priority excludes long context (requests over 128K prompt tokens are served on
  // standard): the priority price is flat. 300,000 input × 5,000 + 1,000 output × 30,000 =
  // 1,500,000,000 + 30,000,000 = 1,530,000,000 (not the standard long-context $5 / $22.50).
  it('priority prices are flat: no long-context tier applies to an answer served on priority', () => {
    const usage = { prompt_tokens: 300_000, completion_tokens: 1_000, total_tokens: 301_000 };
    expect(costOf('gpt-5.4', 'priority', usage)).toBe(1_530_000_000);
  });

  // Web search stays $10 per 1,000 calls (10,000,000 nano each) whatever the tier: gpt-4o
  // priority tokens 25,500,000 + 8,500,000 + 34,000,000 = 68,000,000, plus 2 searches 20,000,000.
  it('per-use fees stay at their list price: gpt-4o on priority with 2 web searches costs 88,000,000', () => {
    const observed = observeOpenAi({
      object: 'response', model: 'gpt-4o', service_tier: 'priority',
      output: [{ type: 'web_search_call', status: 'completed' }, { type: 'web_search_call', status: 'completed' }],
      usage: { input_tokens: 10_000, output_tokens: 2_000, total_tokens: 12_000, input_tokens_details: { cached_tokens: 4_000 }, output_tokens_details: { reasoning_tokens: 0 } },
    });
    const r = catalog.price(observed.usage!, { provider: 'openai', model: 'gpt-4o', at: NOW });
    expect(r).toMatchObject({ priced: true, costNano: 88_000_000 });
  });

  // gpt-5.3-codex: no published priority price. Standard $1.75 / $0.175 / $14:
  //   6,000 × 1,750 + 4,000 × 175 + 2,000 × 14,000 = 10,500,000 + 700,000 + 28,000,000 = 39,200,000.
  it('a model without a priority price: its standard price, with a note that it is a lower bound', () => {
    expect(priceOf('gpt-5.3-codex', 'priority', USAGE)).toMatchObject({
      priced: true,
      costNano: 39_200_000,
      note: 'priority tier price unknown for gpt-5.3-codex; priced at the standard rate (a lower bound)',
    });
  });

  // OpenAI's API reference: "If set to 'ultrafast', then the request will be processed with
  // the access-controlled Ultrafast Processing service tier … available for gpt-5.6-sol; a
  // response served through it will show service_tier=ultrafast" (as mirrored in the
  // dynamo-protocols docs of ServiceTierResponses). No published price: the standard one at the
  // call's date ($4 / $0.40 / $20), 24,000,000 + 1,600,000 + 40,000,000 = 65,600,000, flagged.
  it('an answer served on the ultrafast tier is priced at the standard rate with a lower-bound note', () => {
    expect(priceOf('gpt-5.6-sol', 'ultrafast', USAGE)).toMatchObject({
      priced: true,
      costNano: 65_600_000,
      note: 'ultrafast tier price unknown for gpt-5.6-sol; priced at the standard rate (a lower bound)',
    });
  });

  it('the default and flex tiers carry no note', () => {
    expect(priceOf('gpt-5.3-codex', 'default', USAGE)).not.toHaveProperty('note');
    expect(priceOf('gpt-5.3-codex', 'flex', USAGE)).not.toHaveProperty('note');
  });

  // A `prices:` entry wins over all, and there is no way to give it a priority price: a
  // priority call is priced at the entry, a lower bound, and flagged. gpt-4o at input $2,
  // output $8 (cached input from the catalog, $1.25):
  //   6,000 × 2,000 + 4,000 × 1,250 + 2,000 × 8,000 = 12,000,000 + 5,000,000 + 16,000,000 = 33,000,000.
  it('a prices: entry for the model is used for priority calls as well, with a lower-bound note that names the entry (a review: it said the price of a model the table lists is unknown)', () => {
    const pricer = createPricer({ 'gpt-4o': { provider: 'openai', input: 2, output: 8 } });
    expect(priceOf('gpt-4o', 'priority', USAGE, pricer)).toMatchObject({
      priced: true,
      source: 'config',
      costNano: 33_000_000,
      note: "priority tier price unknown for gpt-4o (its prices: entry sets none); priced at the standard rate (a lower bound)",
    });
  });

  // Mistral reports `service_tier: "priority"` too; its priority tier is not OpenAI's and is
  // out of this table: mistral-small-latest stays at its list price, without a note.
  it("another provider's priority tier is left alone", () => {
    const r = catalog.price({ inputTokens: 10_000, outputTokens: 2_000, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, reasoningTokens: 0, serviceTier: 'priority' }, { provider: 'mistral', model: 'mistral-small-latest', at: NOW });
    const standard = catalog.price({ inputTokens: 10_000, outputTokens: 2_000, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, reasoningTokens: 0 }, { provider: 'mistral', model: 'mistral-small-latest', at: NOW });
    expect(r).toMatchObject({ priced: true });
    expect(r).toEqual(standard);
  });
});
