import { describe, expect, it } from 'vitest';
import { UpstreamError } from '../../src/proxy/types.js';
import { afterImmediates, bodyText, fixture, jsonAnswer } from './fakes.js';
import { jsonCall, pricedByCatalog } from './image-calls.js';

/**
 * A GPT image call whose usage never arrives (the client leaves a non-streamed call, an
 * answer too large to read, a timeout mid-body) still ran on the provider: it is recorded
 * estimated at the reservation's bound, never `unknown` at $0, which would release its hold
 * at nothing (a budget escape). Prices from the pinned catalog: gpt-image-1 $5 per 1M input
 * tokens (5,000 nano-USD a token), $40 per 1M image output tokens (40,000 nano-USD a token).
 */

describe('a GPT image call without usage', () => {
  // The body {"model":"gpt-image-1","prompt":"a lighthouse","quality":"high","size":"1024x1024"}
  // is 83 bytes: ceil(83 / 4) = 21 input tokens; one 1024x1024 high image is 4,160 output tokens.
  // 21 × 5,000 + 4,160 × 40,000 = 105,000 + 166,400,000 = 166,505,000 nano-USD.
  // Before: usage unknown, cost null, the hold settled at 0.
  it('whose client leaves before the answer is recorded estimated at its bound: 166,505,000 nano-USD, and the key is charged that', async () => {
    const call = jsonCall('/proxy/openai/v1/images/generations', { model: 'gpt-image-1', prompt: 'a lighthouse', quality: 'high', size: '1024x1024' });
    const f = fixture(
      () =>
        new Promise((_resolve, reject) => {
          // Not aborted when its client leaves (the provider bills the answer): the header timeout ends it.
          call.leave();
          setTimeout(() => reject(new UpstreamError('timeout', 'no response headers within 300 ms')), 60);
        }),
    );
    pricedByCatalog(f);
    const res = await f.handle(call);
    expect(res.status).toBe(499);
    await afterImmediates();
    const record = f.records[0];
    expect(record).toMatchObject({
      endpoint: 'images.generations',
      outcome: 'client_aborted',
      usageSource: 'estimated',
      usage: { inputTokens: 21, outputTokens: 4160, outputImageTokens: 4160 },
      costNano: 166_505_000,
    });
    expect(record?.usage?.inputImageTokens).toBeUndefined();
    expect(record?.error).toContain('estimated');
    expect(f.gate.settled).toEqual([['r1', 166_505_000]]);
  });
});

/**
 * xAI answers an image generation with the cost it billed and no token counts:
 * `usage.cost_in_usd_ticks`, 1 USD = 10^10 ticks (docs.x.ai/developers/cost-tracking: "An
 * image generation with cost_in_usd_ticks: 200000000 cost $0.02"). Its models are billed per
 * image; the vendor's own figure is the call's cost rather than "unpriced".
 */
describe('an image answer carrying only the cost its vendor billed', () => {
  // 200,000,000 ticks / 10 = 20,000,000 nano-USD ($0.02).
  // Before: the usage was dropped (no token counts): recorded unpriced, cost null, settled at 0.
  it('is recorded at the vendor-reported cost: 200,000,000 ticks = 20,000,000 nano-USD, charged to the key', async () => {
    const answer = JSON.stringify({ data: [{ url: 'https://img.invalid/1.jpg' }], usage: { cost_in_usd_ticks: 200_000_000 } });
    const f = fixture(() => jsonAnswer(answer));
    pricedByCatalog(f);
    await bodyText(await f.handle(jsonCall('/proxy/openai/v1/images/generations', { model: 'grok-imagine-image', prompt: 'a lighthouse' })));
    await afterImmediates();
    expect(f.records[0]).toMatchObject({
      endpoint: 'images.generations',
      model: 'grok-imagine-image',
      usageSource: 'reported',
      usage: { inputTokens: 0, outputTokens: 0, providerCostNano: 20_000_000 },
      providerCostNano: 20_000_000,
      costNano: 20_000_000,
      priceSource: 'provider',
    });
    expect(f.gate.settled).toEqual([['r1', 20_000_000]]);
  });
});
