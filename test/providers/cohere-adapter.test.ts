import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type ErrorKind, ProxyError, STATUS_BY_KIND } from '../../src/lib/errors.js';
import { createCohereAdapter } from '../../src/providers/cohere.js';
import type { RequestInfo } from '../../src/providers/types.js';
import { expectMetered, expectUnmetered, expectUpstreamAuth, metered, replayStream, usage } from './support.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/cohere');
const adapter = createCohereAdapter();

const text = (name: string): string => readFileSync(join(FIXTURES, name), 'utf8');
const json = (name: string): Record<string, unknown> => JSON.parse(text(name)) as Record<string, unknown>;

const chatInfo = (stream = true): RequestInfo => adapter.describe('POST', '/v2/chat', { model: 'command-a-03-2025', stream });
const embedInfo = (): RequestInfo => adapter.describe('POST', '/v2/embed', { model: 'embed-v4.0' });

/** Replays SSE bytes through the framer and a fresh accumulator in `step`-byte chunks. */
const replay = (body: string, step = 7, req: RequestInfo = chatInfo()) => replayStream(adapter, req, adapter.prepare(req, {}, new TextEncoder().encode(body)), body, step);
const events = (body: string) => new Set(replay(body).frames.map((f) => f.event));

describe('Cohere: describe and prepare', () => {
  it('meters v2 and v1 chat and embed; every other path (v1 generate, rerank, classify, summarize…) is forwarded unmetered', () => {
    expectMetered(adapter, [
      ['chat', 'chat', ['/v2/chat', '/v2/chat/']],
      ['embed', 'embeddings', ['/v2/embed?x=1']],
      ['v1.chat', 'chat', ['/v1/chat', '/v1/chat/']],
      ['v1.embed', 'embeddings', ['/v1/embed']],
    ]);
    expectUnmetered(adapter, ['POST /v1/generate', 'POST /v1/rerank', 'POST /v1/classify', 'POST /v1/summarize', 'POST /v2/rerank', 'GET /v1/models', 'GET /v2/chat', 'GET /v1/chat', 'POST /chat']);
  });

  it('reads model, stream and max_tokens (an input truncation limit on embed, not an output limit)', () => {
    const chat = adapter.describe('POST', '/v2/chat', { model: 'command-a-03-2025', stream: true, max_tokens: 300 });
    expect(chat).toEqual(metered('chat', 'chat', { model: 'command-a-03-2025', streaming: true, maxOutputTokens: 300 }));
    expect(adapter.describe('POST', '/v2/embed', { model: 'embed-v4.0', max_tokens: 512 }).maxOutputTokens).toBeNull();
    expect(adapter.describe('POST', '/v2/chat', { model: '', stream: 1 })).toMatchObject({ model: null, streaming: false });
  });

  it('never rewrites a request', () => {
    expect(adapter.prepare(chatInfo(), { model: 'command-a-03-2025', stream: true }, new Uint8Array([0x7b, 0x7d]))).toEqual({ stripInjectedUsage: false });
  });

  it('takes the client key from Bearer and sends the real key the same way, keeping X-Client-Name', () => {
    const q = new URLSearchParams();
    expect(adapter.clientKey({ authorization: 'Bearer mk_abc' }, q)).toBe('mk_abc');
    expect(adapter.clientKey({ authorization: 'Token mk_abc' }, q)).toBeNull();
    expectUpstreamAuth(adapter, 'co-real', { dropped: { authorization: 'Bearer mk_abc' }, kept: { 'x-client-name': 'my-app' }, added: { authorization: 'Bearer co-real' } });
  });
});

describe('Cohere: usage from JSON bodies', () => {
  it('bills chat on billed_units, not on the raw token counts', () => {
    expect(adapter.usageFromJson(chatInfo(false), json('chat.json'))).toEqual({ model: null, usage: usage({ inputTokens: 5, outputTokens: 18 }) });
  });

  it('marks a chat whose finish_reason is ERROR failed, with its usage (as a stream ending so is)', () => {
    const failed = { ...(json('chat.json') as Record<string, unknown>), finish_reason: 'ERROR' };
    expect(adapter.usageFromJson(chatInfo(false), failed)).toEqual({ model: null, usage: usage({ inputTokens: 5, outputTokens: 18 }), failed: 'finish_reason ERROR' });
  });

  it('reads cached_tokens as cache reads within the billed input', () => {
    expect(adapter.usageFromJson(chatInfo(false), json('chat-cached.json'))).toEqual({ model: null, usage: usage({ inputTokens: 2480, outputTokens: 19, cacheReadTokens: 2048 }) });
    const over = { usage: { billed_units: { input_tokens: 100, output_tokens: 1 }, cached_tokens: 4096 } };
    expect(adapter.usageFromJson(chatInfo(false), over).usage?.cacheReadTokens).toBe(100);
  });

  it('reads embed usage from meta.billed_units', () => {
    expect(adapter.usageFromJson(embedInfo(), json('embed.json'))).toEqual({ model: null, usage: usage({ inputTokens: 2 }) });
    const cached = { ...json('embed.json'), meta: { billed_units: { input_tokens: 40 }, cached_tokens: 32 } };
    expect(adapter.usageFromJson(embedInfo(), cached).usage).toEqual(usage({ inputTokens: 40, cacheReadTokens: 32 }));
  });

  it('ignores unknown fields and units tokometer does not price', () => {
    const body = json('chat.json');
    const extra = {
      ...body,
      logprobs: [{ token_ids: [1], logprobs: [-0.1] }],
      brand_new: true,
      usage: { billed_units: { input_tokens: 5, output_tokens: 18, search_units: 1, classifications: 0, future: 9 }, tokens: { input_tokens: 71, output_tokens: 18 }, other: 'x' },
    };
    expect(adapter.usageFromJson(chatInfo(false), extra)).toEqual({ model: null, usage: usage({ inputTokens: 5, outputTokens: 18 }) });
  });

  it('answers usage null when neither billed_units nor tokens carry counts (tokens alone are the fallback: cohere-tokens-fallback.test.ts)', () => {
    const { usage: _u, ...noUsage } = json('chat.json');
    expect(adapter.usageFromJson(chatInfo(false), noUsage).usage).toBeNull();
    expect(adapter.usageFromJson(chatInfo(false), { ...noUsage, usage: { tokens: { input_tokens: 71, output_tokens: 18 } } }).usage).toEqual(usage({ inputTokens: 71, outputTokens: 18 }));
    expect(adapter.usageFromJson(chatInfo(false), { ...noUsage, usage: { billed_units: {}, tokens: {} } }).usage).toBeNull();
    expect(adapter.usageFromJson(embedInfo(), { ...json('embed.json'), meta: { api_version: { version: '2' }, billed_units: { images: 1 } } }).usage).toBeNull();
    expect(adapter.usageFromJson(embedInfo(), 'text').usage).toBeNull();
    for (const file of ['error-401.json', 'error-429.json']) expect(adapter.usageFromJson(chatInfo(false), json(file)), file).toEqual({ usage: null, model: null });
    // A chat body's usage is not read for embed, nor embed's meta for chat.
    expect(adapter.usageFromJson(embedInfo(), json('chat.json')).usage).toBeNull();
    expect(adapter.usageFromJson(chatInfo(false), json('embed.json')).usage).toBeNull();
  });
});

