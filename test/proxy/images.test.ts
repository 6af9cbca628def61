import { describe, expect, it } from 'vitest';
import { isUnpriced } from '../../src/store/unpriced.js';
import { afterImmediates, bodyText, fixture, jsonAnswer, sseAnswer } from './fakes.js';
import { b64, formCall, jsonCall, pricedByCatalog } from './image-calls.js';

/**
 * OpenAI's Images API through the proxy (openai 6.49.0 resources/images.d.ts): generations
 * are JSON, edits and variations multipart forms. A GPT image model answers `usage`
 * (ImagesResponse.Usage: input_tokens with input_tokens_details {image_tokens, text_tokens},
 * output_tokens, the image tokens of the output); a stream ends each image with an
 * `image_generation.completed` (`image_edit.completed`) event carrying it. dall-e-2 and
 * dall-e-3 answer no usage: they are billed per image.
 *
 * Prices from the pinned catalog (pricedByCatalog): gpt-image-1 $5 per 1M input tokens
 * (5,000 nano-USD a token), $40 per 1M output tokens (40,000 nano-USD a token).
 */

const HIGH_SQUARE_ANSWER = JSON.stringify({
  created: 1767225600,
  data: [{ b64_json: b64(200_000) }],
  quality: 'high',
  size: '1024x1024',
  usage: { input_tokens: 50, input_tokens_details: { image_tokens: 0, text_tokens: 50 }, output_tokens: 4160, total_tokens: 4210 },
});

