import { describe, expect, it } from 'vitest';
import { createOpenAiAdapter } from '../../src/providers/openai.js';
import { OPENAI_BACKGROUND } from '../../src/providers/responses-state.js';
import type { RequestInfo } from '../../src/providers/types.js';
import { replayStream, usage } from './support.js';

/**
 * The Responses API's `image_generation` tool: each `image_generation_call` item that completed
 * is one image billed at the tool's image model's rates, apart from the mainline model's usage
 * (which never includes it). The adapter carries each image as a sub-inference of the call
 * (`usage.advisors`, the storage the advisor tool uses): the image model, and output tokens that
 * are all image tokens, by the item's size and quality (image-output-tokens.ts), plus 100 for each
 * partial image a stream sent for it.
 */

const adapter = createOpenAiAdapter();
const enc = new TextEncoder();

function info(body: unknown = { model: 'gpt-5', stream: true }): RequestInfo {
  return adapter.describe('POST', '/v1/responses', body);
}

/** One image as the adapter records it: `tokens` output tokens, all image tokens, of `model`. */
const image = (model: string, tokens: number) => ({ model, inputTokens: 0, outputTokens: tokens, outputImageTokens: tokens, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0 });

const call = (id: string, fields: object = {}) => ({ id, type: 'image_generation_call', status: 'completed', result: 'iVBORw0KGgo=', ...fields });
const MESSAGE = { type: 'message', id: 'msg_1', role: 'assistant', content: [{ type: 'output_text', text: 'Here it is.', annotations: [] }] };
const MAINLINE = { input_tokens: 1000, output_tokens: 200, input_tokens_details: { cached_tokens: 0 }, output_tokens_details: { reasoning_tokens: 0 } };

function response(output: unknown[], tools: unknown[] = [{ type: 'image_generation' }]) {
  return { id: 'resp_1', object: 'response', status: 'completed', model: 'gpt-5-2025-08-07', tools, output, usage: MAINLINE };
}

describe('image_generation_call items of a Responses answer', () => {
  it('one completed image of the default model (gpt-image-1), 1024x1024 high: 4,160 image output tokens', () => {
    const seen = adapter.usageFromJson(info({ model: 'gpt-5' }), response([call('ig_1', { size: '1024x1024', quality: 'high', output_format: 'png' }), MESSAGE]));
    expect(seen.usage).toEqual(usage({ inputTokens: 1000, outputTokens: 200, advisors: [image('gpt-image-1', 4160)] }));
  });

  it('two images of the tool\'s model, each by its own size and quality (1024x1024 high 4,160; 1024x1536 low 408)', () => {
    const tools = [{ type: 'image_generation', model: 'gpt-image-1.5', quality: 'auto', size: 'auto' }];
    const output = [call('ig_1', { size: '1024x1024', quality: 'high' }), call('ig_2', { size: '1024x1536', quality: 'low' }), MESSAGE];
    expect(adapter.usageFromJson(info({ model: 'gpt-5' }), response(output, tools)).usage?.advisors).toEqual([image('gpt-image-1.5', 4160), image('gpt-image-1.5', 408)]);
  });

  it('an item without size or quality takes the tool\'s, and auto the dearest: medium at auto size is 1,584 (1024x1536)', () => {
    const tools = [{ type: 'image_generation', quality: 'medium' }];
    expect(adapter.usageFromJson(info(), response([call('ig_1')], tools)).usage?.advisors).toEqual([image('gpt-image-1', 1584)]);
    // Nothing said anywhere: high at the dearest size, 6,240 (1024x1536).
    expect(adapter.usageFromJson(info(), response([call('ig_1')], [])).usage?.advisors).toEqual([image('gpt-image-1', 6240)]);
  });

  it('an image that failed or did not complete is not priced; an answer without image items is unchanged', () => {
    const output = [call('ig_1', { status: 'failed', result: null }), call('ig_2', { status: 'in_progress', result: null }), MESSAGE];
    expect(adapter.usageFromJson(info(), response(output)).usage).toEqual(usage({ inputTokens: 1000, outputTokens: 200 }));
    expect(adapter.usageFromJson(info(), response([MESSAGE], [])).usage).toEqual(usage({ inputTokens: 1000, outputTokens: 200 }));
  });
});

describe('image_generation_call items of a Responses stream', () => {
  const frame = (type: string, data: object) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
  const partial = (itemId: string, index: number) => frame('response.image_generation_call.partial_image', { item_id: itemId, output_index: 0, partial_image_index: index, partial_image_b64: 'A'.repeat(2000), sequence_number: 3 + index });

  it('reads the images from response.completed and adds 100 tokens for each partial image the stream sent for an item', () => {
    const tools = [{ type: 'image_generation', partial_images: 2 }];
    const output = [call('ig_1', { size: '1024x1024', quality: 'medium' }), call('ig_2', { size: '1024x1024', quality: 'low' }), MESSAGE];
    const stream =
      frame('response.created', { response: { ...response([], tools), status: 'in_progress', output: [], usage: null } }) +
      frame('response.image_generation_call.in_progress', { item_id: 'ig_1', output_index: 0, sequence_number: 1 }) +
      partial('ig_1', 0) +
      partial('ig_1', 1) +
      frame('response.image_generation_call.completed', { item_id: 'ig_1', output_index: 0, sequence_number: 6 }) +
      frame('response.completed', { response: response(output, tools) });
    const seen = replayStream(adapter, info(), { stripInjectedUsage: false }, enc.encode(stream));
    // ig_1: 1,056 + 2 × 100 = 1,256; ig_2 (no partials seen): 272.
    expect(seen.observed.usage).toEqual(usage({ inputTokens: 1000, outputTokens: 200, advisors: [image('gpt-image-1', 1256), image('gpt-image-1', 272)] }));
  });
});

describe('image_generation_call items of a background response', () => {
  it('its end (GET /responses/{id}) carries the images like a non-streamed answer', () => {
    const read = OPENAI_BACKGROUND.read(response([call('ig_1', { size: '1536x1024', quality: 'high' }), MESSAGE]));
    expect(read.running).toBe(false);
    // gpt-image-1 1536x1024 high: 6,208 tokens.
    expect(!read.running && read.observed.usage?.advisors).toEqual([image('gpt-image-1', 6208)]);
  });
});