describe('Cohere: streams', () => {
  it('reads usage from message-end only, across content and citation events, forwarding every byte', () => {
    const body = text('chat-stream.sse');
    for (const step of [1, 7, 100, body.length]) {
      const out = replay(body, step);
      expect(out.observed, `step ${step}`).toEqual({ model: null, usage: usage({ inputTokens: 18, outputTokens: 12 }) });
      expect(out.kept).toBe(body);
      expect(out.dropped).toEqual([]);
    }
    expect(events(body)).toEqual(new Set(['message-start', 'content-start', 'content-delta', 'citation-start', 'citation-end', 'content-end', 'message-end']));
  });

  it('reads cached usage after tool-plan and tool-call events', () => {
    const body = text('chat-stream-tools.sse');
    const out = replay(body);
    expect(out.observed).toEqual({ model: null, usage: usage({ inputTokens: 1126, outputTokens: 84, cacheReadTokens: 1024 }) });
    expect(out.kept).toBe(body);
    expect(new Set(out.frames.map((f) => f.event))).toEqual(new Set(['message-start', 'tool-plan-delta', 'tool-call-start', 'tool-call-delta', 'tool-call-end', 'message-end']));
  });

  it('ignores usage-looking fields outside message-end (split usage: the message-end value wins)', () => {
    const body = text('chat-stream.sse').replace(
      '"delta":{"message":{"role":"assistant"}}',
      '"delta":{"message":{"role":"assistant"},"usage":{"billed_units":{"input_tokens":999,"output_tokens":999}}}',
    );
    expect(body).toContain('999');
    expect(replay(body).observed.usage).toEqual(usage({ inputTokens: 18, outputTokens: 12 }));
  });

  it('finds message-end by its data when frames have no event: line, and tolerates [DONE]', () => {
    const body = `${text('chat-stream.sse').replace(/^event: .*\n/gm, '')}data: [DONE]\n\n`;
    expect(body).not.toContain('event:');
    const out = replay(body);
    expect(out.observed.usage).toEqual(usage({ inputTokens: 18, outputTokens: 12 }));
    expect(out.kept).toBe(body);
  });

  it('records usage null for a stream cut before message-end, and forwards it untouched', () => {
    const body = text('chat-stream-no-usage.sse');
    expect(replay(body)).toMatchObject({ observed: { usage: null, model: null }, kept: body, dropped: [] });
  });

  it('keeps usage null when message-end carries an error and no usage', () => {
    const body = `${text('chat-stream-no-usage.sse')}event: message-end\ndata: {"type":"message-end","delta":{"finish_reason":"ERROR","error":"internal"}}\n\n`;
    expect(replay(body).observed.usage).toBeNull();
  });
});

describe('Cohere: renderError', () => {
  it('renders every kind as {id, message} with its status', () => {
    for (const kind of Object.keys(STATUS_BY_KIND) as ErrorKind[]) {
      const r = adapter.renderError(new ProxyError(kind, `failure ${kind}`));
      // Budget refusals use Cohere's billing-limit status: cohere-ai retries every 429.
      expect(r.status).toBe(kind === 'budget_exceeded' || kind === 'budget_busy' ? 402 : STATUS_BY_KIND[kind]);
      expect(r.headers['content-type']).toBe('application/json');
      const body = JSON.parse(r.body) as Record<string, unknown>;
      expect(Object.keys(body)).toEqual(['id', 'message']);
      expect(body.message).toBe(`failure ${kind}`);
      expect(body.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
  });

  it('carries budget details and headers, with a fresh id per error', () => {
    const error = new ProxyError('budget_exceeded', "Budget 'x' exhausted", { reset_at: '2026-12-01T00:00:00Z' }, { 'retry-after': '60' });
    const a = adapter.renderError(error);
    const b = adapter.renderError(error);
    expect(a.status).toBe(402);
    expect(a.headers).toEqual({ 'content-type': 'application/json', 'retry-after': '60' });
    expect(JSON.parse(a.body)).toMatchObject({ message: "Budget 'x' exhausted", reset_at: '2026-12-01T00:00:00Z' });
    expect(JSON.parse(a.body).id).not.toBe(JSON.parse(b.body).id);
  });
});
