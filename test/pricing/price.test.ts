import { describe, expect, it } from 'vitest';
import { createPricer } from '../../src/pricing/pricer.js';
import type { PriceResult } from '../../src/pricing/types.js';
import { NOW, usage } from './support.js';

/*
 * Hand-computed costs. Unit reminder: $P per 1M tokens = P × 1000 nano-USD per token
 * ($0.15/M = 150 nano per token).
 */

const pricer = createPricer();
const at = NOW;

function cost(r: PriceResult): number {
  if (!r.priced) throw new Error(`expected a price, got: ${r.reason}`);
  return r.costNano;
}

describe('price(): hand-computed nano-USD', () => {
  it('gpt-4o-mini with a cache hit: uncached, cached and output at their own prices', () => {
    // $0.15 in, $0.075 cached, $0.60 out per 1M → 150 / 75 / 600 nano per token.
    // 1250 input of which 1024 cached: 226 × 150 = 33,900; 1024 × 75 = 76,800
    // 9 output: 9 × 600 = 5,400. Total 116,100 nano.
    const r = pricer.price(usage({ inputTokens: 1250, cacheReadTokens: 1024, outputTokens: 9 }), { provider: 'openai', model: 'gpt-4o-mini', at });
    expect(r).toMatchObject({ priced: true, costNano: 116_100, source: 'genai-prices@0.1.8', modelId: 'gpt-4o-mini', providerId: 'openai' });
    expect(r.priced && r.breakdown).toEqual({
      uncachedInput: 33_900,
      cacheRead: 76_800,
      cacheWrite5m: 0,
      cacheWrite1h: 0,
      inputAudio: 0,
      inputImage: 0,
      output: 5_400,
      outputAudio: 0,
      outputImage: 0,
      outputReasoning: 0,
      webSearch: 0,
      fileSearch: 0,
      audioDuration: 0,
      documentPage: 0,
      annotatedPage: 0,
    });
  });

  it('counts reasoning tokens once, as part of output (o4-mini)', () => {
    // $1.10 in, $4.40 out → 1,100 / 4,400 nano per token.
    // 2000 × 1,100 = 2,200,000; 1500 output (1200 of them reasoning) × 4,400 = 6,600,000.
    // Total 8,800,000 — not 8,800,000 + 1200 × 4,400.
    const r = pricer.price(usage({ inputTokens: 2000, outputTokens: 1500, reasoningTokens: 1200 }), { provider: 'openai', model: 'o4-mini', at });
    expect(cost(r)).toBe(8_800_000);
    expect(r.priced && r.breakdown.outputReasoning).toBe(0);
  });

  it('Anthropic: cache write 5m vs 1h vs cache read (claude-sonnet-4-5)', () => {
    // $3 in, $0.30 read, $3.75 write 5m, $6 write 1h, $15 out.
    // Total input 27,000 = 1,000 uncached + 20,000 read + 4,000 write 5m + 2,000 write 1h.
    // 1,000 × 3,000 = 3,000,000
    // 20,000 × 300 = 6,000,000
    // 4,000 × 3,750 = 15,000,000
    // 2,000 × 6,000 = 12,000,000
    // 500 out × 15,000 = 7,500,000
    // Total 43,500,000 nano ($0.0435).
    const u = usage({ inputTokens: 27_000, cacheReadTokens: 20_000, cacheWrite5mTokens: 4_000, cacheWrite1hTokens: 2_000, outputTokens: 500 });
    const r = pricer.price(u, { provider: 'anthropic', model: 'claude-sonnet-4-5-20250929', at });
    expect(r).toMatchObject({
      priced: true,
      costNano: 43_500_000,
      modelId: 'claude-sonnet-4-5',
      breakdown: { uncachedInput: 3_000_000, cacheRead: 6_000_000, cacheWrite5m: 15_000_000, cacheWrite1h: 12_000_000, output: 7_500_000 },
    });
  });

  it('a model without a cache price bills cache tokens at the input price', () => {
    // command-a: $2.50 in, $10 out, no cache price. 1,000 input (400 "cached") × 2,500 = 2,500,000.
    const r = pricer.price(usage({ inputTokens: 1000, cacheReadTokens: 400 }), { provider: 'cohere', model: 'command-a', at });
    expect(cost(r)).toBe(2_500_000);
  });

  describe('Gemini 2.5 Pro long-context tier (chosen by TOTAL input, applies to all tokens)', () => {
    const ctx = { provider: 'gemini', model: 'gemini-2.5-pro', at };
    it('above 200k', () => {
      // Tier prices: $2.50 in, $0.25 cached, $15 out → 2,500 / 250 / 15,000 nano.
      // 250,000 input, 50,000 cached: 200,000 × 2,500 = 500,000,000; 50,000 × 250 = 12,500,000
      // 2,000 output (thoughts included) × 15,000 = 30,000,000. Total 542,500,000 nano.
      expect(cost(pricer.price(usage({ inputTokens: 250_000, cacheReadTokens: 50_000, outputTokens: 2000, reasoningTokens: 1500 }), ctx))).toBe(542_500_000);
    });
    it('exactly 200,000 is still the base tier; 200,001 is not', () => {
      // 200,000 × 1,250 + 2,000 × 10,000 = 250,000,000 + 20,000,000
      expect(cost(pricer.price(usage({ inputTokens: 200_000, outputTokens: 2000 }), ctx))).toBe(270_000_000);
      // 200,001 × 2,500 + 2,000 × 15,000 = 500,002,500 + 30,000,000
      expect(cost(pricer.price(usage({ inputTokens: 200_001, outputTokens: 2000 }), ctx))).toBe(530_002_500);
    });
  });

  it('claude-sonnet-4 above 200k uses the long-context override', () => {
    // 300,000 input (100,000 read, 50,000 write 5m, 10,000 write 1h), 1,000 output. Tier: $6 / $0.60 / $7.50 / $12 / $22.50.
    // 140,000 × 6,000 = 840,000,000; 100,000 × 600 = 60,000,000; 50,000 × 7,500 = 375,000,000
    // 10,000 × 12,000 = 120,000,000; 1,000 × 22,500 = 22,500,000. Total 1,417,500,000.
    const u = usage({ inputTokens: 300_000, cacheReadTokens: 100_000, cacheWrite5mTokens: 50_000, cacheWrite1hTokens: 10_000, outputTokens: 1000 });
    expect(pricer.price(u, { provider: 'anthropic', model: 'claude-sonnet-4-20250514', at })).toMatchObject({ costNano: 1_417_500_000, source: 'override' });
  });

  it('audio tokens at their own price (gpt-4o-audio-preview override)', () => {
    // Text $2.50/$10, audio $40/$80. 1,000 input of which 600 audio, 500 output of which 400 audio.
    // 400 × 2,500 = 1,000,000; 600 × 40,000 = 24,000,000; 100 × 10,000 = 1,000,000; 400 × 80,000 = 32,000,000.
    const u = usage({ inputTokens: 1000, inputAudioTokens: 600, outputTokens: 500, outputAudioTokens: 400 });
    const r = pricer.price(u, { provider: 'openai', model: 'gpt-4o-audio-preview-2025-06-03', at });
    expect(r).toMatchObject({ costNano: 58_000_000, source: 'override', breakdown: { inputAudio: 24_000_000, outputAudio: 32_000_000 } });
  });

  it('rounds once, from the exact pico sum', () => {
    // $0.0005 per 1M = 0.5 nano per token. 1 in + 1 out = 1.0 nano (rounding each would give 2).
    const p = createPricer({ 'half-nano': { input: 0.0005, output: 0.0005 } });
    const r = p.price(usage({ inputTokens: 1, outputTokens: 1 }), { provider: 'local', model: 'half-nano', at });
    expect(r).toMatchObject({ costNano: 1, breakdown: { uncachedInput: 1, output: 1 } });
    // command-r7b: $0.0375 in = 37.5 nano per token → 3 tokens = 112.5 → 113 (half up).
    expect(cost(pricer.price(usage({ inputTokens: 3 }), { provider: 'cohere', model: 'command-r7b-12-2024', at }))).toBe(113);
  });
  it('image output at its own price (gemini-2.5-flash-image), not as text', () => {
    // $0.30 in, $2.50 text out, $30 image out per 1M → 300 / 2,500 / 30,000 nano per token.
    // 20 × 300 = 6,000; 10 text × 2,500 = 25,000; 1290 image (one 1024² image) × 30,000 = 38,700,000.
    // Total 38,731,000 (as text it was 1300 × 2,500 + 6,000 = 3,256,000, 92 % under).
    const r = pricer.price(usage({ inputTokens: 20, outputTokens: 1300, outputImageTokens: 1290 }), { provider: 'gemini', model: 'gemini-2.5-flash-image', at });
    expect(cost(r)).toBe(38_731_000);
    expect(r.priced && r.breakdown).toMatchObject({ uncachedInput: 6_000, output: 25_000, outputImage: 38_700_000 });
  });

  it('web searches at the per-search fee (claude-sonnet-4-5, $10 per 1,000)', () => {
    // 1000 in × 3,000 = 3,000,000; 200 out × 15,000 = 3,000,000; 2 searches × $0.01 (10,000,000 nano) = 20,000,000.
    const r = pricer.price(usage({ inputTokens: 1000, outputTokens: 200, webSearches: 2 }), { provider: 'anthropic', model: 'claude-sonnet-4-5', at });
    expect(cost(r)).toBe(26_000_000);
    expect(r.priced && r.breakdown.webSearch).toBe(20_000_000);
  });

  it('file search tool calls at the per-call fee (gpt-4.1, $2.50 per 1,000), apart from web searches', () => {
    // $2 in, $8 out per 1M → 2,000 / 8,000 nano per token. 1000 in × 2,000 = 2,000,000; 200 out × 8,000 = 1,600,000;
    // 2 file searches × $0.0025 (2,500,000 nano) = 5,000,000; 1 web search × $0.01 = 10,000,000. Total 18,600,000.
    const r = pricer.price(usage({ inputTokens: 1000, outputTokens: 200, fileSearches: 2, webSearches: 1 }), { provider: 'openai', model: 'gpt-4.1', at });
    expect(cost(r)).toBe(18_600_000);
    expect(r.priced && r.breakdown).toMatchObject({ uncachedInput: 2_000_000, output: 1_600_000, fileSearch: 5_000_000, webSearch: 10_000_000 });
    // File searches alone, on a model priced by the fast path otherwise: the fee is not dropped.
    expect(cost(pricer.price(usage({ inputTokens: 1000, outputTokens: 200, fileSearches: 2 }), { provider: 'openai', model: 'gpt-4.1', at }))).toBe(8_600_000);
    // A model without a file search fee (gpt-4.1-nano, none in the catalog) charges the tokens alone.
    expect(cost(pricer.price(usage({ inputTokens: 1000, outputTokens: 200, fileSearches: 2 }), { provider: 'openai', model: 'gpt-4.1-nano', at }))).toBe(180_000);
  });

  it('cached audio at its own cache price when the provider says how much of the cache was audio (gemini-2.5-flash)', () => {
    // $0.30 text in, $1 audio in, $0.03 cached text, $0.10 cached audio per 1M → 300 / 1,000 / 30 / 100 nano.
    // 10,000 in: 5,000 audio (3,000 of them cached), 4,000 cached (3,000 audio).
    // Text: 4,000 × 300 = 1,200,000; audio 2,000 × 1,000 = 2,000,000; cached text 1,000 × 30 = 30,000;
    // cached audio 3,000 × 100 = 300,000. Total 3,530,000.
    const u = { inputTokens: 10_000, inputAudioTokens: 5_000, cacheReadTokens: 4_000 };
    expect(cost(pricer.price(usage({ ...u, cacheAudioReadTokens: 3_000 }), { provider: 'gemini', model: 'gemini-2.5-flash', at }))).toBe(3_530_000);
    // Without the split the counts do not overlap, so nothing is cached audio:
    // 1,000 × 300 + 5,000 × 1,000 + 4,000 × 30 = 5,420,000.
    expect(cost(pricer.price(usage(u), { provider: 'gemini', model: 'gemini-2.5-flash', at }))).toBe(5_420_000);
  });

  it('refuses image output above the output, and cached audio above the audio input', () => {
    expect(pricer.price(usage({ inputTokens: 20, outputTokens: 10, outputImageTokens: 11 }), { provider: 'gemini', model: 'gemini-2.5-flash-image', at })).toMatchObject({ priced: false });
    expect(pricer.price(usage({ inputTokens: 100, inputAudioTokens: 10, cacheReadTokens: 50, cacheAudioReadTokens: 11 }), { provider: 'gemini', model: 'gemini-2.5-flash', at })).toMatchObject({ priced: false });
  });
});

