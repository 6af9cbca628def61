import { describe, expect, it } from 'vitest';
import { estimateRatesOf } from '../../src/budget/estimate-prices.js';
import { createPricer } from '../../src/pricing/pricer.js';

const pricer = createPricer();

describe('the budget bounds the input of an image model by its image input price', () => {
  it('gpt-image-1: image input $10 per 1M above text input $5 → 10,000,000 pico per prompt token', () => {
    // An edit's uploaded images are input tokens billed at $10 per 1M: a bound at the $5 text
    // price would reserve half of what 1,000 image tokens cost (5,000,000 of 10,000,000 nano).
    expect(estimateRatesOf(pricer.describe('gpt-image-1', 'openai'))).toEqual({
      inputPicoPerToken: 10_000_000,
      outputPicoPerToken: 40_000_000,
      webSearchPicoPerUse: 0,
      fileSearchPicoPerUse: 0,
      cacheRead: [{ aboveInputTokens: -1, picoPerToken: 1_250_000 }],
    });
  });

  it('the dearest input-side price wins: gpt-image-1-mini its $2.50 image input over $2 text, gemini-embedding-2 its $6.50 audio over $0.45 image', () => {
    expect(estimateRatesOf(pricer.describe('gpt-image-1-mini', 'openai')).inputPicoPerToken).toBe(2_500_000);
    expect(estimateRatesOf(pricer.describe('gemini-embedding-2', 'gemini')).inputPicoPerToken).toBe(6_500_000);
  });
});
