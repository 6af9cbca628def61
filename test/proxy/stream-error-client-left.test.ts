import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { StreamBody } from '../../src/proxy/types.js';
import { sseFrames } from '../support/fake-upstream.js';
import { fixture, latch, pullChunks, SECRET, sseAnswer, type FakeCall } from './fakes.js';

/**
 * A provider whose stream carries its own error (Anthropic `event: error`, an OpenAI
 * Responses `error` event or `response.failed`, an OpenAI chat `data: {"error":…}` chunk, a
 * Gemini chunk with `error`) failed the call, whoever closes the connection first: an SDK
 * raises the error as it reads that frame and disconnects, often before the provider ends
 * its body (a new-user trial saw Anthropic wait 5 ms). The call is `upstream_failed` with the
 * provider's error, as when the body ended first — not `client_aborted`, "client
 * disconnected mid-response", which `audit` counts under "client went away".
 */

const ANTHROPIC_ERROR = sseFrames(readFileSync(new URL('../fixtures/anthropic/messages-stream-error.sse', import.meta.url), 'utf8'));

const RESPONSES_START = [
  'event: response.created\ndata: {"type":"response.created","sequence_number":0,"response":{"id":"resp_1","object":"response","status":"in_progress","model":"gpt-5-mini-2025-08-07","output":[],"usage":null}}\n\n',
  'event: response.output_text.delta\ndata: {"type":"response.output_text.delta","sequence_number":1,"item_id":"msg_1","output_index":0,"content_index":0,"delta":"Paris"}\n\n',
];

const chatChunk = (text: string) => `data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1767225600,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"delta":{"content":"${text}"},"logprobs":null,"finish_reason":null}]}\n\n`;

interface Case {
  name: string;
  providers: string;
  url: string;
  headers: Record<string, string>;
  body: object;
  frames: string[];
  /** The record's `error`: the provider's, as its adapter words it. */
  error: string;
}

const OPENAI = 'providers:\n  openai: { base_url: "http://upstream.invalid/v1", api_key: "sk-upstream" }\n';
const CASES: Case[] = [
  {
    name: 'anthropic: event: error (overloaded_error)',
    providers: 'providers:\n  anthropic: { base_url: "http://upstream.invalid", api_key: "sk-ant-upstream" }\n',
    url: '/proxy/anthropic/v1/messages',
    headers: { 'x-api-key': SECRET, 'anthropic-version': '2023-06-01' },
    body: { model: 'claude-sonnet-4-5', max_tokens: 1024, stream: true, messages: [{ role: 'user', content: 'x' }] },
    frames: ANTHROPIC_ERROR,
    error: 'stream error: overloaded_error (Overloaded)',
  },
  {
    name: 'openai responses: event: error',
    providers: OPENAI,
    url: '/proxy/openai/responses',
    headers: { authorization: `Bearer ${SECRET}` },
    body: { model: 'gpt-5-mini', input: 'x', stream: true },
    frames: [...RESPONSES_START, 'event: error\ndata: {"type":"error","code":"server_error","message":"The server had an error while processing your request.","param":null,"sequence_number":2}\n\n'],
    error: 'stream error: The server had an error while processing your request.',
  },
  {
    name: 'openai responses: response.failed',
    providers: OPENAI,
    url: '/proxy/openai/responses',
    headers: { authorization: `Bearer ${SECRET}` },
    body: { model: 'gpt-5-mini', input: 'x', stream: true },
    frames: [
      ...RESPONSES_START,
      'event: response.failed\ndata: {"type":"response.failed","sequence_number":2,"response":{"id":"resp_1","object":"response","status":"failed","model":"gpt-5-mini-2025-08-07","error":{"code":"server_error","message":"The model failed to generate a response."},"output":[],"usage":null}}\n\n',
    ],
    error: 'response failed: The model failed to generate a response.',
  },
  {
    name: 'openai chat: a data chunk with an error key',
    providers: OPENAI,
    url: '/proxy/openai/chat/completions',
    headers: { authorization: `Bearer ${SECRET}` },
    body: { model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'x' }] },
    frames: [chatChunk('Paris'), chatChunk(' is'), 'data: {"error":{"message":"The server had an error while processing your request.","type":"server_error","param":null,"code":null}}\n\n'],
    error: 'stream error: The server had an error while processing your request.',
  },
  {
    name: 'gemini alt=sse: a chunk with error',
    providers: 'providers:\n  gemini: { base_url: "http://upstream.invalid", api_key: "AIza-upstream" }\n',
    url: '/proxy/gemini/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse',
    headers: { 'x-goog-api-key': SECRET },
    body: { contents: [{ role: 'user', parts: [{ text: 'x' }] }] },
    frames: [
      'data: {"candidates":[{"content":{"parts":[{"text":"Paris"}],"role":"model"},"index":0}],"usageMetadata":{"promptTokenCount":10,"totalTokenCount":10},"modelVersion":"gemini-2.5-flash"}\r\n\r\n',
      'data: {"error":{"code":500,"message":"An internal error has occurred.","status":"INTERNAL"}}\r\n\r\n',
    ],
    error: 'stream error: INTERNAL (An internal error has occurred.)',
  },
];

