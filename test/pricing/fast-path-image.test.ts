import { afterEach, describe, expect, it, vi } from 'vitest';
import { computeCost } from '../../src/pricing/compute.js';
import { createPricer } from '../../src/pricing/pricer.js';
import { NOW, usage } from './support.js';

/*
 * computeCost's fast path (plain Number arithmetic) against its general path (BigInt) for a
 * multimodal call on a model with no image input price: the image tokens are plain input
 * there, so both paths give the same cost. gemini-2.5-pro (genai-prices 0.1.8): $1.25 input,
 * $0.125 cache read, $10 output per 1M (tiers above 200k tokens do not apply to 1,000 tokens),
 * no input_image_mtok, no audio price = 1,250,000 / 125,000 / 10,000,000 pico-USD per token.
 * Whether the fast path ran is seen from the outside by BigInt calls: the general path makes
 * them for every dimension, the fast path none.
 */
const GEMINI_25_PRO = { input: { base: 1_250_000, tiers: [] }, cacheRead: { base: 125_000, tiers: [] }, output: { base: 10_000_000, tiers: [] } };

// A Gemini vision call: 1,000 prompt tokens of which 258 are one image (promptTokensDetails IMAGE), 200 output.
// 1,000 × 1,250,000 + 200 × 10,000,000 = 1,250,000,000 + 2,000,000,000 pico = 3,250,000 nano-USD.
const VISION = usage({ inputTokens: 1_000, inputImageTokens: 258, outputTokens: 200 });

describe('the fast path prices image tokens of a model without an image price', () => {
  afterEach(() => vi.restoreAllMocks());

  it('a gemini-2.5-pro vision call: 3,250,000 nano-USD on the fast path (no BigInt), the same as the general path', () => {
    const bigint = vi.spyOn(globalThis, 'BigInt');
    const fast = computeCost(VISION, GEMINI_25_PRO);
    const fastCalls = bigint.mock.calls.length;
    // audioSeconds: 0 sends the same usage down the general path (the model has no per-hour price: it adds nothing).
    const general = computeCost({ ...VISION, audioSeconds: 0 }, GEMINI_25_PRO);
    expect(bigint.mock.calls.length).toBeGreaterThan(fastCalls);
    expect(fastCalls).toBe(0);
    expect(fast).toEqual(general);
    expect(fast.ok && fast.value.costNano).toBe(3_250_000);
    expect(fast.ok && fast.value.breakdown).toMatchObject({ uncachedInput: 1_250_000, inputImage: 0, output: 2_000_000 });
  });

  it('the pinned catalog prices it the same: 3,250,000 nano-USD', () => {
    const r = createPricer().price(VISION, { provider: 'gemini', model: 'gemini-2.5-pro', at: NOW });
    expect(r).toMatchObject({ priced: true, costNano: 3_250_000 });
  });

  it('a count of image tokens that is no count is still invalid usage, as on the general path', () => {
    expect(computeCost(usage({ inputTokens: 1_000, inputImageTokens: -5 }), GEMINI_25_PRO)).toEqual({ ok: false, error: 'invalid usage: inputImage tokens = -5' });
  });
});
