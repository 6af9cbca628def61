import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, waitFor, type Harness } from '../support/proxy-harness.js';

/**
 * A client that stops a stream midway (a chat UI's "stop" button). The provider bills the
 * output it generated up to then, at least every text delta the client received (each is
 * one token or more). Anthropic's `message_start` carries a placeholder `output_tokens: 1`
 * and Gemini's intermediate chunks only the prompt count; the final counts come with
 * `message_delta` / the chunk with `finishReason`, which an aborted stream never gets. Taking
 * the placeholder as the reported output records 1 (Anthropic) or 0 (Gemini) output tokens for
 * 30 deltas, flagged `reported`; an OpenAI stream aborted the same way is estimated from its
 * frames (openai-sdk.test.ts).
 */
describe('a stream the client aborts midway bills at least the output it received', () => {
  let h: Harness | null = null;
  afterEach(async () => {
    await h?.close();
    h = null;
  });
  const never = new Promise<never>(() => {});
  const DELTAS = 30;

  it('anthropic', async () => {
    const start =
      'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-haiku-4-5-20251001","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":25,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":1}}}\n\n' +
      'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n';
    const delta = 'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" once upon a time"}}\n\n';
    h = await startHarness({ provider: 'anthropic', upstream: { authHeader: 'x-api-key', reply: () => ({ headers: { 'content-type': 'text/event-stream' }, body: [start + delta.repeat(DELTAS), delta], hold: never }) } });
    const client = new Anthropic({ apiKey: h.secret, baseURL: h.baseUrl('anthropic'), maxRetries: 0 });
    const stream = await client.messages.create({ model: 'claude-haiku-4-5', max_tokens: 1000, stream: true, messages: [{ role: 'user', content: 'x' }] });
    let deltas = 0;
    for await (const event of stream) {
      if (event.type === 'content_block_delta' && ++deltas === DELTAS) break;
    }
    await waitFor(() => h!.records.length > 0, 5000, 'call record');
    const record = h.records.at(-1)!;
    expect(record).toMatchObject({ outcome: 'client_aborted', usage: { inputTokens: 25 } });
    expect(record.usage?.outputTokens).toBeGreaterThanOrEqual(DELTAS);
    expect(record.usageSource).toBe('estimated');
  });

  it('gemini alt=sse', async () => {
    const chunk = 'data: {"candidates":[{"content":{"parts":[{"text":" once upon a time"}],"role":"model"},"index":0}],"usageMetadata":{"promptTokenCount":10,"totalTokenCount":10},"modelVersion":"gemini-2.5-flash"}\r\n\r\n';
    h = await startHarness({ provider: 'gemini', upstream: { authHeader: 'x-goog-api-key', reply: () => ({ headers: { 'content-type': 'text/event-stream' }, body: [chunk.repeat(DELTAS), chunk], hold: never }) } });
    const ai = new GoogleGenAI({ apiKey: h.secret, vertexai: false, httpOptions: { baseUrl: h.baseUrl('gemini') } });
    const controller = new AbortController();
    let chunks = 0;
    const done = (async () => {
      for await (const _chunk of await ai.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'x', config: { abortSignal: controller.signal } })) {
        if (++chunks === DELTAS) controller.abort();
      }
    })().catch(() => undefined);
    await waitFor(() => chunks >= DELTAS, 5000, 'the chunks');
    await done;
    await waitFor(() => h!.records.length > 0, 5000, 'call record');
    const record = h.records.at(-1)!;
    expect(record).toMatchObject({ outcome: 'client_aborted', usage: { inputTokens: 10 } });
    expect(record.usage?.outputTokens).toBeGreaterThanOrEqual(DELTAS);
    expect(record.usageSource).toBe('estimated');
  });
});
