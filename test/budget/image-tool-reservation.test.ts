import { describe, expect, it } from 'vitest';
import type { GateRequest } from '../../src/budget/gate.js';
import { createOpenAiAdapter } from '../../src/providers/openai.js';
import { budgetRequestOf } from '../../src/proxy/budget-request.js';
import { admittedInFlight, keyGate } from './helpers.js';

/**
 * The budget reservation of a Responses request with the `image_generation` tool: the model may
 * call it, and each image is billed at the tool's image model's rates on top of the mainline
 * call (docs/prices.md, "Image generation tool"). A request with the tool holds, beside the
 * mainline estimate, `max_tool_calls` images (else one) of the image model, each at the most
 * output tokens the tool's size and quality allow (image-output-tokens.ts: `auto` or unset
 * quality as high, `auto` or unset size as the dearest), plus 100 per partial image; none of
 * the prompt is held again for it (its input is not priced: the answer does not say it).
 */

const AT = Date.parse('2026-11-20T12:00:00Z');
const adapter = createOpenAiAdapter();

/** The gate's request, as the proxy builds it, for gpt-5 (max_output_tokens 2,000) with `tools`, from a 40,000-byte body: 10,000 prompt tokens. */
function responsesRequest(tools: unknown[], extra: Record<string, unknown> = {}): GateRequest {
  const info = adapter.describe('POST', '/v1/responses', { model: 'gpt-5', max_output_tokens: 2000, input: 'Draw a cat.', tools, ...extra });
  return budgetRequestOf('k', {}, 'openai', info, 40_000, undefined, AT);
}

const make = (limitUsd: number) => keyGate(limitUsd, AT);

// Mainline gpt-5 ($1.25 input, $10 output per 1M): 10,000 × 1,250 + 2,000 × 10,000 = 12,500,000 + 20,000,000 = 32,500,000 nano-USD.
describe('reservations of Responses requests with the image_generation tool', () => {
  it('a request without the tool holds the mainline model alone: 32,500,000 nano-USD', () => {
    expect(make(1).estimate(responsesRequest([]))).toBe(32_500_000);
  });

  // gpt-image-1 (the default), quality and size unset: high at its dearest size, 1024x1536, 6,240 tokens × $40 per 1M = 249,600,000.
  it('the tool without settings holds one gpt-image-1 image at high and the dearest size: 32,500,000 + 249,600,000 = 282,100,000', () => {
    expect(make(1).estimate(responsesRequest([{ type: 'image_generation' }]))).toBe(282_100_000);
    expect(make(1).estimate(responsesRequest([{ type: 'image_generation', quality: 'auto', size: 'auto' }]))).toBe(282_100_000);
  });

  // gpt-image-1-mini low 1024x1024: 625 tokens (its $0.005 per image at $8 per 1M) × 8,000 = 5,000,000.
  // gpt-image-1 medium 1024x1024 with 3 partial images: (1,056 + 300) × 40,000 = 54,240,000.
  it('a tool that fixes model, size and quality holds that image: mini low 1024x1024 is 37,500,000; partial images add 100 tokens each', () => {
    expect(make(1).estimate(responsesRequest([{ type: 'image_generation', model: 'gpt-image-1-mini', quality: 'low', size: '1024x1024' }]))).toBe(37_500_000);
    expect(make(1).estimate(responsesRequest([{ type: 'image_generation', quality: 'medium', size: '1024x1024', partial_images: 3 }]))).toBe(32_500_000 + 54_240_000);
  });

  it('max_tool_calls bounds the images: 2 hold 2 × 249,600,000 (531,700,000 in all); 0 holds none', () => {
    expect(make(1).estimate(responsesRequest([{ type: 'image_generation' }], { max_tool_calls: 2 }))).toBe(531_700_000);
    expect(make(1).estimate(responsesRequest([{ type: 'image_generation' }], { max_tool_calls: 0 }))).toBe(32_500_000);
  });

  it('a $0.60 budget runs 2 such calls at once, not the 18 the mainline estimate alone let through', () => {
    expect(admittedInFlight(make(0.6), responsesRequest([{ type: 'image_generation' }]))).toBe(2);
    expect(admittedInFlight(make(0.6), responsesRequest([]))).toBe(18);
  });
});
