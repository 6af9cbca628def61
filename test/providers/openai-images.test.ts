import { describe, expect, it } from 'vitest';
import { createPricer } from '../../src/pricing/pricer.js';
import { imageOutputTokens } from '../../src/providers/image-output-tokens.js';
import { ImagesStream, imagesUsage, usagelessImages } from '../../src/providers/openai-images.js';

const enc = new TextEncoder();

describe('ImagesStream', () => {
  it('lets a partial image frame pass as bytes, never a completed one', () => {
    const stream = new ImagesStream(1, 0);
    expect(stream.passes(enc.encode('event: image_generation.partial_image\ndata: {"b64_json":"iVBOR"}\n\n'))).toBe(true);
    expect(stream.passes(enc.encode('event: image_edit.partial_image\ndata: {"b64_json":"iVBOR"}\n\n'))).toBe(true);
    expect(stream.passes(enc.encode('event: image_generation.completed\ndata: {"usage":{}}\n\n'))).toBe(false);
    expect(stream.passes(enc.encode('data: {"type":"image_generation.partial_image"}\n\n'))).toBe(false);
  });

  // A data line with neither "usage" nor "error" is not parsed: here it is not even JSON.
  it('sums completed events, skips data without usage or error unparsed, and fails on an error chunk', () => {
    const stream = new ImagesStream(1, 0);
    const usage = { input_tokens: 10, input_tokens_details: { image_tokens: 4, text_tokens: 6 }, output_tokens: 272 };
    expect(stream.onFrame({ event: '', data: '{"type":"image_generation.partial_image","b64_json":"iVBOR' })).toBe(true);
    stream.onFrame({ event: '', data: JSON.stringify({ type: 'image_generation.completed', usage }) });
    stream.onFrame({ event: 'image_generation.completed', data: JSON.stringify({ type: 'image_generation.completed', usage }) });
    stream.onFrame({ event: '', data: JSON.stringify({ error: { message: 'content policy' } }) });
    expect(stream.finish()).toEqual({
      usage: { inputTokens: 20, inputImageTokens: 8, outputTokens: 544, outputImageTokens: 544, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, reasoningTokens: 0 },
      model: null,
      failed: 'stream error: content policy',
    });
  });
});

describe('ImagesStream: a vendor-reported cost on each completed event', () => {
  // xAI's cost_in_usd_ticks (1 USD = 10^10 ticks) on two images: 200,000,000 each = $0.02 each.
  it('is summed over the images: 2 × 20,000,000 = 40,000,000 nano-USD', () => {
    const stream = new ImagesStream(2, 0);
    for (let i = 0; i < 2; i++) stream.onFrame({ event: '', data: JSON.stringify({ type: 'image_generation.completed', usage: { cost_in_usd_ticks: 200_000_000 } }) });
    expect(stream.finish().usage?.providerCostNano).toBe(40_000_000);
  });
});

describe('ImagesStream: a top-level error event', () => {
  // The Responses API's error event shape (ResponseErrorEvent `{type: "error", code, message}`,
  // read by openai-usage.ts ResponsesStream), besides the nested `{error: {message}}` the
  // openai SDK raises (core/streaming.js `data.error`). Before: not a failure.
  it('fails the stream on {"type":"error","code","message"}', () => {
    const stream = new ImagesStream(1, 0);
    stream.onFrame({ event: 'error', data: JSON.stringify({ type: 'error', code: 'server_error', message: 'The server had an error' }) });
    expect(stream.finish()).toEqual({ usage: null, model: null, failed: 'stream error: The server had an error' });
  });
});

describe('imageOutputTokens', () => {
  it('reads form fields as text: 1536x1024 low with 3 partial images = 400 + 300', () => {
    expect(imageOutputTokens({ size: '1536x1024', quality: 'low', partial_images: '3' }, 'gpt-image-1')).toBe(700);
  });

  // dall-e-3's `hd` counts as high; 1792x1024 = 1,835,008 px × 4,160 / 1,048,576 = 7,280.
  it('takes a dall-e quality as high and scales a dall-e size: 1792x1024 hd = 7,280', () => {
    expect(imageOutputTokens({ size: '1792x1024', quality: 'hd' }, 'dall-e-3')).toBe(7280);
  });
});

/**
 * gpt-image-1-mini's published prices per image (OpenAI's pricing page: 1024x1024 low $0.005,
 * medium $0.011, high $0.036; 1024x1536 and 1536x1024 $0.006, $0.015, $0.052) at its $8 per 1M
 * output tokens are 625, 1,375, 4,500 and 750, 1,875, 6,500 tokens, above gpt-image-1's table
 * (272, 1,056, 4,160; 408, 1,584, 6,240): a hold at the table is short of the bill.
 */
describe('imageOutputTokens of gpt-image-1-mini', () => {
  it('holds the tokens its published price per image pays for: 1024x1024 low 625, medium 1,375, high 4,500; 1536x1024 high 6,500', () => {
    expect(['low', 'medium', 'high'].map((quality) => imageOutputTokens({ size: '1024x1024', quality }, 'gpt-image-1-mini'))).toEqual([625, 1375, 4500]);
    expect(imageOutputTokens({ size: '1536x1024', quality: 'high' }, 'gpt-image-1-mini')).toBe(6500);
    expect(imageOutputTokens({ size: '1024x1536', quality: 'low' }, 'gpt-image-1-mini-2025-10-06')).toBe(750);
  });
});

