import Anthropic from '@anthropic-ai/sdk';
import { ApiError, GoogleGenAI } from '@google/genai';
import { readFileSync } from 'node:fs';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, waitFor, type Harness } from '../support/proxy-harness.js';
import { sseReply, errorOfStream } from './sdk-harness.js';

/**
 * A provider that fails after its 200 stream started says so inside the stream: OpenAI Chat
 * with a `data: {"error":{…}}` chunk (the openai SDK throws an APIError), the Responses API
 * with an `event: error` frame, Gemini with a JSON chunk carrying `error.code` (js-genai
 * throws an ApiError) — PROVIDERS.md §2.1, §2.3, §4. As for Anthropic's `error` event and
 * OpenAI's `response.failed`, the call is the provider's failure (`upstream_failed`, with
 * the reason), not a success the reports count as `ok`.
 */
describe('a provider error inside a 200 stream is recorded as upstream_failed', () => {
  let h: Harness | null = null;
  afterEach(async () => {
    await h?.close();
    h = null;
  });

  const chunk = (text: string) =>
    `data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1767225600,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"delta":{"content":"${text}"},"logprobs":null,"finish_reason":null}]}\n\n`;

  it('openai chat: a data chunk with an error key', async () => {
    const frames = [chunk('Paris'), chunk(' is'), 'data: {"error":{"message":"The server had an error while processing your request.","type":"server_error","param":null,"code":null}}\n\n'];
    h = await startHarness({ upstream: { reply: () => sseReply(frames) } });
    const client = new OpenAI({ apiKey: h.secret, baseURL: h.baseUrl(), maxRetries: 0 });
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'x' }] });
    const error = await errorOfStream(stream);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as Error).message).toMatch(/The server had an error/);
    await waitFor(() => h!.records.length > 0, 5000, 'call record');
    expect(h.records.at(-1)).toMatchObject({ status: 200, streamed: true, outcome: 'upstream_failed' });
    expect(h.records.at(-1)?.error).toMatch(/The server had an error/);
  });

  it('openai responses: an event: error frame', async () => {
    const frames = [
      'event: response.created\ndata: {"type":"response.created","sequence_number":0,"response":{"id":"resp_1","object":"response","status":"in_progress","model":"gpt-5-mini-2025-08-07","output":[],"usage":null}}\n\n',
      'event: response.output_text.delta\ndata: {"type":"response.output_text.delta","sequence_number":1,"item_id":"msg_1","output_index":0,"content_index":0,"delta":"Paris"}\n\n',
      'event: error\ndata: {"type":"error","code":"server_error","message":"The server had an error while processing your request.","param":null,"sequence_number":2}\n\n',
    ];
    h = await startHarness({ upstream: { reply: () => sseReply(frames) } });
    const client = new OpenAI({ apiKey: h.secret, baseURL: h.baseUrl(), maxRetries: 0 });
    const stream = await client.responses.create({ model: 'gpt-5-mini', input: 'x', stream: true });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types).toEqual(['response.created', 'response.output_text.delta', 'error']);
    await waitFor(() => h!.records.length > 0, 5000, 'call record');
    expect(h.records.at(-1)).toMatchObject({ status: 200, streamed: true, outcome: 'upstream_failed' });
    expect(h.records.at(-1)?.error).toMatch(/The server had an error/);
  });

  it('gemini alt=sse: a chunk with error.code', async () => {
    const frames = [
      'data: {"candidates":[{"content":{"parts":[{"text":"Paris"}],"role":"model"},"index":0}],"usageMetadata":{"promptTokenCount":10,"totalTokenCount":10},"modelVersion":"gemini-2.5-flash"}\r\n\r\n',
      'data: {"error":{"code":500,"message":"An internal error has occurred.","status":"INTERNAL"}}\r\n\r\n',
    ];
    h = await startHarness({ provider: 'gemini', upstream: { authHeader: 'x-goog-api-key', reply: () => sseReply(frames) } });
    const ai = new GoogleGenAI({ apiKey: h.secret, vertexai: false, httpOptions: { baseUrl: h.baseUrl('gemini') } });
    const error = await (async () => {
      for await (const _chunk of await ai.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'x' })) void _chunk;
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(500);
    await waitFor(() => h!.records.length > 0, 5000, 'call record');
    expect(h.records.at(-1)).toMatchObject({ status: 200, streamed: true, outcome: 'upstream_failed' });
    expect(h.records.at(-1)?.error).toMatch(/An internal error has occurred/);
  });

  it('anthropic: an event: error frame the SDK disconnects on before the provider ends its body', async () => {
    // The provider holds its body open 100 ms after each frame, the error too: the SDK raises
    // the error as it reads it and leaves first. The provider failed the call all the same.
    const frames = readFileSync(new URL('../fixtures/anthropic/messages-stream-error.sse', import.meta.url), 'utf8');
    h = await startHarness({ provider: 'anthropic', upstream: { authHeader: 'x-api-key', reply: () => sseReply(frames, { delayMs: 100 }) } });
    const client = new Anthropic({ apiKey: h.secret, baseURL: h.baseUrl('anthropic'), maxRetries: 0 });
    const stream = await client.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 1024, stream: true, messages: [{ role: 'user', content: 'x' }] });
    const error = await errorOfStream(stream);
    expect(error).toBeInstanceOf(Anthropic.APIError);
    await waitFor(() => h!.records.length > 0, 5000, 'call record');
    expect(h.records.at(-1)).toMatchObject({ status: 200, streamed: true, outcome: 'upstream_failed', error: 'stream error: overloaded_error (Overloaded)' });
  });
});