describe('an OpenAI image generation (POST /v1/images/generations)', () => {
  // 50 × 5,000 + 4,160 × 40,000 = 250,000 + 166,400,000 = 166,650,000 nano-USD ($0.16665).
  // Before: endpoint `other`, no usage, $0.
  it('is metered on its usage: 50 input and 4,160 image output tokens of gpt-image-1 = 166,650,000 nano-USD', async () => {
    const f = fixture(() => jsonAnswer(HIGH_SQUARE_ANSWER));
    pricedByCatalog(f);
    const res = await f.handle(jsonCall('/proxy/openai/v1/images/generations', { model: 'gpt-image-1', prompt: 'a lighthouse', quality: 'high', size: '1024x1024' }));
    expect(res.status).toBe(200);
    await bodyText(res);
    await afterImmediates();
    expect(f.records[0]).toMatchObject({
      endpoint: 'images.generations',
      modelRequested: 'gpt-image-1',
      model: 'gpt-image-1',
      usageSource: 'reported',
      usage: { inputTokens: 50, outputTokens: 4160, outputImageTokens: 4160 },
      costNano: 166_650_000,
    });
  });

  // One image of 1024x1024 at high quality is 4,160 output tokens (the image generation
  // guide's table); the reservation holds that, not the 1,024-token default of an unlimited call.
  it('is reserved at the output tokens of one image of its size and quality: 1024x1024 high = 4,160', async () => {
    const f = fixture(() => jsonAnswer(HIGH_SQUARE_ANSWER));
    await bodyText(await f.handle(jsonCall('/proxy/openai/v1/images/generations', { model: 'gpt-image-1', prompt: 'a lighthouse', quality: 'high', size: '1024x1024' })));
    expect(f.gate.requests[0]).toMatchObject({ model: 'gpt-image-1', metered: true, maxOutputTokens: 4160, outputChoices: 1 });
  });

  // The hold's bound is no output limit the client set: the record keeps none (the audit's
  // output-limit advice reads max_output_tokens). Before: recorded 4,160.
  it('records no max_output_tokens, though it is held at 4,160', async () => {
    const f = fixture(() => jsonAnswer(HIGH_SQUARE_ANSWER));
    await bodyText(await f.handle(jsonCall('/proxy/openai/v1/images/generations', { model: 'gpt-image-1', prompt: 'a lighthouse', quality: 'high', size: '1024x1024' })));
    await afterImmediates();
    expect(f.gate.requests[0]).toMatchObject({ maxOutputTokens: 4160 });
    expect(f.records[0]).toMatchObject({ endpoint: 'images.generations', maxOutputTokens: null });
  });

  it('holds n images: n = 3 of 1024x1536 at medium quality = 3 × 1,584', async () => {
    const f = fixture(() => jsonAnswer(HIGH_SQUARE_ANSWER));
    await bodyText(await f.handle(jsonCall('/proxy/openai/v1/images/generations', { model: 'gpt-image-1', prompt: 'p', n: 3, quality: 'medium', size: '1024x1536' })));
    expect(f.gate.requests[0]).toMatchObject({ maxOutputTokens: 1584, outputChoices: 3 });
  });

  // `auto` (or unset) size or quality: the dearest entry of the table, 1024x1536 high = 6,240.
  it('holds the dearest image when the size or quality is auto or unset: 6,240; 1536x1024 unset quality: 6,208', async () => {
    const f = fixture(() => jsonAnswer(HIGH_SQUARE_ANSWER));
    await bodyText(await f.handle(jsonCall('/proxy/openai/v1/images/generations', { model: 'gpt-image-1', prompt: 'p', size: 'auto', quality: 'auto' })));
    await bodyText(await f.handle(jsonCall('/proxy/openai/v1/images/generations', { model: 'gpt-image-1', prompt: 'p', size: '1536x1024' })));
    expect(f.gate.requests.map((r) => r.maxOutputTokens)).toEqual([6240, 6208]);
  });

  // A size outside gpt-image-1's table: its pixels at the table's dearest tokens per pixel for
  // the quality (high: 4,160 per 1024×1024), never less than the dearest entry: 2048x2048
  // high = 4,194,304 px × 4,160 / 1,048,576 = 16,640.
  it('scales a size outside the table by its pixels: 2048x2048 high = 16,640', async () => {
    const f = fixture(() => jsonAnswer(HIGH_SQUARE_ANSWER));
    await bodyText(await f.handle(jsonCall('/proxy/openai/v1/images/generations', { model: 'gpt-image-1', prompt: 'p', size: '2048x2048', quality: 'high' })));
    expect(f.gate.requests[0]).toMatchObject({ maxOutputTokens: 16_640 });
  });

  // gpt-image-2 bills 7,024 output tokens for a 1024x1024 high image (openai-images.ts), not
  // gpt-image-1's 4,160. Before: held at 4,160.
  it('holds a gpt-image-2 1024x1024 high image at its 7,024 output tokens', async () => {
    const f = fixture(() => jsonAnswer(HIGH_SQUARE_ANSWER));
    await bodyText(await f.handle(jsonCall('/proxy/openai/v1/images/generations', { model: 'gpt-image-2', prompt: 'p', size: '1024x1024', quality: 'high' })));
    expect(f.gate.requests[0]).toMatchObject({ model: 'gpt-image-2', maxOutputTokens: 7024 });
  });

  // The API defaults to dall-e-2 unless a parameter only the GPT image models take is set
  // (images.d.ts ImageGenerateParamsBase.model).
  it('without a model is recorded as dall-e-2, the documented default', async () => {
    const f = fixture(() => jsonAnswer(JSON.stringify({ created: 1, data: [{ url: 'https://img.invalid/1.png' }] })));
    await bodyText(await f.handle(jsonCall('/proxy/openai/v1/images/generations', { prompt: 'p', size: '512x512' })));
    await afterImmediates();
    expect(f.records[0]).toMatchObject({ endpoint: 'images.generations', modelRequested: 'dall-e-2' });
  });
});

