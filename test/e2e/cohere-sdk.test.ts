import { Cohere, CohereClientV2, CohereError } from 'cohere-ai';
import { describe, expect, it } from 'vitest';
import { sseFrames, type ReceivedRequest, type Reply } from '../support/fake-upstream.js';
import { fixture, sdkHarness, sseReply } from './sdk-harness.js';

const CHAT = fixture('cohere', 'chat.json');
const CHAT_CACHED = fixture('cohere', 'chat-cached.json');
const STREAM = fixture('cohere', 'chat-stream.sse');
const STREAM_TOOLS = fixture('cohere', 'chat-stream-tools.sse');
const STREAM_CUT = fixture('cohere', 'chat-stream-no-usage.sse');
const EMBED = fixture('cohere', 'embed.json');
const ERROR_429 = fixture('cohere', 'error-429.json');

/** The fake Cohere API: picks a fixture from the path and the first user message. */
function reply(req: ReceivedRequest): Reply | undefined {
  const body = req.json as { stream?: boolean; messages?: Array<{ content: string }> } | undefined;
  const prompt = body?.messages?.[0]?.content;
  if (req.url === '/v2/chat' && body?.stream) return sseReply(prompt === 'tools' ? STREAM_TOOLS : prompt === 'cut' ? STREAM_CUT : STREAM);
  if (req.url === '/v2/chat' && prompt === 'rate limit') return { status: 429, body: ERROR_429 };
  if (req.url === '/v2/chat') return { body: prompt === 'cached' ? CHAT_CACHED : CHAT };
  if (req.url === '/v2/embed') return { body: EMBED };
  return undefined;
}

// Prices checked with createPricer().describe(model, 'cohere') on 2026-11-27 (billed_units are billed):
// command-a-03-2025: $2.50 in, $10 out per 1M = 2,500 / 10,000 nano-USD per token; no cache price,
//   so cache hits are billed as input.
//   chat.json: 5 in, 18 out → 12,500 + 180,000 = 192,500.
//   chat-cached.json: 2480 in (2048 of them cached), 19 out → 2480 × 2,500 + 19 × 10,000 = 6,200,000 + 190,000 = 6,390,000.
//   chat-stream.sse: 18 in, 12 out → 45,000 + 120,000 = 165,000.
//   chat-stream-tools.sse: 1126 in (1024 cached), 84 out → 2,815,000 + 840,000 = 3,655,000.
// embed-v4.0: $0.12 in = 120 per token. embed.json: 2 in → 240.
const CHAT_COST_NANO = 192_500;
const CHAT_CACHED_COST_NANO = 6_390_000;
const STREAM_COST_NANO = 165_000;
const STREAM_TOOLS_COST_NANO = 3_655_000;
const EMBED_COST_NANO = 240;

