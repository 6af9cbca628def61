import Anthropic from '@anthropic-ai/sdk';
import { ApiError, GoogleGenAI } from '@google/genai';
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, waitFor, type Harness } from '../support/proxy-harness.js';
import { errorOfStream } from './sdk-harness.js';

/**
 * A provider that goes quiet mid-stream for longer than idle_timeout_ms: tokometer gives up
 * (its own 504, upstream_timeout) after the client already has a 200 and part of the body,
 * so the error has to go inside the stream, in the provider's shape (PROVIDERS.md §1.2:
 * "Once a 200 SSE stream has started, an error has to go inside the stream"). Anthropic's
 * is an `event: error` frame, which the SDK raises as an APIError (§3); Gemini's a JSON
 * chunk with `error.code`, which js-genai raises as an ApiError (§4). A cut connection
 * instead surfaces as a bare `TypeError: terminated` that code catching the SDK's errors misses.
 */
describe("tokometer's mid-stream timeout reaches each SDK as the provider's own stream error", () => {
  let h: Harness | null = null;
  afterEach(async () => {
    await h?.close();
    h = null;
  });

  const never = new Promise<never>(() => {});
  const config = (provider: string) => (url: string) => `providers:\n  ${provider}: { base_url: "${url}", api_key: "sk-test-upstream-0123456789abcdef", idle_timeout_ms: 300 }\nstore: { flush_interval_ms: 5 }\n`;

  it('anthropic: APIError from an event: error frame', async () => {
    const start =
      'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-haiku-4-5-20251001","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":25,"output_tokens":1}}}\n\n' +
      'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n' +
      'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Once upon"}}\n\n';
    h = await startHarness({
      provider: 'anthropic',
      configYaml: config('anthropic'),
      upstream: { authHeader: 'x-api-key', reply: () => ({ headers: { 'content-type': 'text/event-stream' }, body: [start, 'event: message_stop\ndata: {"type":"message_stop"}\n\n'], hold: never }) },
    });
    const client = new Anthropic({ apiKey: h.secret, baseURL: h.baseUrl('anthropic'), maxRetries: 0 });
    const stream = await client.messages.create({ model: 'claude-haiku-4-5', max_tokens: 100, stream: true, messages: [{ role: 'user', content: 'x' }] });
    const error = await errorOfStream(stream);
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect((error as Error).message).toMatch(/stream failed before it finished/);
    await waitFor(() => h!.records.length > 0, 5000, 'call record');
    expect(h.records.at(-1)).toMatchObject({ outcome: 'upstream_failed' });
  });

  it('gemini: ApiError from a chunk with error.code', async () => {
    const first = 'data: {"candidates":[{"content":{"parts":[{"text":"Paris"}],"role":"model"},"index":0}],"usageMetadata":{"promptTokenCount":10,"totalTokenCount":10},"modelVersion":"gemini-2.5-flash"}\r\n\r\n';
    h = await startHarness({
      provider: 'gemini',
      configYaml: config('gemini'),
      upstream: { authHeader: 'x-goog-api-key', reply: () => ({ headers: { 'content-type': 'text/event-stream' }, body: [first, first], hold: never }) },
    });
    const ai = new GoogleGenAI({ apiKey: h.secret, vertexai: false, httpOptions: { baseUrl: h.baseUrl('gemini') } });
    const error = await (async () => {
      for await (const _chunk of await ai.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'x' })) void _chunk;
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(504);
    await waitFor(() => h!.records.length > 0, 5000, 'call record');
    expect(h.records.at(-1)).toMatchObject({ outcome: 'upstream_failed' });
  });
});