describe('an OpenAI image generation without usage (dall-e-3, dall-e-2)', () => {
  // dall-e-3 is billed per image ($0.04 to $0.12); its answer has no usage, and tokometer has
  // no per-image price: recorded with no tokens and no cost, unpriced, the reason in `error`.
  // Before: endpoint `other` at $0.
  it('is recorded as an images call with no tokens, unpriced, saying it is billed per image', async () => {
    const f = fixture(() => jsonAnswer(JSON.stringify({ created: 1, data: [{ url: 'https://img.invalid/1.png', revised_prompt: 'a lighthouse at dusk' }] })));
    pricedByCatalog(f);
    await bodyText(await f.handle(jsonCall('/proxy/openai/v1/images/generations', { model: 'dall-e-3', prompt: 'a lighthouse', quality: 'hd', size: '1792x1024' })));
    await afterImmediates();
    const record = f.records[0];
    expect(record).toMatchObject({ endpoint: 'images.generations', model: 'dall-e-3', usage: { inputTokens: 0, outputTokens: 0 }, costNano: null });
    expect(record?.error).toContain("'dall-e-3' is billed per image");
    expect(isUnpriced(record!)).toBe(true);
    // The budget is charged nothing for it.
    expect(f.gate.settled).toEqual([['r1', 0]]);
  });

  it('a dall-e-2 variation (multipart form) is recorded the same way, never estimated from the answer', async () => {
    const f = fixture(() => jsonAnswer(JSON.stringify({ created: 1, data: [{ b64_json: b64(300_000) }] })));
    pricedByCatalog(f);
    const call = await formCall('/proxy/openai/v1/images/variations', [
      ['file:image', 'cat.png'],
      ['model', 'dall-e-2'],
      ['response_format', 'b64_json'],
    ]);
    await bodyText(await f.handle(call));
    await afterImmediates();
    const record = f.records[0];
    expect(record).toMatchObject({ endpoint: 'images.variations', model: 'dall-e-2', usage: { inputTokens: 0, outputTokens: 0 }, costNano: null });
    expect(record?.error).toContain("'dall-e-2' is billed per image");
  });
});

describe('an OpenAI image edit (POST /v1/images/edits, multipart form)', () => {
  const EDIT_ANSWER = JSON.stringify({
    created: 1,
    data: [{ b64_json: b64(100_000) }, { b64_json: b64(100_000) }],
    usage: { input_tokens: 420, input_tokens_details: { image_tokens: 388, text_tokens: 32 }, output_tokens: 544, total_tokens: 964 },
  });

  it('records the usage of its form model: 420 input tokens of which 388 image, 544 image output', async () => {
    const f = fixture(() => jsonAnswer(EDIT_ANSWER));
    const call = await formCall('/proxy/openai/v1/images/edits', [
      ['file:image[]', 'a.png'],
      ['file:image[]', 'b.png'],
      ['prompt', 'put them in a basket'],
      ['model', 'gpt-image-1'],
      ['n', '2'],
      ['quality', 'low'],
      ['size', '1024x1024'],
    ]);
    await bodyText(await f.handle(call));
    await afterImmediates();
    expect(f.records[0]).toMatchObject({
      endpoint: 'images.edits',
      model: 'gpt-image-1',
      usageSource: 'reported',
      usage: { inputTokens: 420, inputImageTokens: 388, outputTokens: 544, outputImageTokens: 544 },
      // The fixture's rates: 420 × 10 + 544 × 20.
      costNano: 15_080,
    });
  });

  // Two images and a mask, each held at 7,000 image input tokens (openai-images.ts
  // IMAGE_INPUT_TOKENS_BOUND) beside the text fields; n = 2 images of 1024x1024 low = 272 each.
  it('is reserved with its uploaded images as input tokens, and n × the output of one image', async () => {
    const f = fixture(() => jsonAnswer(EDIT_ANSWER));
    const call = await formCall('/proxy/openai/v1/images/edits', [
      ['file:image[]', 'a.png'],
      ['file:image[]', 'b.png'],
      ['file:mask', 'mask.png'],
      ['prompt', 'put them in a basket'],
      ['model', 'gpt-image-1'],
      ['n', '2'],
      ['quality', 'low'],
      ['size', '1024x1024'],
    ]);
    await bodyText(await f.handle(call));
    // Text fields: 'put them in a basket' 20 + 'gpt-image-1' 11 + '2' 1 + 'low' 3 + '1024x1024' 9 = 44 bytes.
    expect(f.gate.requests[0]).toMatchObject({ model: 'gpt-image-1', metered: true, promptBytes: 44, contextTokens: 21_000, maxOutputTokens: 272, outputChoices: 2 });
  });

  it('without a model is recorded as gpt-image-1.5, the documented default of edits', async () => {
    const f = fixture(() => jsonAnswer(EDIT_ANSWER));
    await bodyText(await f.handle(await formCall('/proxy/openai/v1/images/edits', [['file:image', 'a.png'], ['prompt', 'p']])));
    await afterImmediates();
    expect(f.records[0]).toMatchObject({ endpoint: 'images.edits', modelRequested: 'gpt-image-1.5' });
  });
});

