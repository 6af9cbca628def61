import { ApiError, GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, waitFor, type Harness } from '../support/proxy-harness.js';

/**
 * A stream the provider cuts in the middle of a frame. tokometer ends it with the provider's
 * stream error (OpenAI's `data: {"error":…}`, Gemini's error chunk), but the client already
 * has the first half of the cut frame whenever the relay passed the stream through as it came
 * (an OpenAI client that asked for usage itself, every Gemini stream): the half-frame is then
 * closed and handed to the SDK as an event, whose JSON does not parse, and the SDK fails with
 * a SyntaxError before it reads the error. With usage injected (frames filtered, so held until
 * whole) the same OpenAI stream ends in an APIError.
 */
describe('a stream cut mid-frame reaches the SDK as its stream error, not a JSON SyntaxError', () => {
  let h: Harness | null = null;
  afterEach(async () => {
    await h?.close();
    h = null;
  });

  const chunk = 'data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1767225600,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"delta":{"content":"Paris"},"logprobs":null,"finish_reason":null}]}\n\n';

  it('openai, a client that asked for usage itself', async () => {
    h = await startHarness({ upstream: { reply: () => ({ headers: { 'content-type': 'text/event-stream' }, body: [chunk + chunk.slice(0, 60), chunk.slice(60)], delayMs: 50, cutAfterChunks: 1 }) } });
    const client = new OpenAI({ apiKey: h.secret, baseURL: h.baseUrl(), maxRetries: 0, logLevel: 'off' });
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'x' }] });
    let seen = 0;
    const error = await (async () => {
      for await (const _chunk of stream) seen++;
    })().catch((e: unknown) => e);
    expect(seen).toBe(1);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as Error).message).toMatch(/stream failed before it finished/);
    await waitFor(() => h!.records.length > 0, 5000, 'call record');
    expect(h.records.at(-1)).toMatchObject({ outcome: 'upstream_failed' });
  });

  it('gemini alt=sse', async () => {
    const frame = 'data: {"candidates":[{"content":{"parts":[{"text":"Paris"}],"role":"model"},"index":0}],"usageMetadata":{"promptTokenCount":10,"totalTokenCount":10},"modelVersion":"gemini-2.5-flash"}\r\n\r\n';
    h = await startHarness({
      provider: 'gemini',
      upstream: { authHeader: 'x-goog-api-key', reply: () => ({ headers: { 'content-type': 'text/event-stream' }, body: [frame + frame.slice(0, 60), frame.slice(60)], delayMs: 50, cutAfterChunks: 1 }) },
    });
    const ai = new GoogleGenAI({ apiKey: h.secret, vertexai: false, httpOptions: { baseUrl: h.baseUrl('gemini') } });
    let seen = 0;
    const error = await (async () => {
      for await (const _chunk of await ai.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'x' })) seen++;
    })().catch((e: unknown) => e);
    expect(seen).toBe(1);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as Error).message).toMatch(/stream failed before it finished/);
    await waitFor(() => h!.records.length > 0, 5000, 'call record');
    expect(h.records.at(-1)).toMatchObject({ outcome: 'upstream_failed' });
  });
});