describe('price(): never a silent 0', () => {
  it('an unknown model is unpriced with a reason', () => {
    const r = pricer.price(usage({ inputTokens: 10, outputTokens: 10 }), { provider: 'openai', model: 'gpt-imaginary-9', at });
    expect(r.priced).toBe(false);
    expect(!r.priced && r.reason).toMatch(/no known price for model 'gpt-imaginary-9' at provider 'openai'/);
  });

  it('an unknown model at a custom provider is unpriced', () => {
    const r = pricer.price(usage({ inputTokens: 10 }), { provider: 'ollama', model: 'llama3.2:3b', at });
    expect(r).toMatchObject({ priced: false });
    expect(!r.priced && r.reason).toMatch(/custom provider 'ollama'/);
  });

  it('a model priced per hour of audio (whisper-1) with a usage that reports no seconds is unpriced, not $0', () => {
    const r = pricer.price(usage({ inputTokens: 100 }), { provider: 'openai', model: 'whisper-1', at });
    expect(r).toMatchObject({ priced: false });
    expect(!r.priced && r.reason).toBe("'whisper-1' is priced per hour of audio, and the call's usage reports no duration");
  });

  it('usage that breaks the inclusion rules is unpriced', () => {
    const ctx = { provider: 'openai', model: 'gpt-4o', at };
    expect(pricer.price(usage({ inputTokens: 10, cacheReadTokens: 11 }), ctx)).toMatchObject({ priced: false });
    expect(pricer.price(usage({ inputTokens: -1 }), ctx)).toMatchObject({ priced: false });
    expect(pricer.price(usage({ inputTokens: 1.5 }), ctx)).toMatchObject({ priced: false });
    expect(pricer.price(usage({ inputTokens: 10 }), { ...ctx, at: Number.NaN })).toMatchObject({ priced: false });
  });

  it('zero tokens on a known model is a real zero', () => {
    expect(pricer.price(usage({}), { provider: 'openai', model: 'gpt-4o', at })).toMatchObject({ priced: true, costNano: 0 });
  });
});