/**
 * gpt-image-2's output tokens by size and quality: OpenAI's pricing calculator gives 7,024 at
 * 1024x1024 high, 5,488 at 1536x1024, 5,063 at 1792x1024, 12,329 at 3584x2048
 * (community.openai.com/t/1379464); the rule of community.openai.com/t/1382699,
 * ceil(q × floor((2q × short + long) / (2 × long)) × (2,000,000 + w × h) / 4,000,000), q = 16,
 * 48, 96 for low, medium, high, reproduces all four. 1024x1024 high: floor(197,632 / 2,048) = 96;
 * 96 × 96 × 3,048,576 / 4,000,000 = 7,023.9 → 7,024 (gpt-image-1's table: 4,160).
 */
describe('imageOutputTokens of gpt-image-2', () => {
  it.each([
    ['1024x1024', 'high', 7024],
    ['1536x1024', 'high', 5488],
    ['1024x1536', 'high', 5488],
    ['1792x1024', 'high', 5063],
    ['3584x2048', 'high', 12_329],
    // floor((2 × 16 × 1024 + 1024) / 2048) = 16: 256 × 0.762144 = 195.1 → 196.
    ['1024x1024', 'low', 196],
    // 48 × 48 × 0.762144 = 1,755.98 → 1,756.
    ['1024x1024', 'medium', 1756],
  ])('%s %s = %i tokens', (size, quality, tokens) => {
    expect(imageOutputTokens({ size, quality }, 'gpt-image-2')).toBe(tokens);
  });

  // auto (or unset) size: the dearest size the model allows (at most 8,294,400 px, edges of
  // at most 3,840 and 3:1): 2880x2880, 9,216 × 10,294,400 / 4,000,000 = 23,718.3 → 23,719 at high.
  it('holds an auto or unset size at its dearest allowed size, 2880x2880: 23,719 at high (auto quality)', () => {
    expect(imageOutputTokens({ size: 'auto', quality: 'auto' }, 'gpt-image-2')).toBe(23_719);
    expect(imageOutputTokens({}, 'gpt-image-2-2026-04-21')).toBe(23_719);
  });

  // A GPT image model of neither family: the larger of the two rules.
  it('holds another GPT image model at the larger rule: chatgpt-image-latest 1024x1024 high = 7,024, 1536x1024 low = 400', () => {
    expect(imageOutputTokens({ size: '1024x1024', quality: 'high' }, 'chatgpt-image-latest')).toBe(7024);
    // gpt-image-1's 400 against gpt-image-2's floor(34,304 / 3,072) = 11: 176 × 0.893216 = 157.2 → 158.
    expect(imageOutputTokens({ size: '1536x1024', quality: 'low' }, 'chatgpt-image-latest')).toBe(400);
  });

  it("keeps gpt-image-1's table for its family: gpt-image-1.5 1024x1024 high = 4,160", () => {
    expect(imageOutputTokens({ size: '1024x1024', quality: 'high' }, 'gpt-image-1.5')).toBe(4160);
  });
});

describe('usagelessImages', () => {
  it('says billed per image for dall-e and variations, usage unknown for a GPT image model', () => {
    expect(usagelessImages('images.generations', 'dall-e-3').perImage).toBe(true);
    expect(usagelessImages('images.variations', 'gpt-image-1').perImage).toBe(true);
    expect(usagelessImages('images.generations', 'gpt-image-1').perImage).toBe(false);
    expect(usagelessImages('images.edits', 'chatgpt-image-latest').perImage).toBe(false);
  });
});

describe('imagesUsage', () => {
  // gpt-image-1 (pinned catalog): $1.25 per 1M cache reads, $10 image input, $40 output.
  // 1,500 input of which 1,024 cached leaves 476 uncached: the 1,300 image tokens are clamped
  // to those 476 (cached image tokens are priced as cache reads). 1,024 × 1,250 + 476 × 10,000
  // + 272 × 40,000 = 1,280,000 + 4,760,000 + 10,880,000 = 16,920,000 nano-USD.
  // Before: image 1,300 + cache 1,024 > 1,500 input, "inconsistent usage", unpriced.
  it('clamps image input to the uncached input: 1,500 input, 1,024 cached, 1,300 image = 16,920,000 nano-USD', () => {
    const usage = imagesUsage({ input_tokens: 1500, input_tokens_details: { image_tokens: 1300, text_tokens: 200, cached_tokens: 1024 }, output_tokens: 272 });
    expect(usage).toMatchObject({ inputTokens: 1500, cacheReadTokens: 1024, inputImageTokens: 476, outputTokens: 272, outputImageTokens: 272 });
    const priced = createPricer().price(usage!, { provider: 'openai', model: 'gpt-image-1', at: Date.parse('2026-12-01T12:00:00Z') });
    expect(priced).toMatchObject({ priced: true, costNano: 16_920_000 });
  });
});
