import { describe, expect, it } from 'vitest';
import { bodyText, fixture, jsonAnswer } from './fakes.js';
import { formCall } from './image-calls.js';

/**
 * An image edit's form fields decide its hold (`n` images of `size` and `quality`, plus
 * `partial_images`, streamed or not). A field sent twice with different values is ambiguous:
 * the provider's parser may take the first or the last, and tokometer reads the first. Such
 * a form is refused (400) before it is forwarded, as a repeated `model` is.
 */

const ANSWER = JSON.stringify({ created: 1, data: [], usage: { input_tokens: 10, output_tokens: 272 } });

describe('an image edit form repeating a field that sets its hold', () => {
  // n=1 then n=10: held for 1 image of 1024x1024 low (272 tokens), billed up to 10 (2,720).
  // Before: forwarded, held at maxOutputTokens 272 × outputChoices 1.
  it.each([
    ['n', '1', '10'],
    ['size', '1024x1024', '1536x1024'],
    ['quality', 'low', 'high'],
    ['partial_images', '0', '3'],
    ['stream', 'false', 'true'],
  ])("refuses field '%s' sent as '%s' then '%s' with 400 naming the field and both values, never forwarded", async (name, first, second) => {
    const f = fixture(() => jsonAnswer(ANSWER));
    const call = await formCall('/proxy/openai/v1/images/edits', [
      ['file:image', 'a.png'],
      ['prompt', 'p'],
      ['model', 'gpt-image-1'],
      ...(name === 'quality' ? [] : ([['quality', 'low']] as const)),
      [name, first],
      [name, second],
    ]);
    const res = await f.handle(call);
    expect(res.status).toBe(400);
    const message = JSON.parse(await bodyText(res)).error.message as string;
    expect(message).toContain(`'${name}'`);
    expect(message).toContain(`'${first}'`);
    expect(message).toContain(`'${second}'`);
    expect(f.upstream.requests).toEqual([]);
  });

  it('quotes at most 40 characters of each value: a 60,000-character size is cut, the answer stays small', async () => {
    const f = fixture(() => jsonAnswer(ANSWER));
    const call = await formCall('/proxy/openai/v1/images/edits', [['file:image', 'a.png'], ['prompt', 'p'], ['model', 'gpt-image-1'], ['size', '1024x1024'], ['size', 'x'.repeat(60_000)]]);
    const res = await f.handle(call);
    expect(res.status).toBe(400);
    const message = JSON.parse(await bodyText(res)).error.message as string;
    expect(message).toContain(`'1024x1024' and '${'x'.repeat(40)}…'`);
    expect(message.length).toBeLessThan(300);
  });

  it('forwards a field repeated with the same value (n=2 twice): held for 2 images', async () => {
    const f = fixture(() => jsonAnswer(ANSWER));
    const call = await formCall('/proxy/openai/v1/images/edits', [['file:image', 'a.png'], ['prompt', 'p'], ['model', 'gpt-image-1'], ['quality', 'low'], ['size', '1024x1024'], ['n', '2'], ['n', '2']]);
    expect((await f.handle(call)).status).toBe(200);
    expect(f.gate.requests[0]).toMatchObject({ maxOutputTokens: 272, outputChoices: 2 });
  });
});
