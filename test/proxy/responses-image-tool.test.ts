import { describe, expect, it } from 'vitest';
import { afterImmediates, bodyText, fixture, jsonAnswer, sseAnswer } from './fakes.js';
import { jsonCall, pricedByCatalog } from './json-calls.js';

/**
 * The Responses API's `image_generation` tool through the proxy, priced by the pinned catalog:
 * the mainline model's usage at its own rates plus each completed image at the tool's image
 * model's image output rate, by the image's size and quality (docs/prices.md, "Image generation
 * tool"). The answer's `usage` is the mainline model's alone, so before this the images were $0.
 *
 * Mainline gpt-5 ($1.25 input, $10 output per 1M = 1,250 and 10,000 nano per token):
 *   1,000 × 1,250 + 200 × 10,000 = 1,250,000 + 2,000,000 = 3,250,000 nano-USD in every call below.
 */

const MAINLINE = { input_tokens: 1000, output_tokens: 200, input_tokens_details: { cached_tokens: 0 }, output_tokens_details: { reasoning_tokens: 0 } };
const MESSAGE = { type: 'message', id: 'msg_1', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'Here it is.', annotations: [] }] };
const image = (id: string, size: string, quality: string) => ({ id, type: 'image_generation_call', status: 'completed', size, quality, output_format: 'png', revised_prompt: 'A gray tabby cat.', result: 'iVBORw0KGgo=' });

function response(output: unknown[], tools: unknown[]) {
  return { id: 'resp_1', object: 'response', status: 'completed', model: 'gpt-5-2025-08-07', tools, output, usage: MAINLINE };
}

const call = (tools: unknown[], stream = false) => jsonCall('/proxy/openai/v1/responses', { model: 'gpt-5', input: 'Draw a cat.', tools, ...(stream ? { stream: true } : {}) });

describe('Responses image_generation tool through the proxy', () => {
  // gpt-image-1 (the tool's default model), 1024x1024 high: 4,160 tokens × $40 per 1M (40,000 nano) = 166,400,000.
  //   3,250,000 + 166,400,000 = 169,650,000.
  it('one image of the default model: 3,250,000 + 166,400,000 = 169,650,000 nano-USD, settled so', async () => {
    const tools = [{ type: 'image_generation' }];
    const answer = JSON.stringify(response([image('ig_1', '1024x1024', 'high'), MESSAGE], tools));
    const f = pricedByCatalog(fixture(() => jsonAnswer(answer)));
    const res = await f.handle(call(tools));
    expect(await bodyText(res)).toBe(answer);
    await afterImmediates();
    expect(f.records[0]).toMatchObject({ model: 'gpt-5-2025-08-07', costNano: 169_650_000, error: null });
    expect(f.records[0]!.usage).toMatchObject({ inputTokens: 1000, outputTokens: 200 });
    expect(f.gate.settled.map(([, nano]) => nano)).toEqual([169_650_000]);
  });

  // gpt-image-1.5 bills image output at $32 per 1M (32,000 nano), text output at $10:
  //   1024x1024 high 4,160 + 1024x1536 low 408 = 4,568 tokens × 32,000 = 146,176,000.
  //   3,250,000 + 146,176,000 = 149,426,000.
  it('two images of gpt-image-1.5: 3,250,000 + (4,160 + 408) × 32,000 = 149,426,000 nano-USD', async () => {
    const tools = [{ type: 'image_generation', model: 'gpt-image-1.5', quality: 'auto' }];
    const answer = JSON.stringify(response([image('ig_1', '1024x1024', 'high'), image('ig_2', '1024x1536', 'low'), MESSAGE], tools));
    const f = pricedByCatalog(fixture(() => jsonAnswer(answer)));
    await bodyText(await f.handle(call(tools)));
    await afterImmediates();
    expect(f.records[0]).toMatchObject({ costNano: 149_426_000, error: null });
    expect(f.records[0]!.usage?.advisors?.map((a) => [a.model, a.outputTokens])).toEqual([['gpt-image-1.5', 4160], ['gpt-image-1.5', 408]]);
  });

  // Streamed, one gpt-image-1 image 1024x1024 medium with 2 partial images: (1,056 + 2 × 100) × 40,000 = 50,240,000;
  // a second, low, with none: 272 × 40,000 = 10,880,000. 3,250,000 + 50,240,000 + 10,880,000 = 64,370,000.
  it('a stream: the images of response.completed plus 100 tokens per partial image, 64,370,000 nano-USD', async () => {
    const tools = [{ type: 'image_generation', partial_images: 2 }];
    const ev = (type: string, data: object) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
    const partial = (index: number) => ev('response.image_generation_call.partial_image', { item_id: 'ig_1', output_index: 0, partial_image_index: index, partial_image_b64: 'B'.repeat(4096), sequence_number: 2 + index });
    const frames = [
      ev('response.created', { response: { ...response([], tools), status: 'in_progress', usage: null }, sequence_number: 0 }),
      ev('response.image_generation_call.generating', { item_id: 'ig_1', output_index: 0, sequence_number: 1 }),
      partial(0),
      partial(1),
      ev('response.image_generation_call.completed', { item_id: 'ig_1', output_index: 0, sequence_number: 4 }),
      ev('response.completed', { response: response([image('ig_1', '1024x1024', 'medium'), image('ig_2', '1024x1024', 'low'), MESSAGE], tools), sequence_number: 5 }),
    ];
    const f = pricedByCatalog(fixture((req) => sseAnswer(req, frames)));
    expect(await bodyText(await f.handle(call(tools, true)))).toBe(frames.join(''));
    await afterImmediates();
    expect(f.records[0]).toMatchObject({ streamed: true, costNano: 64_370_000, error: null });
    expect(f.gate.settled.map(([, nano]) => nano)).toEqual([64_370_000]);
  });

  // A GPT image model tokometer has no table for is held and priced at the larger of gpt-image-1's and gpt-image-2's
  // rules (image-output-tokens.ts): 1024x1024 high is 7,024 tokens by gpt-image-2's.
  it('an image model without a price: recorded and settled at the mainline 3,250,000 (a lower bound), with a note naming the image model', async () => {
    const tools = [{ type: 'image_generation', model: 'gpt-image-9' }];
    const f = pricedByCatalog(fixture(() => jsonAnswer(JSON.stringify(response([image('ig_1', '1024x1024', 'high'), MESSAGE], tools)))));
    await bodyText(await f.handle(call(tools)));
    await afterImmediates();
    expect(f.records[0]).toMatchObject({
      costNano: 3_250_000,
      error: "image model 'gpt-image-9' is unpriced (no known price for model 'gpt-image-9' at provider 'openai'; add one under 'prices:' in the config): its 7024 image output tokens are not in the cost",
    });
    expect(f.gate.settled.map(([, nano]) => nano)).toEqual([3_250_000]);
  });

  it('a request without the tool, and one whose tool made no image, stay at the mainline 3,250,000', async () => {
    for (const tools of [[], [{ type: 'image_generation' }]]) {
      const f = pricedByCatalog(fixture(() => jsonAnswer(JSON.stringify(response([MESSAGE], tools)))));
      await bodyText(await f.handle(call(tools)));
      await afterImmediates();
      expect(f.records[0]).toMatchObject({ costNano: 3_250_000, error: null });
      expect(f.records[0]!.usage?.advisors).toBeUndefined();
    }
  });
});
