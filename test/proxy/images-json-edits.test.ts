import { describe, expect, it } from 'vitest';
import { bodyText, fixture, jsonAnswer } from './fakes.js';
import { formCall, jsonCall } from './image-calls.js';

/**
 * The Images API's other ways of asking for more than the hold sees. An edit sent as JSON
 * names its images by reference (OpenAI API reference, EditImageBodyJsonParam: `images: [{file_id |
 * image_url}]`, up to 16, and `mask`), each billed as image input like an uploaded file: held at
 * 7,000 image input tokens each (openai-images.ts IMAGE_INPUT_TOKENS_BOUND), as a form's files are.
 * An `n` or `partial_images` the proxy cannot read as a count ('+10', '1e1', 7 digits) may still
 * be read by the provider's parser: held at the API's most (n 10, partial_images 3).
 */
const ANSWER = JSON.stringify({ created: 1, data: [], usage: { input_tokens: 10, input_tokens_details: { image_tokens: 0, text_tokens: 10 }, output_tokens: 272, total_tokens: 282 } });

describe('the hold of an image request', () => {
  it('counts the images and mask a JSON edit names: 3 images + 1 mask = 28,000 image input tokens', async () => {
    const f = fixture(() => jsonAnswer(ANSWER));
    const body = { model: 'gpt-image-1', prompt: 'p', images: [{ file_id: 'file-a' }, { file_id: 'file-b' }, { image_url: 'https://example.com/c.png' }], mask: { file_id: 'file-m' }, quality: 'low', size: '1024x1024' };
    await bodyText(await f.handle(jsonCall('/proxy/openai/v1/images/edits', body)));
    expect(f.gate.requests[0]).toMatchObject({ model: 'gpt-image-1', contextTokens: 28_000, maxOutputTokens: 272 });
  });

  it('holds an n it cannot read as 10 images, and partial_images as 3', async () => {
    for (const n of ['+10', '1e1', '0000010']) {
      const f = fixture(() => jsonAnswer(ANSWER));
      const call = await formCall('/proxy/openai/v1/images/edits', [['file:image[]', 'a.png'], ['prompt', 'p'], ['model', 'gpt-image-1'], ['n', n], ['quality', 'low'], ['size', '1024x1024']]);
      await bodyText(await f.handle(call));
      expect(f.gate.requests[0]).toMatchObject({ maxOutputTokens: 272, outputChoices: 10 });
    }
    const f = fixture(() => jsonAnswer(ANSWER));
    await bodyText(await f.handle(jsonCall('/proxy/openai/v1/images/generations', { model: 'gpt-image-1', prompt: 'p', quality: 'low', size: '1024x1024', stream: true, partial_images: 'two' })));
    expect(f.gate.requests[0]).toMatchObject({ maxOutputTokens: 272 + 300 });
  });
});
