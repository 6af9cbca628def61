import { Mistral } from '@mistralai/mistralai';
import { MistralError, SDKError } from '@mistralai/mistralai/models/errors';
import { describe, expect, it } from 'vitest';
import { sseFrames, type ReceivedRequest, type Reply } from '../support/fake-upstream.js';
import { fixture, sdkHarness, sseReply } from './sdk-harness.js';

const CHAT = fixture('mistral', 'chat.json');
const CHAT_CACHED = fixture('mistral', 'chat-cached.json');
const STREAM = fixture('mistral', 'chat-stream.sse');
const STREAM_SEPARATE = fixture('mistral', 'chat-stream-separate-usage.sse');
const STREAM_NO_USAGE = fixture('mistral', 'chat-stream-no-usage.sse');
const EMBEDDINGS = fixture('mistral', 'embeddings.json');
const ERROR_429 = fixture('mistral', 'error-429.json');

/** The fake Mistral API: picks a fixture from the path and the first user message. */
function reply(req: ReceivedRequest): Reply | undefined {
  const body = req.json as { stream?: boolean; messages?: Array<{ content: string }> } | undefined;
  const prompt = body?.messages?.[0]?.content;
  if (req.url === '/v1/chat/completions' && body?.stream) return sseReply(prompt === 'separate' ? STREAM_SEPARATE : prompt === 'no usage' ? STREAM_NO_USAGE : STREAM);
  if (req.url === '/v1/chat/completions' && prompt === 'rate limit') return { status: 429, headers: { 'retry-after': '1' }, body: ERROR_429 };
  if (req.url === '/v1/chat/completions') return { body: prompt === 'cached' ? CHAT_CACHED : CHAT };
  if (req.url === '/v1/embeddings') return { body: EMBEDDINGS };
  return undefined;
}

// Prices checked with createPricer().describe(model, 'mistral') on 2026-11-27:
// mistral-large-latest (override: Mistral Large 3 since 2025-12-02): $0.50 in, $0.05 cached, $1.50 out
//   per 1M = 500 / 50 / 1,500 nano-USD per token.
//   chat.json: 1180 in, 0 cached, 11 out → 1180 × 500 + 11 × 1,500 = 590,000 + 16,500 = 606,500.
//   chat-cached.json: 1180 in of which 1152 cached, 22 out →
//     28 × 500 + 1152 × 50 + 22 × 1,500 = 14,000 + 57,600 + 33,000 = 104,600.
// mistral-small-latest: $0.10 in, $0.30 out = 100 / 300 per token.
//   chat-stream*.sse: 24 in, 8 out → 2,400 + 2,400 = 4,800.
// mistral-embed: $0.10 in = 100 per token. embeddings.json: 15 in → 1,500.
const LARGE_COST_NANO = 606_500;
const LARGE_CACHED_COST_NANO = 104_600;
const SMALL_STREAM_COST_NANO = 4_800;
const EMBED_COST_NANO = 1_500;

