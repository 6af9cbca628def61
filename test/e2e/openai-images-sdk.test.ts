import OpenAI, { toFile } from 'openai';
import { describe, expect, it } from 'vitest';
import type { ReceivedRequest, Reply } from '../support/fake-upstream.js';
import { sdkHarness, sseReply } from './sdk-harness.js';

/**
 * The openai SDK's Images API (6.49.0 resources/images.ts: `images.generate`, `images.edit`
 * with files made by `toFile`, streamed with `stream: true` and `partial_images`) pointed at
 * the proxy. gpt-image-1 (pinned catalog): input $5 per 1M tokens = 5,000 nano-USD a token,
 * output $40 per 1M = 40,000 nano-USD a token.
 */

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

const GENERATED = {
  created: 1767225600,
  data: [{ b64_json: PNG }],
  quality: 'medium',
  size: '1536x1024',
  usage: { input_tokens: 30, input_tokens_details: { image_tokens: 0, text_tokens: 30 }, output_tokens: 1568, output_tokens_details: { image_tokens: 1568, text_tokens: 0 }, total_tokens: 1598 },
};

const EDITED = {
  created: 1767225600,
  data: [{ b64_json: PNG }],
  usage: { input_tokens: 226, input_tokens_details: { image_tokens: 194, text_tokens: 32 }, output_tokens: 272, total_tokens: 498 },
};

const STREAM_USAGE = { input_tokens: 40, input_tokens_details: { image_tokens: 0, text_tokens: 40 }, output_tokens: 1256, total_tokens: 1296 };

function frame(event: string, data: object): string {
  return `event: ${event}\ndata: ${JSON.stringify({ type: event, ...data })}\n\n`;
}

function reply(req: ReceivedRequest): Reply | undefined {
  const body = req.json as { stream?: boolean } | undefined;
  if (req.url === '/images/generations' && body?.stream === true) {
    return sseReply([
      frame('image_generation.partial_image', { b64_json: PNG, partial_image_index: 0 }),
      frame('image_generation.partial_image', { b64_json: PNG, partial_image_index: 1 }),
      frame('image_generation.completed', { b64_json: PNG, usage: STREAM_USAGE }),
    ]);
  }
  if (req.url === '/images/generations') return { body: JSON.stringify(GENERATED) };
  if (req.url === '/images/edits') return { body: JSON.stringify(EDITED) };
  return undefined;
}

describe('the openai SDK images API through tokometer', () => {
  const h = sdkHarness({ upstream: { reply } }, (started) => new OpenAI({ apiKey: started.secret, baseURL: started.baseUrl(), maxRetries: 0 }));

  // 30 × 5,000 + 1,568 × 40,000 = 150,000 + 62,720,000 = 62,870,000 nano-USD.
  it('meters images.generate: 30 input, 1,568 image output tokens of gpt-image-1 = 62,870,000 nano-USD', async () => {
    const before = h.records.length;
    const res = await h.client.images.generate({ model: 'gpt-image-1', prompt: 'a lighthouse', size: '1536x1024', quality: 'medium' });
    expect(res.data?.[0]?.b64_json).toBe(PNG);
    const row = await h.rowAfter(before);
    expect(row).toMatchObject({ endpoint: 'images.generations', model: 'gpt-image-1', status: 200, outcome: 'ok', streamed: 0, input_tokens: 30, output_tokens: 1568, output_image_tokens: 1568, cost_nano: 62_870_000 });
  });

  it('meters images.edit with files made by toFile: 226 input tokens of which 194 image, 272 output', async () => {
    const before = h.records.length;
    const image = await toFile(Buffer.from(PNG, 'base64'), 'cat.png', { type: 'image/png' });
    const res = await h.client.images.edit({ model: 'gpt-image-1', image, prompt: 'give it a hat', quality: 'low', size: '1024x1024' });
    expect(res.data?.[0]?.b64_json).toBe(PNG);
    const row = await h.rowAfter(before);
    expect(row).toMatchObject({ endpoint: 'images.edits', model: 'gpt-image-1', input_tokens: 226, output_tokens: 272 });
    // The image input tokens as the recorder gave them (their column lands with their price).
    expect(h.records.at(-1)?.usage).toMatchObject({ inputTokens: 226, inputImageTokens: 194, outputTokens: 272, outputImageTokens: 272 });
  });

  // 40 × 5,000 + 1,256 × 40,000 (1,056 + 2 partial images × 100) = 200,000 + 50,240,000 = 50,440,000 nano-USD.
  it('meters a stream with partial images from its completed event: 50,440,000 nano-USD', async () => {
    const before = h.records.length;
    const stream = await h.client.images.generate({ model: 'gpt-image-1', prompt: 'a lighthouse', size: '1024x1024', quality: 'medium', stream: true, partial_images: 2 });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types).toEqual(['image_generation.partial_image', 'image_generation.partial_image', 'image_generation.completed']);
    const row = await h.rowAfter(before);
    expect(row).toMatchObject({ endpoint: 'images.generations', model: 'gpt-image-1', streamed: 1, input_tokens: 40, output_tokens: 1256, cost_nano: 50_440_000 });
  });
});
