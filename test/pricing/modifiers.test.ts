import { describe, expect, it } from 'vitest';
import { computeCost } from '../../src/pricing/compute.js';
import { priceModifier } from '../../src/pricing/modifiers.js';
import { createPricer } from '../../src/pricing/pricer.js';
import type { Rates } from '../../src/pricing/rates.js';
import type { BillingConditions } from '../../src/providers/types.js';
import { NOW, usage } from './support.js';

/** Which models each modifier applies to (pricing/modifiers.ts cites the sources), and how it rounds. */

const pricer = createPricer();

/** 1,000 input + 500 output tokens of `model` at Anthropic under `conditions`, nano-USD. */
function anthropicCost(model: string, conditions: BillingConditions): number | null {
  const r = pricer.price(usage({ inputTokens: 1000, outputTokens: 500, ...conditions }), { provider: 'anthropic', model, at: NOW });
  return r.priced ? r.costNano : null;
}

describe('US-only inference: Opus 4.6, Sonnet 4.6 and later, not before', () => {
  // claude-sonnet-4-6: $3 / $15 per 1M: 1,000 × 3,000 + 500 × 15,000 = 10,500,000; × 1.1 = 11,550,000.
  it('claude-sonnet-4-6 is billed 1.1×', () => {
    expect(anthropicCost('claude-sonnet-4-6', { inferenceGeo: 'us' })).toBe(11_550_000);
  });

  // claude-sonnet-4-5 ($3 / $15) is billed at the standard rate even when the answer says "us"
  // (a recorded answer of claude-sonnet-4-5-20250929 does: test/fixtures/anthropic/messages-cache-write-1h.json).
  it('claude-sonnet-4-5 (a dated snapshot) stays at the list price', () => {
    expect(anthropicCost('claude-sonnet-4-5-20250929', { inferenceGeo: 'us' })).toBe(10_500_000);
  });

  // claude-opus-5-5, newer than every listed model: $4 / $20: 4,000,000 + 10,000,000 = 14,000,000; × 1.1 = 15,400,000.
  it('a model released after Opus 4.6 (claude-opus-5-5) is billed 1.1×', () => {
    expect(anthropicCost('claude-opus-5-5', { inferenceGeo: 'us' })).toBe(15_400_000);
  });
});

describe('fast mode: per-model multiples where known', () => {
  // claude-opus-4-8 $5 / $25: 17,500,000 standard, 2× = 35,000,000 ($10 / $50 per 1M).
  it('claude-opus-4-8 fast is 2×', () => {
    expect(anthropicCost('claude-opus-4-8', { speed: 'fast' })).toBe(35_000_000);
  });

  // claude-opus-5-5 has no published fast multiplier found: priced at the standard rate (a lower bound), 14,000,000.
  it('claude-opus-5-5 fast stays at the standard price (no known multiplier)', () => {
    expect(anthropicCost('claude-opus-5-5', { speed: 'fast' })).toBe(14_000_000);
  });

  // Modifiers stack: claude-opus-4-6 fast and US-only = 17,500,000 × 6 × 1.1 = 115,500,000.
  it('fast mode and US-only inference stack', () => {
    expect(anthropicCost('claude-opus-4-6', { speed: 'fast', inferenceGeo: 'us' })).toBe(115_500_000);
  });

  it('modifiers are the first party provider\'s: an Anthropic condition on another provider changes nothing', () => {
    expect(priceModifier('openai', 'claude-opus-4-6', { speed: 'fast', inferenceGeo: 'us' })).toEqual({ numerator: 1, denominator: 1 });
    expect(priceModifier('anthropic', 'claude-opus-4-6', { serviceTier: 'flex' })).toEqual({ numerator: 1, denominator: 1 });
  });
});

describe('rounding: the exact pico sum is multiplied, then rounded once', () => {
  // 1 input token at 1,499 pico-USD: exactly 1.499 nano, × 1.1 = 1.6489 nano → 2.
  // Multiplying the rounded total instead (1 nano × 1.1 = 1.1) would give 1.
  const rates: Rates = { input: { base: 1_499, tiers: [] } };
  it('1 token at 1,499 pico × 11/10 is 2 nano-USD, not 1', () => {
    const r = computeCost(usage({ inputTokens: 1 }), rates, { numerator: 11, denominator: 10 });
    expect(r.ok && r.value.costNano).toBe(2);
    expect(r.ok && r.value.breakdown.uncachedInput).toBe(2);
  });

  it('unmodified, the same call is 1 nano-USD', () => {
    const r = computeCost(usage({ inputTokens: 1 }), rates);
    expect(r.ok && r.value.costNano).toBe(1);
  });
});