describe('Mistral SDK through tokometer', () => {
  const tags = { feature: 'contracts', tenant_id: 't_42' };
  const withTags = { headers: { 'X-Metering-Tags': JSON.stringify(tags) } };
  const h = sdkHarness({ upstream: { reply }, provider: 'mistral' }, (started) =>
    new Mistral({ apiKey: started.secret, serverURL: started.baseUrl('mistral'), retryConfig: { strategy: 'none' } }),
  );

  it('meters a non-streamed, uncached chat completion to the nano-dollar', async () => {
    const res = await h.client.chat.complete({ model: 'mistral-large-latest', messages: [{ role: 'user', content: 'capital of France?' }] }, withTags);
    expect(res.choices[0]?.message?.content).toBe('Paris is the capital of France.');
    expect(res.usage.promptTokens).toBe(1180);
    expect(h.lastUpstream().url).toBe('/v1/chat/completions');
    expect(h.lastUpstream().headers.authorization).toBe('Bearer sk-test-upstream-0123456789abcdef');
    const row = h.lastRow();
    expect(row).toMatchObject({
      provider: 'mistral',
      endpoint: 'chat.completions',
      model_requested: 'mistral-large-latest',
      model: 'mistral-large-latest',
      status: 200,
      outcome: 'ok',
      streamed: 0,
      input_tokens: 1180,
      cached_input_tokens: 0,
      output_tokens: 11,
      cost_nano: LARGE_COST_NANO,
      provider_cost_nano: null,
      price_source: 'override',
      usage_source: 'reported',
      key_name: 'test-key',
    });
    expect(row.tags).toEqual(tags);
    expect(h.fake.problems).toEqual([]);
  });

  it('bills prompt-cache hits at the cached rate', async () => {
    const res = await h.client.chat.complete({ model: 'mistral-large-latest', messages: [{ role: 'user', content: 'cached' }] });
    expect(res.usage.completionTokens).toBe(22);
    expect(h.lastRow()).toMatchObject({ input_tokens: 1180, cached_input_tokens: 1152, output_tokens: 22, cost_nano: LARGE_CACHED_COST_NANO });
  });

  it('streams through untouched (no request rewrite) and meters usage from the last chunk', async () => {
    const before = h.records.length;
    const stream = await h.client.chat.stream({ model: 'mistral-small-latest', messages: [{ role: 'user', content: 'hi' }] });
    let content = '';
    let lastUsage: unknown;
    for await (const event of stream) {
      const delta = event.data.choices[0]?.delta.content;
      if (typeof delta === 'string') content += delta;
      if (event.data.usage) lastUsage = event.data.usage;
    }
    expect(content).toBe('Paris is the capital of France.');
    expect(lastUsage).toMatchObject({ promptTokens: 24, completionTokens: 8 });
    const sent = h.lastUpstream().json as Record<string, unknown>;
    expect(sent.stream).toBe(true);
    expect(sent.stream_options).toBeUndefined();
    expect(await h.rowAfter(before)).toMatchObject({ endpoint: 'chat.completions', streamed: 1, model: 'mistral-small-latest', input_tokens: 24, output_tokens: 8, cost_nano: SMALL_STREAM_COST_NANO, usage_source: 'reported' });
  });

  it('relays the stream byte for byte, also when usage comes in a chunk of its own', async () => {
    const before = h.records.length;
    const res = await fetch(`${h.baseUrl('mistral')}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.secret}`, 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ model: 'mistral-small-latest', stream: true, messages: [{ role: 'user', content: 'separate' }] }),
    });
    expect(await res.text()).toBe(STREAM_SEPARATE);
    expect(await h.rowAfter(before)).toMatchObject({ streamed: 1, input_tokens: 24, output_tokens: 8, cost_nano: SMALL_STREAM_COST_NANO, usage_source: 'reported' });
  });

  it('records a stream that never sent usage as estimated, with the client seeing every chunk', async () => {
    const before = h.records.length;
    const stream = await h.client.chat.stream({ model: 'mistral-small-latest', messages: [{ role: 'user', content: 'no usage' }] });
    let chunks = 0;
    for await (const _event of stream) chunks++;
    expect(chunks).toBe(sseFrames(STREAM_NO_USAGE).length - 1);
    const row = await h.rowAfter(before);
    expect(row).toMatchObject({ streamed: 1, outcome: 'ok', usage_source: 'estimated', model: 'mistral-small-latest' });
    expect(Number(row.input_tokens)).toBeGreaterThan(0);
    expect(Number(row.cost_nano)).toBeGreaterThan(0);
  });

  it('meters embeddings', async () => {
    const res = await h.client.embeddings.create({ model: 'mistral-embed', inputs: ['The food was delicious.', 'The waiter was rude.'] });
    expect(res.data.map((d) => d.embedding?.length)).toEqual([8, 8]);
    expect((h.lastUpstream().json as { input?: unknown }).input).toEqual(['The food was delicious.', 'The waiter was rude.']);
    expect(h.lastRow()).toMatchObject({ endpoint: 'embeddings', model: 'mistral-embed', input_tokens: 15, output_tokens: 0, cost_nano: EMBED_COST_NANO, streamed: 0 });
  });

  it('answers an unknown metering key with a Mistral-shaped 401 the SDK raises as SDKError', async () => {
    const seen = h.fake.requests.length;
    const rows = h.rows().length;
    const stranger = new Mistral({ apiKey: `mk_${'x'.repeat(32)}`, serverURL: h.baseUrl('mistral'), retryConfig: { strategy: 'none' } });
    const error = await stranger.chat.complete({ model: 'mistral-large-latest', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SDKError);
    expect(error).toBeInstanceOf(MistralError);
    const e = error as SDKError;
    expect(e.statusCode).toBe(401);
    expect(e.message).toMatch(/Status 401/);
    expect(e.message).toMatch(/Invalid or revoked metering key/);
    expect(JSON.parse(e.body)).toMatchObject({ object: 'error', type: 'unauthorized', code: 'invalid_api_key', param: null });
    expect(h.fake.requests.length).toBe(seen);
    expect(h.rows().length).toBe(rows);
  });

  it('passes an upstream error through unchanged and records it at no cost', async () => {
    const error = await h.client.chat.complete({ model: 'mistral-large-latest', messages: [{ role: 'user', content: 'rate limit' }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SDKError);
    const e = error as SDKError;
    expect(e.statusCode).toBe(429);
    expect(e.body).toBe(ERROR_429);
    expect(e.headers.get('retry-after')).toBe('1');
    expect(h.lastRow()).toMatchObject({ status: 429, outcome: 'upstream_error', usage_source: 'not_metered', cost_nano: 0, model_requested: 'mistral-large-latest' });
  });
});
