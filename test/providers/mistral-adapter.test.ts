import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type ErrorKind, ProxyError, STATUS_BY_KIND } from '../../src/lib/errors.js';
import { createMistralAdapter } from '../../src/providers/mistral.js';
import type { RequestInfo } from '../../src/providers/types.js';
import { expectBypassChangesNothing, expectMetered, expectUnmetered, expectUpstreamAuth, metered, replayStream, usage } from './support.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/mistral');
const adapter = createMistralAdapter();

const text = (name: string): string => readFileSync(join(FIXTURES, name), 'utf8');
const json = (name: string): Record<string, unknown> => JSON.parse(text(name)) as Record<string, unknown>;

const chatInfo = (stream = true): RequestInfo => adapter.describe('POST', '/v1/chat/completions', { model: 'mistral-small-latest', stream });

/** Replays SSE bytes through the framer and a fresh accumulator in `step`-byte chunks. */
const replay = (body: string, step = 7, req: RequestInfo = chatInfo()) => replayStream(adapter, req, adapter.prepare(req, {}, new TextEncoder().encode(body)), body, step);

describe('Mistral: describe and prepare', () => {
  it('meters chat, agents, FIM, embeddings and OCR with or without /v1, everything else is forwarded unmetered', () => {
    expectMetered(adapter, [
      ['chat.completions', 'chat', ['/v1/chat/completions', '/chat/completions', '/v1/chat/completions/?foo=1']],
      ['agents.completions', 'chat', ['/v1/agents/completions']],
      ['fim.completions', 'completions', ['/v1/fim/completions']],
      ['embeddings', 'embeddings', ['/v1/embeddings', '/embeddings']],
      ['ocr', 'ocr', ['/v1/ocr', '/ocr']],
    ]);
    expectUnmetered(adapter, ['GET /v1/models', 'POST /v1/batch/jobs', 'GET /v1/ocr', 'GET /v1/chat/completions']);
  });

  it('reads model, streaming and max_tokens (never for embeddings)', () => {
    const chat = adapter.describe('POST', '/v1/chat/completions', { model: 'mistral-large-latest', stream: true, max_tokens: 512 });
    expect(chat).toEqual(metered('chat.completions', 'chat', { model: 'mistral-large-latest', streaming: true, maxOutputTokens: 512 }));
    expect(adapter.describe('POST', '/v1/embeddings', { model: 'mistral-embed', max_tokens: 10 }).maxOutputTokens).toBeNull();
    expect(adapter.describe('POST', '/v1/chat/completions', { model: 7, stream: 'yes', max_tokens: -1 })).toMatchObject({ model: null, streaming: false, maxOutputTokens: null });
  });

  it('never rewrites a request: Mistral streams carry usage unasked', () => {
    const req = chatInfo(true);
    expect(adapter.prepare(req, { model: 'mistral-small-latest', stream: true }, new Uint8Array([0x7b, 0x7d]))).toEqual({ stripInjectedUsage: false });
  });

  it('takes the client key from Bearer and sends the real key the same way', () => {
    const q = new URLSearchParams();
    expect(adapter.clientKey({ authorization: 'Bearer mk_abc' }, q)).toBe('mk_abc');
    expect(adapter.clientKey({ authorization: 'Basic abc' }, q)).toBeNull();
    expect(adapter.clientKey({}, q)).toBeNull();
    expectUpstreamAuth(adapter, 'real-mistral-key', { dropped: { authorization: 'Bearer mk_abc' }, kept: { accept: 'text/event-stream' }, added: { authorization: 'Bearer real-mistral-key' } });
  });
});

describe('Mistral: usage from JSON bodies', () => {
  it('reads chat, cached chat and embeddings fixtures', () => {
    const chat = adapter.describe('POST', '/v1/chat/completions', {});
    const embed = adapter.describe('POST', '/v1/embeddings', {});
    expect(adapter.usageFromJson(chat, json('chat.json'))).toEqual({ model: 'mistral-large-latest', usage: usage({ inputTokens: 1180, outputTokens: 11 }) });
    expect(adapter.usageFromJson(chat, json('chat-cached.json'))).toEqual({ model: 'mistral-large-latest', usage: usage({ inputTokens: 1180, outputTokens: 22, cacheReadTokens: 1152 }) });
    expect(adapter.usageFromJson(embed, json('embeddings.json'))).toEqual({ model: 'mistral-embed', usage: usage({ inputTokens: 15 }) });
  });

  it('ignores unknown fields, never reads a cost, and keeps the service tier', () => {
    const body = json('chat.json');
    const extra = {
      ...body,
      p: 'abcdefgh',
      new_top_level: { nested: [1, 2] },
      usage: { ...(body.usage as object), prompt_audio_seconds: 3, cost: 12.5, future_field: 'x', service_tier: 'priority' },
    };
    const seen = adapter.usageFromJson(chatInfo(false), extra);
    expect(seen).toEqual({ model: 'mistral-large-latest', usage: usage({ inputTokens: 1180, outputTokens: 11, serviceTier: 'priority' }) });
    expect(seen.usage?.providerCostNano).toBeUndefined();
  });

  it('accepts the other cached-token spellings seen in Mistral responses, clamped to the prompt', () => {
    const base = { prompt_tokens: 800, completion_tokens: 2, total_tokens: 802 };
    const read = (u: object) => adapter.usageFromJson(chatInfo(false), { usage: u }).usage?.cacheReadTokens;
    expect(read({ ...base, num_cached_tokens: 768 })).toBe(768);
    expect(read({ ...base, prompt_token_details: { cached_tokens: 704 } })).toBe(704);
    expect(read({ ...base, prompt_tokens_details: { cached_tokens: 640 }, num_cached_tokens: 768 })).toBe(640);
    expect(read({ ...base, num_cached_tokens: 5000 })).toBe(800);
  });

  it('answers usage null for a body without usage, or not an object', () => {
    const { usage: _dropped, ...noUsage } = json('chat.json');
    expect(adapter.usageFromJson(chatInfo(false), noUsage)).toEqual({ usage: null, model: 'mistral-large-latest' });
    expect(adapter.usageFromJson(chatInfo(false), { ...noUsage, usage: { total_tokens: 9 } })).toEqual({ usage: null, model: 'mistral-large-latest' });
    expect(adapter.usageFromJson(chatInfo(false), [1, 2])).toEqual({ usage: null, model: null });
    for (const file of ['error-401.json', 'error-429.json']) expect(adapter.usageFromJson(chatInfo(false), json(file)), file).toEqual({ usage: null, model: null });
  });
});

