import { describe, expect, it } from 'vitest';
import { computeCost } from '../../src/pricing/compute.js';
import { createPricer } from '../../src/pricing/pricer.js';
import type { PriceResult } from '../../src/pricing/types.js';
import { NOW, usage } from './support.js';

/*
 * Image input tokens (Usage.inputImageTokens, a subset of inputTokens) at the catalog's
 * `input_image_mtok` when the model has it, else as any uncached input token.
 * Unit reminder: $P per 1M tokens = P × 1,000 nano-USD per token.
 */

const pricer = createPricer();
const at = NOW;
/** gpt-image-1's prices in pico-USD per token: $5 text in, $10 image in, $40 out per 1M. */
const GPT_IMAGE_1 = { input: { base: 5_000_000, tiers: [] }, inputImage: { base: 10_000_000, tiers: [] }, output: { base: 40_000_000, tiers: [] } };

function cost(r: PriceResult): number {
  if (!r.priced) throw new Error(`expected a price, got: ${r.reason}`);
  return r.costNano;
}

describe('image input tokens at the image input price', () => {
  it('gpt-image-1: 1,000 image tokens of 1,200 input at $10, the 200 text tokens at $5', () => {
    // $5 text in, $10 image in, $40 out per 1M → 5,000 / 10,000 / 40,000 nano per token.
    // 200 text × 5,000 = 1,000,000; 1,000 image × 10,000 = 10,000,000; 4,160 out × 40,000 = 166,400,000.
    // Total 177,400,000 (with every input token at the text price: 1,200 × 5,000 + 166,400,000 = 172,400,000).
    // gpt-image-1 has no image output price: its 4,160 image output tokens are output.
    const r = pricer.price(usage({ inputTokens: 1_200, inputImageTokens: 1_000, outputTokens: 4_160, outputImageTokens: 4_160 }), { provider: 'openai', model: 'gpt-image-1', at });
    expect(cost(r)).toBe(177_400_000);
    expect(r.priced && r.breakdown).toMatchObject({ uncachedInput: 1_000_000, inputImage: 10_000_000, output: 166_400_000, outputImage: 0 });
  });

  it('gpt-image-1.5: image input at $8 and image output at $32, beside text at $5 in and $10 out', () => {
    // 600 input of which 500 image; 4,100 output of which 4,000 image.
    // 100 text in × 5,000 = 500,000; 500 image in × 8,000 = 4,000,000;
    // 100 text out × 10,000 = 1,000,000; 4,000 image out × 32,000 = 128,000,000.
    // Total 133,500,000 (image input as text: 600 × 5,000 + 129,000,000 = 132,000,000).
    const r = pricer.price(usage({ inputTokens: 600, inputImageTokens: 500, outputTokens: 4_100, outputImageTokens: 4_000 }), { provider: 'openai', model: 'gpt-image-1.5', at });
    expect(cost(r)).toBe(133_500_000);
    expect(r.priced && r.breakdown).toMatchObject({ uncachedInput: 500_000, inputImage: 4_000_000, output: 1_000_000, outputImage: 128_000_000 });
  });

  it('a model without an image input price bills image tokens as input (gpt-4o, $2.50 in, $10 out)', () => {
    // 1,200 input (1,000 image) × 2,500 = 3,000,000; 100 out × 10,000 = 1,000,000. Total 4,000,000.
    const r = pricer.price(usage({ inputTokens: 1_200, inputImageTokens: 1_000, outputTokens: 100 }), { provider: 'openai', model: 'gpt-4o', at });
    expect(cost(r)).toBe(4_000_000);
    expect(r.priced && r.breakdown).toMatchObject({ uncachedInput: 3_000_000, inputImage: 0, output: 1_000_000 });
  });

  it('image and audio input each at their own price (gemini-3.1-flash-live-preview)', () => {
    // $0.75 text in, $3 audio in, $1 image in, $4.50 out per 1M → 750 / 3,000 / 1,000 / 4,500 nano.
    // 10,000 input: 2,000 audio, 3,000 image, 5,000 text. 5,000 × 750 = 3,750,000;
    // 2,000 × 3,000 = 6,000,000; 3,000 × 1,000 = 3,000,000; 100 out × 4,500 = 450,000. Total 13,200,000.
    const r = pricer.price(usage({ inputTokens: 10_000, inputAudioTokens: 2_000, inputImageTokens: 3_000, outputTokens: 100 }), { provider: 'gemini', model: 'gemini-3.1-flash-live-preview', at });
    expect(cost(r)).toBe(13_200_000);
    expect(r.priced && r.breakdown).toMatchObject({ uncachedInput: 3_750_000, inputAudio: 6_000_000, inputImage: 3_000_000, output: 450_000 });
  });

  it('a price modifier scales image input like any token (2× on gpt-image-1: 177,400,000 → 354,800,000)', () => {
    const r = computeCost(usage({ inputTokens: 1_200, inputImageTokens: 1_000, outputTokens: 4_160 }), GPT_IMAGE_1, { numerator: 2, denominator: 1 });
    expect(r.ok && r.value.costNano).toBe(354_800_000);
  });

  it('refuses image input that does not fit in the uncached input (image + uncached audio + cache reads + writes > input)', () => {
    // gpt-image-1: 1,000 image + 300 cache reads of 1,200 input.
    const over = pricer.price(usage({ inputTokens: 1_200, inputImageTokens: 1_000, cacheReadTokens: 300, outputTokens: 10 }), { provider: 'openai', model: 'gpt-image-1', at });
    expect(over).toMatchObject({ priced: false });
    expect(!over.priced && over.reason).toContain('inconsistent usage');
    expect(pricer.price(usage({ inputTokens: 1_200, inputImageTokens: 1_201 }), { provider: 'openai', model: 'gpt-image-1', at })).toMatchObject({ priced: false });
    // gemini-3.1-flash-live-preview: 6,000 audio + 5,000 image of 10,000 input.
    expect(pricer.price(usage({ inputTokens: 10_000, inputAudioTokens: 6_000, inputImageTokens: 5_000 }), { provider: 'gemini', model: 'gemini-3.1-flash-live-preview', at })).toMatchObject({ priced: false });
    // Negative or fractional counts are invalid usage.
    expect(computeCost(usage({ inputTokens: 10, inputImageTokens: -1 }), GPT_IMAGE_1).ok).toBe(false);
  });
});