describe('config prices', () => {
  const p = createPricer({
    'gpt-4o': { input: 1, output: 2, cached_input: 0.5 },
    'my-model': { provider: 'local', input: 0.2, output: 0.4, cache_write: 0.3 },
    'mistral-large-latest': { input: 9, output: 9 },
  });

  it('wins over the catalog', () => {
    // 1,000 in (200 cached): 800 × 1,000 + 200 × 500 = 900,000; 100 out × 2,000 = 200,000.
    const r = p.price(usage({ inputTokens: 1000, cacheReadTokens: 200, outputTokens: 100 }), { provider: 'openai', model: 'gpt-4o-2024-08-06', at });
    expect(r).toMatchObject({ priced: true, costNano: 1_100_000, source: 'config', modelId: 'gpt-4o', providerId: null });
  });

  it('wins over the overrides', () => {
    expect(p.price(usage({ inputTokens: 1000 }), { provider: 'mistral', model: 'mistral-large-latest', at })).toMatchObject({ costNano: 9_000_000, source: 'config' });
  });

  it('is restricted to its provider when it names one', () => {
    const u = usage({ inputTokens: 1000, cacheWrite5mTokens: 100 });
    // 900 × 200 + 100 × 300 = 210,000
    expect(p.price(u, { provider: 'local', model: 'my-model', at })).toMatchObject({ costNano: 210_000, source: 'config' });
    expect(p.price(u, { provider: 'other', model: 'my-model', at })).toMatchObject({ priced: false });
  });

  it('without a cache price bills cache reads at its input price', () => {
    expect(p.price(usage({ inputTokens: 1000, cacheReadTokens: 1000 }), { provider: 'local', model: 'my-model', at })).toMatchObject({ costNano: 200_000 });
  });
});