describe('a streamed OpenAI image generation (stream: true, SSE)', () => {
  const partial = (i: number) => `event: image_generation.partial_image\ndata: ${JSON.stringify({ type: 'image_generation.partial_image', b64_json: b64(400_000), partial_image_index: i, size: '1024x1024', quality: 'high' })}\n\n`;
  const completed = (usage: object) => `event: image_generation.completed\ndata: ${JSON.stringify({ type: 'image_generation.completed', b64_json: b64(400_000), size: '1024x1024', quality: 'high', usage })}\n\n`;

  // Two images (n = 2), each ending in its own completed event with its usage: summed.
  // 2 × (60 input, 4,360 output: 4,160 + 2 partial images × 100) → 120 input, 8,720 output:
  // 120 × 5,000 + 8,720 × 40,000 = 600,000 + 348,800,000 = 349,400,000 nano-USD.
  it('sums the usage of every completed event: 2 images = 349,400,000 nano-USD, the frames relayed as sent', async () => {
    const usage = { input_tokens: 60, input_tokens_details: { image_tokens: 0, text_tokens: 60 }, output_tokens: 4360, total_tokens: 4420 };
    const frames = [partial(0), partial(1), completed(usage), partial(0), partial(1), completed(usage)];
    const f = fixture((req) => sseAnswer(req, frames));
    pricedByCatalog(f);
    const res = await f.handle(jsonCall('/proxy/openai/v1/images/generations', { model: 'gpt-image-1', prompt: 'p', n: 2, quality: 'high', size: '1024x1024', stream: true, partial_images: 2 }));
    expect(await bodyText(res)).toBe(frames.join(''));
    await afterImmediates();
    expect(f.records[0]).toMatchObject({
      endpoint: 'images.generations',
      streamed: true,
      usageSource: 'reported',
      usage: { inputTokens: 120, outputTokens: 8720, outputImageTokens: 8720 },
      costNano: 349_400_000,
    });
    // Held: 4,160 + 2 × 100 partial images, for each of the 2 images.
    expect(f.gate.requests[0]).toMatchObject({ maxOutputTokens: 4360, outputChoices: 2 });
  });

  it('an edit stream (stream=true in the form) is read from its image_edit.completed event', async () => {
    const usage = { input_tokens: 250, input_tokens_details: { image_tokens: 194, text_tokens: 56 }, output_tokens: 272, total_tokens: 522 };
    const frames = [`event: image_edit.completed\ndata: ${JSON.stringify({ type: 'image_edit.completed', b64_json: b64(1000), usage })}\n\n`];
    const f = fixture((req) => sseAnswer(req, frames));
    const call = await formCall('/proxy/openai/v1/images/edits', [['file:image', 'a.png'], ['prompt', 'p'], ['model', 'gpt-image-1'], ['stream', 'true'], ['quality', 'low'], ['size', '1024x1024']]);
    await bodyText(await f.handle(call));
    await afterImmediates();
    expect(f.records[0]).toMatchObject({ endpoint: 'images.edits', streamed: true, usage: { inputTokens: 250, inputImageTokens: 194, outputTokens: 272, outputImageTokens: 272 } });
  });

  // n = 2, cut after the first image's completed event: the second image may still be billed,
  // so it is estimated at its bound (4,160 + 2 partials × 100 = 4,360 output) beside the first's
  // reported usage: 60 × 5,000 + (4,360 + 4,360) × 40,000 = 349,100,000 nano-USD, estimated.
  it('cut after the first of 2 completed events adds the missing image at its bound, flagged estimated', async () => {
    const usage = { input_tokens: 60, input_tokens_details: { image_tokens: 0, text_tokens: 60 }, output_tokens: 4360, total_tokens: 4420 };
    const f = fixture((req) => sseAnswer(req, [partial(0), partial(1), completed(usage), partial(0)], { failAfter: 4 }));
    pricedByCatalog(f);
    await bodyText(await f.handle(jsonCall('/proxy/openai/v1/images/generations', { model: 'gpt-image-1', prompt: 'p', n: 2, quality: 'high', size: '1024x1024', stream: true, partial_images: 2 }))).catch(() => '');
    await afterImmediates();
    expect(f.records[0]).toMatchObject({ usage: { inputTokens: 60, outputTokens: 8720, outputImageTokens: 8720 }, usageSource: 'estimated', costNano: 349_100_000 });
  });

  // The provider fails the stream with an error event before any image: it stopped generating,
  // and an error is never billed (README). Recorded failed as a known $0 (usage not_metered, as
  // an upstream error status is): not estimated at the bound of n = 10 high images (41,600
  // output tokens, $1.66), and not usage unknown (cost null), which a hard budget's warning,
  // tokometer_usage_unknown_calls_total and the report's unknown-usage footer would count.
  it('failed by a provider error event before any image is a known $0 (not_metered), not estimated at its bound', async () => {
    const error = `data: ${JSON.stringify({ type: 'error', code: 'server_error', message: 'The server had an error' })}\n\n`;
    const f = fixture((req) => sseAnswer(req, [partial(0), error]));
    pricedByCatalog(f);
    await bodyText(await f.handle(jsonCall('/proxy/openai/v1/images/generations', { model: 'gpt-image-1', prompt: 'p', n: 10, quality: 'high', size: '1024x1024', stream: true, partial_images: 1 }))).catch(() => '');
    await afterImmediates();
    expect(f.records[0]).toMatchObject({ outcome: 'upstream_failed', usage: null, usageSource: 'not_metered', costNano: 0 });
    expect(f.records[0]!.error).toContain('stream error: The server had an error');
  });

  // A stream cut before its completed event carries no usage: estimated at its bound, never
  // from the base64 of the partial images relayed. The 69-byte body is ceil(69 / 4) = 18
  // input tokens; no size or quality holds 6,240 + 2 partial images × 100 = 6,440 output:
  // 18 × 5,000 + 6,440 × 40,000 = 90,000 + 257,600,000 = 257,690,000 nano-USD.
  it('cut before any completed event is estimated at its bound (257,690,000 nano-USD), not from the frames', async () => {
    const f = fixture((req) => sseAnswer(req, [partial(0), partial(1)], { failAfter: 2 }));
    pricedByCatalog(f);
    await bodyText(await f.handle(jsonCall('/proxy/openai/v1/images/generations', { model: 'gpt-image-1', prompt: 'p', stream: true, partial_images: 2 }))).catch(() => '');
    await afterImmediates();
    expect(f.records[0]).toMatchObject({
      endpoint: 'images.generations',
      usage: { inputTokens: 18, outputTokens: 6440, outputImageTokens: 6440 },
      usageSource: 'estimated',
      costNano: 257_690_000,
    });
  });
});
