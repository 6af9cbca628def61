import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MAX_OUTPUT_TOKENS,
  estimateCostNano,
  FALLBACK_INPUT_PICO_PER_TOKEN,
  FALLBACK_OUTPUT_PICO_PER_TOKEN,
  usdPerMillionToPicoPerToken,
} from '../../src/budget/estimate.js';

describe('estimateCostNano', () => {
  const gpt4o = { inputPricePerTokenPico: usdPerMillionToPicoPerToken(2.5), outputPricePerTokenPico: usdPerMillionToPicoPerToken(10) };

  it('prices bytes/4 prompt tokens and max output tokens', () => {
    // 4000 bytes → 1000 tokens * $2.50/M = $0.0025; 500 output * $10/M = $0.005
    expect(estimateCostNano({ promptBytes: 4000, maxOutputTokens: 500, ...gpt4o })).toBe(7_500_000);
  });

  it('adds the tokens of the conversation a request continues at the input price', () => {
    // 4000 bytes → 1000 tokens, plus 50,000 continued: 51,000 × $2.50/M = $0.1275; 500 output × $10/M = $0.005
    expect(estimateCostNano({ promptBytes: 4000, maxOutputTokens: 500, contextTokens: 50_000, ...gpt4o })).toBe(132_500_000);
    expect(estimateCostNano({ promptBytes: 4000, maxOutputTokens: 500, contextTokens: -5, ...gpt4o })).toBe(7_500_000);
  });

  it('uses the per-model default when the client sets no maximum, else the global default', () => {
    expect(estimateCostNano({ promptBytes: 0, maxOutputTokens: null, defaultMaxOutput: 100, ...gpt4o })).toBe(1_000_000);
    expect(estimateCostNano({ promptBytes: 0, ...gpt4o })).toBe(DEFAULT_MAX_OUTPUT_TOKENS * 10_000);
  });

  it('falls back to conservative prices when the model is unknown', () => {
    const est = estimateCostNano({ promptBytes: 400, maxOutputTokens: 10 });
    expect(est).toBe((100 * FALLBACK_INPUT_PICO_PER_TOKEN + 10 * FALLBACK_OUTPUT_PICO_PER_TOKEN) / 1000);
    expect(est).toBeGreaterThan(estimateCostNano({ promptBytes: 400, maxOutputTokens: 10, ...gpt4o }));
  });

  it('rounds up, never returns a fraction, NaN or a negative', () => {
    expect(estimateCostNano({ promptBytes: 1, maxOutputTokens: 0, inputPricePerTokenPico: 1, outputPricePerTokenPico: 0 })).toBe(1);
    // negative bytes → 0 tokens; NaN max → default output, priced at the given $0 output price
    expect(estimateCostNano({ promptBytes: -5, maxOutputTokens: Number.NaN, inputPricePerTokenPico: -1, outputPricePerTokenPico: 0 })).toBe(0);
    expect(Number.isSafeInteger(estimateCostNano({ promptBytes: 1e12, maxOutputTokens: 1e12 }))).toBe(true);
  });
});

describe('estimateCostNano: a price modifier scales tokens, not per-use fees', () => {
  // 400 bytes = 100 prompt tokens × 5,000 pico + 100 output × 25,000 pico = 3,000,000 pico;
  // × 6 (fast mode) = 18,000,000 pico; + 2 searches × 10,000,000,000 pico = 20,018,000,000 pico
  // = 20,018,000 nano (multiplying the fees too held 120,018,000).
  it('holds 20,018,000 nano-USD for 6× tokens and 2 searches at $0.01', () => {
    expect(estimateCostNano({ promptBytes: 400, maxOutputTokens: 100, inputPricePerTokenPico: 5_000, outputPricePerTokenPico: 25_000, maxUses: 2, pricePerUsePico: 10_000_000_000, modifier: { numerator: 6, denominator: 1 } })).toBe(20_018_000);
  });

  // Pages of a document whose price is unknown: the dearest page price in the pinned catalog,
  // $5 per 1,000 = 5e9 pico a page. 10 pages = 5e10 pico = 50,000,000 nano-USD (was 0); a known
  // page price (mistral-ocr-2512: 2e9) holds 10 × 2e9 = 20,000,000; no pages, nothing.
  it('holds pages at their price, and at 5e9 pico a page when the price is unknown', () => {
    const free = { promptBytes: 0, maxOutputTokens: 0, inputPricePerTokenPico: 0, outputPricePerTokenPico: 0 };
    expect(estimateCostNano({ ...free, pages: 10 })).toBe(50_000_000);
    expect(estimateCostNano({ ...free, pages: 10, pricePerPagePico: 2_000_000_000 })).toBe(20_000_000);
    expect(estimateCostNano({ ...free, pages: 0 })).toBe(0);
  });
});