/** A streamed call of `c` whose client can leave. */
function callOf(c: Case): FakeCall {
  const client = new AbortController();
  const bytes = new TextEncoder().encode(JSON.stringify(c.body));
  return {
    method: 'POST',
    url: c.url,
    headers: { 'content-type': 'application/json', ...c.headers },
    readBody: async (limit) => (bytes.length > limit ? null : bytes),
    signal: client.signal,
    leave: () => client.abort(),
  };
}

describe("a provider's error event mid-stream is the provider's failure, also when the client leaves before the body ends", () => {
  for (const c of CASES) {
    it(`${c.name}: upstream_failed with the provider's error`, async () => {
      // The provider sends every frame, the error last, then holds its body open (it closes a little later).
      const bodyEnd = latch();
      let served = 0;
      const f = fixture((req) => sseAnswer(req, [...c.frames, ''], { step: () => (served++ < c.frames.length ? Promise.resolve() : bodyEnd.wait) }), {}, undefined, c.providers);
      const call = callOf(c);
      const res = await f.handle(call);
      expect(res.status).toBe(200);
      const chunks = pullChunks(res.body as StreamBody);
      const decoder = new TextDecoder();
      let text = '';
      while (!text.includes(c.frames.at(-1) as string)) {
        const next = await chunks.next();
        expect(next.done, 'the error frame reaches the client').toBe(false);
        text += decoder.decode((next as IteratorYieldResult<Uint8Array>).value);
      }
      // The SDK raised the error it read and disconnects, before the provider ends its body.
      const more = chunks.next().catch(() => undefined);
      call.leave();
      bodyEnd.open();
      await more;
      await chunks.return?.();
      expect(f.records).toHaveLength(1);
      expect(f.records[0]).toMatchObject({ outcome: 'upstream_failed', status: 200, streamed: true, error: c.error });
    });
  }

  it("a body that breaks after the provider's error event keeps the provider's error, not the break", async () => {
    const c = CASES[0] as Case;
    // The connection breaks right after the error frame, before the body's end.
    const f = fixture((req) => sseAnswer(req, [...c.frames, ''], { failAfter: c.frames.length }), {}, undefined, c.providers);
    const res = await f.handle(callOf(c));
    const chunks = pullChunks(res.body as StreamBody);
    for (;;) {
      const next = await chunks.next().catch(() => ({ done: true as const, value: undefined }));
      if (next.done === true) break;
    }
    await chunks.return?.();
    expect(f.records).toHaveLength(1);
    expect(f.records[0]).toMatchObject({ outcome: 'upstream_failed', status: 200, error: c.error });
  });
});