describe('Mistral: streams', () => {
  const expected = { model: 'mistral-small-latest', usage: usage({ inputTokens: 24, outputTokens: 8 }) };

  it('reads usage from the chunk that also carries finish_reason, forwarding every byte', () => {
    const body = text('chat-stream.sse');
    for (const step of [1, 7, 64, body.length]) {
      const out = replay(body, step);
      expect(out.observed, `step ${step}`).toEqual(expected);
      expect(out.kept).toBe(body);
      expect(out.dropped).toEqual([]);
    }
  });

  it('reads usage from a separate usage-only chunk and leaves that chunk in the stream', () => {
    const body = text('chat-stream-separate-usage.sse');
    const out = replay(body);
    expect(out.observed).toEqual(expected);
    expect(out.kept).toBe(body);
  });

  it('keeps the last usage seen when usage is split across first and last chunks', () => {
    const frames = text('chat-stream.sse').split(/(?<=\n\n)/);
    const first = frames[0]!.replace('"finish_reason":null}]', '"finish_reason":null}],"usage":{"prompt_tokens":24,"total_tokens":24,"completion_tokens":0}');
    expect(first).toContain('"total_tokens":24,');
    const body = [first, ...frames.slice(1)].join('');
    expect(replay(body).observed).toEqual(expected);
    const cut = [first, ...frames.slice(1, -2)].join('');
    expect(replay(cut).observed).toEqual({ model: 'mistral-small-latest', usage: usage({ inputTokens: 24 }) });
  });

  it('records usage null for a stream without usage, and forwards it untouched', () => {
    const body = text('chat-stream-no-usage.sse');
    const out = replay(body);
    expect(out.observed).toEqual({ usage: null, model: 'mistral-small-latest' });
    expect(out).toMatchObject({ kept: body, dropped: [] });
  });

  it('handles CRLF framing, comments and garbage frames without breaking', () => {
    const body = `: keep-alive\r\n\r\ndata: {not json\r\n\r\n${text('chat-stream.sse').replace(/\n/g, '\r\n')}`;
    const out = replay(body, 5);
    expect(out.observed).toEqual(expected);
    expect(out.kept).toBe(body);
  });

  it('content chunks passed by their bytes once the model is known change nothing', () => {
    for (const file of ['chat-stream.sse', 'chat-stream-separate-usage.sse', 'chat-stream-no-usage.sse']) {
      const body = text(file);
      const frames = replayStream(adapter, chatInfo(), { stripInjectedUsage: false }, body, 7, false).frames;
      // Every JSON chunk but the first (the model) and those with a usage passes.
      const expected = frames.filter((f) => f.data.startsWith('{') && !/"usage":(?!null)/.test(f.data)).length - 1;
      expect(expected, file).toBeGreaterThan(0);
      expect(expectBypassChangesNothing(adapter, chatInfo(), { stripInjectedUsage: false }, body), file).toBe(expected);
    }
  });

  it('observes nothing on unmetered streams', () => {
    const req = adapter.describe('POST', '/v1/batch/jobs', { stream: true });
    expect(replay(text('chat-stream.sse'), 7, req).observed).toEqual({ usage: null, model: null });
  });
});

describe('Mistral: renderError', () => {
  it('renders every kind in Mistral shape with its status, headers and details', () => {
    for (const kind of Object.keys(STATUS_BY_KIND) as ErrorKind[]) {
      const r = adapter.renderError(new ProxyError(kind, `failure ${kind}`));
      expect(r.status).toBe(STATUS_BY_KIND[kind]);
      expect(r.headers['content-type']).toBe('application/json');
      const body = JSON.parse(r.body) as Record<string, unknown>;
      expect(Object.keys(body)).toEqual(['object', 'message', 'type', 'param', 'code']);
      expect(body).toMatchObject({ object: 'error', message: `failure ${kind}`, param: null });
      expect(typeof body.type).toBe('string');
      expect(typeof body.code).toBe('string');
    }
  });

  it('carries budget details and retry headers', () => {
    const r = adapter.renderError(
      new ProxyError('budget_exceeded', "Budget 'x' exhausted", { reset_at: '2026-12-01T00:00:00Z', budget: { name: 'x' } }, { 'retry-after': '60', 'x-should-retry': 'false' }),
    );
    expect(r.status).toBe(429);
    expect(r.headers).toEqual({ 'content-type': 'application/json', 'retry-after': '60', 'x-should-retry': 'false' });
    expect(JSON.parse(r.body)).toEqual({ object: 'error', message: "Budget 'x' exhausted", type: 'budget_exceeded', param: null, code: 'budget_exceeded', reset_at: '2026-12-01T00:00:00Z', budget: { name: 'x' } });
  });
});