describe('modifiers multiply token prices, never per-use search fees', () => {
  // Every source multiplies token rates only: Anthropic US-only "1.1x standard API rates" on
  // the token categories, fast mode "$30 / $150 per 1M" tokens, OpenAI flex "Tokens are priced
  // at Batch API rates". Web search is a separate per-use fee ($10 per 1,000 searches on
  // Anthropic and OpenAI; file search $2.50 per 1,000 on OpenAI) that none of them changes.
  // claude-opus-4-6 ($5 / $25), 1,000 in + 500 out = 17,500,000 nano; 2 web searches = 20,000,000.
  it('Anthropic fast mode: 17,500,000 × 6 + 20,000,000 = 125,000,000, not 37,500,000 × 6 = 225,000,000', () => {
    const r = pricer.price(usage({ inputTokens: 1000, outputTokens: 500, webSearches: 2, speed: 'fast' }), { provider: 'anthropic', model: 'claude-opus-4-6', at: NOW });
    expect(r.priced && r.costNano).toBe(125_000_000);
    expect(r.priced && r.breakdown?.webSearch).toBe(20_000_000);
  });

  // Same call US-only: 17,500,000 × 1.1 + 20,000,000 = 39,250,000 (not 41,250,000).
  it('Anthropic US-only inference: 39,250,000, not 41,250,000', () => {
    const r = pricer.price(usage({ inputTokens: 1000, outputTokens: 500, webSearches: 2, inferenceGeo: 'us' }), { provider: 'anthropic', model: 'claude-opus-4-6', at: NOW });
    expect(r.priced && r.costNano).toBe(39_250_000);
  });

  // Exact rates, so the test does not depend on a catalog entry: input 2,000 pico per token,
  // web search 10,000,000,000 pico ($0.01) per use, file search 2,500,000,000 pico per use.
  // Flex (1/2): 1,000 × 2,000 / 2 = 1,000,000 pico = 1,000 nano; 3 web = 30,000,000 nano;
  // 4 file = 10,000,000 nano. Total 40,001,000 (the old code halved the fees: 20,001,000).
  it('OpenAI flex halves the tokens only: 40,001,000 nano, not 20,001,000', () => {
    const rates: Rates = { input: { base: 2_000, tiers: [] }, webSearch: { base: 10_000_000_000, tiers: [] }, fileSearch: { base: 2_500_000_000, tiers: [] } };
    const r = computeCost(usage({ inputTokens: 1000, webSearches: 3, fileSearches: 4 }), rates, { numerator: 1, denominator: 2 });
    expect(r.ok && r.value.costNano).toBe(40_001_000);
    expect(r.ok && r.value.breakdown.webSearch).toBe(30_000_000);
    expect(r.ok && r.value.breakdown.fileSearch).toBe(10_000_000);
  });
});

describe('a `prices:` entry keyed by a dated snapshot id of an older model', () => {
  // Anthropic bills Opus 4.5, Sonnet 4.5, Haiku 4.5 and older at the standard rate under US-only
  // inference. A config entry named with the dated id the API answers with must stay at its price:
  // $3 / $15 per 1M, 1,000 in + 500 out = 3,000,000 + 7,500,000 = 10,500,000 nano-USD (1.1× would be 11,550,000).
  const dated = ['claude-sonnet-4-5-20250929', 'claude-3-opus-20240229', 'claude-sonnet-4-20250514', 'claude-3-5-haiku-20241022', 'claude-opus-4-1-20250805'];
  const configured = createPricer(Object.fromEntries(dated.map((id) => [id, { provider: 'anthropic', input: 3, output: 15 }])));
  for (const id of dated) {
    it(`${id} under inference_geo "us" is billed at its configured price, 10,500,000 nano-USD`, () => {
      const r = configured.price(usage({ inputTokens: 1000, outputTokens: 500, inferenceGeo: 'us' }), { provider: 'anthropic', model: id, at: NOW });
      expect(r.priced && r.costNano).toBe(10_500_000);
    });
  }

  // A dated id of a model that is billed 1.1× keeps it: 10,500,000 × 1.1 = 11,550,000.
  it('claude-sonnet-4-6-20260101 (a later model, dated) is still billed 1.1×', () => {
    const later = createPricer({ 'claude-sonnet-4-6-20260101': { provider: 'anthropic', input: 3, output: 15 } });
    const r = later.price(usage({ inputTokens: 1000, outputTokens: 500, inferenceGeo: 'us' }), { provider: 'anthropic', model: 'claude-sonnet-4-6-20260101', at: NOW });
    expect(r.priced && r.costNano).toBe(11_550_000);
  });
});