describe('Cohere SDK (CohereClientV2) through tokometer', () => {
  const tags = { feature: 'search', user_tier: 'pro' };
  const h = sdkHarness({ upstream: { reply }, provider: 'cohere' }, (started) =>
    new CohereClientV2({ token: started.secret, environment: started.baseUrl('cohere'), maxRetries: 0, headers: { 'X-Metering-Tags': JSON.stringify(tags) } }),
  );

  it('meters a non-streamed chat on billed_units to the nano-dollar', async () => {
    const res = await h.client.chat({ model: 'command-a-03-2025', messages: [{ role: 'user', content: 'Tell me about LLMs' }] });
    expect(res.message.content?.[0]).toMatchObject({ type: 'text', text: expect.stringContaining('neural networks') });
    expect(res.usage?.billedUnits?.inputTokens).toBe(5);
    expect(h.lastUpstream().url).toBe('/v2/chat');
    expect(h.lastUpstream().headers.authorization).toBe('Bearer sk-test-upstream-0123456789abcdef');
    const row = h.lastRow();
    expect(row).toMatchObject({
      provider: 'cohere',
      endpoint: 'chat',
      model_requested: 'command-a-03-2025',
      model: 'command-a-03-2025',
      status: 200,
      outcome: 'ok',
      streamed: 0,
      input_tokens: 5,
      cached_input_tokens: 0,
      output_tokens: 18,
      cost_nano: CHAT_COST_NANO,
      usage_source: 'reported',
      key_name: 'test-key',
    });
    expect(String(row.price_source)).toMatch(/^genai-prices@/);
    expect(row.tags).toEqual(tags);
    expect(h.fake.problems).toEqual([]);
  });

  it('records cache hits (billed as input: the catalog has no Cohere cache price)', async () => {
    const res = await h.client.chat({ model: 'command-a-03-2025', messages: [{ role: 'user', content: 'cached' }] });
    expect(res.usage?.cachedTokens).toBe(2048);
    expect(h.lastRow()).toMatchObject({ input_tokens: 2480, cached_input_tokens: 2048, output_tokens: 19, cost_nano: CHAT_CACHED_COST_NANO });
  });

  it('streams every event type through and meters message-end usage', async () => {
    const before = h.records.length;
    const stream = await h.client.chatStream({ model: 'command-a-03-2025', messages: [{ role: 'user', content: 'boy bands' }] });
    const types: string[] = [];
    let text = '';
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'content-delta') text += event.delta?.message?.content?.text ?? '';
      if (event.type === 'message-end') expect(event.delta?.usage?.billedUnits).toEqual({ inputTokens: 18, outputTokens: 12 });
    }
    expect(types).toEqual(sseFrames(STREAM).map((f) => /^event: (.*)$/m.exec(f)?.[1]));
    expect(text).toBe('Both Nsync and Backstreet Boys were huge in 2000.');
    expect(await h.rowAfter(before)).toMatchObject({ endpoint: 'chat', streamed: 1, input_tokens: 18, output_tokens: 12, cost_nano: STREAM_COST_NANO, usage_source: 'reported' });
  });

  it('meters a cached tool-call stream', async () => {
    const before = h.records.length;
    const stream = await h.client.chatStream({ model: 'command-a-03-2025', messages: [{ role: 'user', content: 'tools' }] });
    const types = new Set<string>();
    for await (const event of stream) types.add(event.type);
    expect([...types]).toEqual(['message-start', 'tool-plan-delta', 'tool-call-start', 'tool-call-delta', 'tool-call-end', 'message-end']);
    expect(await h.rowAfter(before)).toMatchObject({ streamed: 1, input_tokens: 1126, cached_input_tokens: 1024, output_tokens: 84, cost_nano: STREAM_TOOLS_COST_NANO });
  });

  it('relays the SSE bytes unchanged', async () => {
    const before = h.records.length;
    const res = await fetch(`${h.baseUrl('cohere')}/v2/chat`, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'command-a-03-2025', stream: true, messages: [{ role: 'user', content: 'tools' }] }),
    });
    expect(await res.text()).toBe(STREAM_TOOLS);
    expect(await h.rowAfter(before)).toMatchObject({ cost_nano: STREAM_TOOLS_COST_NANO });
  });

  it('records a stream cut before message-end as estimated', async () => {
    const before = h.records.length;
    const stream = await h.client.chatStream({ model: 'command-a-03-2025', messages: [{ role: 'user', content: 'cut' }] });
    let events = 0;
    for await (const _event of stream) events++;
    expect(events).toBe(sseFrames(STREAM_CUT).length);
    const row = await h.rowAfter(before);
    expect(row).toMatchObject({ streamed: 1, outcome: 'ok', usage_source: 'estimated' });
    expect(Number(row.cost_nano)).toBeGreaterThan(0);
  });

  it('meters embed from meta.billed_units', async () => {
    const res = await h.client.embed({ model: 'embed-v4.0', inputType: 'search_document', embeddingTypes: ['float'], texts: ['hello', 'goodbye'] });
    expect(res.embeddings.float?.length).toBe(2);
    expect(h.lastUpstream().url).toBe('/v2/embed');
    expect(h.lastRow()).toMatchObject({ endpoint: 'embed', model: 'embed-v4.0', input_tokens: 2, output_tokens: 0, cost_nano: EMBED_COST_NANO, streamed: 0 });
  });

  it('answers an unknown metering key with a 401 the SDK raises as UnauthorizedError', async () => {
    const seen = h.fake.requests.length;
    const rows = h.rows().length;
    const stranger = new CohereClientV2({ token: `mk_${'x'.repeat(32)}`, environment: h.baseUrl('cohere'), maxRetries: 0 });
    const error = await stranger.chat({ model: 'command-a-03-2025', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Cohere.UnauthorizedError);
    expect(error).toBeInstanceOf(CohereError);
    const e = error as CohereError;
    expect(e.statusCode).toBe(401);
    expect(e.body).toMatchObject({ id: expect.any(String), message: expect.stringMatching(/Invalid or revoked metering key/) });
    expect(e.message).toMatch(/Invalid or revoked metering key/);
    expect(h.fake.requests.length).toBe(seen);
    expect(h.rows().length).toBe(rows);
  });

  it('passes an upstream error through unchanged and records it at no cost', async () => {
    const error = await h.client.chat({ model: 'command-a-03-2025', messages: [{ role: 'user', content: 'rate limit' }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Cohere.TooManyRequestsError);
    expect((error as CohereError).body).toEqual(JSON.parse(ERROR_429));
    expect(h.lastRow()).toMatchObject({ status: 429, outcome: 'upstream_error', cost_nano: 0, usage_source: 'not_metered' });
    const raw = await fetch(`${h.baseUrl('cohere')}/v2/chat`, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'command-a-03-2025', messages: [{ role: 'user', content: 'rate limit' }] }),
    });
    expect(raw.status).toBe(429);
    expect(await raw.text()).toBe(ERROR_429);
  });
});
