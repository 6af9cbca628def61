import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { sseFrames, type ReceivedRequest, type Reply } from '../support/fake-upstream.js';
import { fixture, sdkHarness, sseReply } from './sdk-harness.js';

const CHAT = fixture('openai', 'chat.json');
const STREAM_USAGE = fixture('openai', 'chat-stream-usage.sse');
const STREAM_NO_USAGE = fixture('openai', 'chat-stream-no-usage.sse');
const EMBED_B64 = fixture('openai', 'embeddings-base64.json');

/** The usage-only frame of the stream fixture: what the proxy must strip when it injected usage. */
const USAGE_FRAME = sseFrames(STREAM_USAGE).find((f) => f.includes('"choices":[]')) as string;

/**
 * A Responses answer that ran the file search tool twice (two file_search_call items, the
 * first with two queries: OpenAI bills per tool call, not per query), as the SDK types it.
 */
const FILE_SEARCH_RESPONSE = {
  id: 'resp_fs_1',
  object: 'response',
  created_at: 1767225600,
  status: 'completed',
  model: 'gpt-4.1-2025-04-14',
  output: [
    { id: 'fs_1', type: 'file_search_call', status: 'completed', queries: ['refund policy', 'returns window'], results: null },
    { id: 'fs_2', type: 'file_search_call', status: 'completed', queries: ['shipping costs'], results: null },
    { id: 'msg_1', type: 'message', status: 'completed', role: 'assistant', content: [{ type: 'output_text', annotations: [], text: 'Returns within 30 days.' }] },
  ],
  tools: [{ type: 'file_search', vector_store_ids: ['vs_1'] }],
  usage: { input_tokens: 12_000, input_tokens_details: { cached_tokens: 4_000 }, output_tokens: 300, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 12_300 },
};

function reply(req: ReceivedRequest): Reply | undefined {
  const body = req.json as { stream?: boolean; stream_options?: { include_usage?: boolean }; model?: string; messages?: Array<{ content: string }> } | undefined;
  if (req.url === '/chat/completions' && body?.stream) {
    const slow = body.messages?.[0]?.content === 'slow';
    const text = body.stream_options?.include_usage ? STREAM_USAGE : STREAM_NO_USAGE;
    return sseReply(text, { delayMs: slow ? 150 : 1 });
  }
  if (req.url === '/chat/completions') return { body: CHAT };
  if (req.url === '/embeddings') return { body: EMBED_B64 };
  if (req.url === '/responses') return { body: JSON.stringify(FILE_SEARCH_RESPONSE) };
  if (req.url === '/models' && req.method === 'GET') return { body: '{"object":"list","data":[{"id":"gpt-4o-mini","object":"model"}]}' };
  return undefined;
}

// gpt-4o-mini per 1M tokens: input $0.15, cached input $0.075, output $0.60 = 150 / 75 / 600 nano-USD per token.
// 1250 prompt tokens of which 1024 cached, 9 output:
//   226 × 150 = 33,900;  1024 × 75 = 76,800;  9 × 600 = 5,400  → 116,100 nano-USD ($0.0001161).
const CHAT_COST_NANO = 116_100;

// gpt-4.1 per 1M tokens: input $2, cached input $0.50, output $8 = 2,000 / 500 / 8,000 nano-USD per token;
// file search tool calls $2.50 per 1,000 = 2,500,000 nano-USD per call. 12,000 input of which 4,000 cached, 300 output:
//   8,000 × 2,000 = 16,000,000;  4,000 × 500 = 2,000,000;  300 × 8,000 = 2,400,000;  2 calls × 2,500,000 = 5,000,000
//   → 25,400,000 nano-USD ($0.0254; the tokens alone, as recorded before file searches were priced: 20,400,000).
const FILE_SEARCH_COST_NANO = 25_400_000;

describe('OpenAI SDK through tokometer (Node edges, better-sqlite3)', () => {
  const tags = { feature: 'summarizer', user_tier: 'free', tenant_id: 't_8472' };
  const h = sdkHarness({ upstream: { reply } }, (started) =>
    new OpenAI({ apiKey: started.secret, baseURL: started.baseUrl(), maxRetries: 0, defaultHeaders: { 'X-Metering-Tags': JSON.stringify(tags) } }),
  );

  it('meters a non-streamed chat completion to the nano-dollar', async () => {
    const res = await h.client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'capital of France?' }] });
    expect(res.choices[0]?.message.content).toBe('Paris is the capital of France.');
    expect(res.usage?.prompt_tokens).toBe(1250);
    const row = h.lastRow();
    expect(row).toMatchObject({
      provider: 'openai',
      endpoint: 'chat.completions',
      model_requested: 'gpt-4o-mini',
      model: 'gpt-4o-mini-2024-07-18',
      status: 200,
      outcome: 'ok',
      streamed: 0,
      input_tokens: 1250,
      cached_input_tokens: 1024,
      output_tokens: 9,
      reasoning_tokens: 0,
      cost_nano: CHAT_COST_NANO,
      usage_source: 'reported',
      key_name: 'test-key',
    });
    expect(row.tags).toEqual(tags);
    const upstream = h.lastUpstream();
    expect(upstream.headers['x-metering-tags']).toBeUndefined();
    expect(upstream.headers.authorization).toBe('Bearer sk-test-upstream-0123456789abcdef');
    expect(h.fake.problems).toEqual([]);
  });

  it('injects include_usage, strips the usage chunk, and the client sees exactly its stream', async () => {
    const before = h.records.length;
    const res = await fetch(`${h.baseUrl()}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'hi' }] }),
    });
    const text = await res.text();
    const upstreamBody = h.lastUpstream().json as { stream_options?: { include_usage?: boolean } };
    expect(upstreamBody.stream_options).toEqual({ include_usage: true });
    expect(text).toBe(STREAM_USAGE.replace(USAGE_FRAME, ''));
    expect(text).not.toContain('"usage":{');
    expect(await h.rowAfter(before)).toMatchObject({ streamed: 1, input_tokens: 1250, cached_input_tokens: 1024, output_tokens: 9, cost_nano: CHAT_COST_NANO, usage_source: 'reported', outcome: 'ok' });
  });

  it('passes a stream through untouched when the client asked for usage itself', async () => {
    const before = h.records.length;
    const chunks: unknown[] = [];
    const stream = await h.client.chat.completions.create({ model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'hi' }] });
    for await (const chunk of stream) chunks.push(chunk);
    const expected = sseFrames(STREAM_USAGE)
      .map((f) => f.replace(/^data: /, '').trim())
      .filter((d) => d !== '[DONE]')
      .map((d) => JSON.parse(d));
    expect(chunks).toEqual(expected);
    const upstreamBody = h.lastUpstream().json as { stream_options?: unknown };
    expect(upstreamBody.stream_options).toEqual({ include_usage: true });
    expect(await h.rowAfter(before)).toMatchObject({ streamed: 1, output_tokens: 9, cost_nano: CHAT_COST_NANO });
  });

  it('the SDK stream without include_usage yields every chunk but the usage-only one', async () => {
    const stream = await h.client.chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.length).toBe(sseFrames(STREAM_USAGE).length - 2); // minus the usage chunk and [DONE]
    expect(chunks.every((c) => c.choices.length > 0)).toBe(true);
  });

  it('meters a Responses call that ran two file searches: the tokens and two file search tool calls, to the nano-dollar', async () => {
    const res = await h.client.responses.create({ model: 'gpt-4.1', input: 'What is the refund policy?', tools: [{ type: 'file_search', vector_store_ids: ['vs_1'] }] });
    expect(res.output.filter((item) => item.type === 'file_search_call').map((item) => item.id)).toEqual(['fs_1', 'fs_2']);
    expect(res.output_text).toBe('Returns within 30 days.');
    expect(h.lastRow()).toMatchObject({
      endpoint: 'responses',
      model: 'gpt-4.1-2025-04-14',
      input_tokens: 12_000,
      cached_input_tokens: 4_000,
      output_tokens: 300,
      file_searches: 2,
      web_searches: null,
      cost_nano: FILE_SEARCH_COST_NANO,
      usage_source: 'reported',
      outcome: 'ok',
    });
  });

  it('passes base64 embeddings (the SDK default) through and meters them', async () => {
    // text-embedding-3-large: $0.13 per 1M tokens = 130 nano-USD per token → 23 × 130 = 2,990 nano-USD.
    const res = await h.client.embeddings.create({ model: 'text-embedding-3-large', input: 'The food was delicious.' });
    expect((h.lastUpstream().json as { encoding_format?: string }).encoding_format).toBe('base64');
    expect(res.data[0]?.embedding.length).toBe(8);
    const bytes = Buffer.from((JSON.parse(EMBED_B64) as { data: Array<{ embedding: string }> }).data[0]!.embedding, 'base64');
    const expected = Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4));
    expect(res.data[0]?.embedding).toEqual(expected);
    expect(h.lastRow()).toMatchObject({ endpoint: 'embeddings', model: 'text-embedding-3-large', input_tokens: 23, output_tokens: 0, cost_nano: 2_990 });
  });

  it('records a stream the client abandons mid-way, with estimated usage', async () => {
    const before = h.records.length;
    const controller = new AbortController();
    const stream = await h.client.chat.completions.create(
      { model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'slow' }] },
      { signal: controller.signal },
    );
    let seen = 0;
    // The SDK ends the iteration quietly when its own signal aborts.
    for await (const _chunk of stream) {
      seen++;
      if (seen === 2) controller.abort();
    }
    expect(seen).toBe(2);
    const row = await h.rowAfter(before);
    expect(row).toMatchObject({ outcome: 'client_aborted', streamed: 1, usage_source: 'estimated', model: 'gpt-4o-mini-2024-07-18' });
    expect(Number(row.output_tokens)).toBeGreaterThanOrEqual(2);
    expect(Number(row.output_tokens)).toBeLessThan(12);
    expect(Number(row.cost_nano)).toBeGreaterThan(0);
  });

  it('refuses malformed tags with a 400 that says what is wrong, records it, and never forwards', async () => {
    const seen = h.fake.requests.length;
    const bad = new OpenAI({ apiKey: h.secret, baseURL: h.baseUrl(), maxRetries: 0, defaultHeaders: { 'X-Metering-Tags': '{"feature": {"nested": true}}' } });
    const error = await bad.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as Error).message).toMatch(/X-Metering-Tags/);
    expect((error as Error).message).toMatch(/feature/);
    expect(h.fake.requests.length).toBe(seen);
    expect(h.lastRow()).toMatchObject({ outcome: 'refused', status: 400, cost_nano: 0, key_name: 'test-key' });
  });

  it('answers 401 in OpenAI shape for an unknown key and forwards nothing', async () => {
    const seen = h.fake.requests.length;
    const rows = h.rows().length;
    const stranger = new OpenAI({ apiKey: 'mk_' + 'x'.repeat(32), baseURL: h.baseUrl(), maxRetries: 0 });
    const error = await stranger.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((error as InstanceType<typeof OpenAI.AuthenticationError>).code).toBe('invalid_api_key');
    expect(h.fake.requests.length).toBe(seen);
    expect(h.rows().length).toBe(rows);
  });

  it('forwards unmetered paths and records them at zero cost', async () => {
    const models = await h.client.models.list();
    expect(models.data[0]?.id).toBe('gpt-4o-mini');
    expect(h.lastRow()).toMatchObject({ endpoint: 'other', cost_nano: 0, usage_source: 'not_metered', outcome: 'ok' });
  });

  it('answers 404 in OpenAI shape for an unknown provider', async () => {
    const res = await fetch(`${h.proxy.url}/proxy/nope/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${h.secret}` } });
    expect(res.status).toBe(404);
    const body = (await res.json()) as { error: { message: string } };
    expect(body.error.message).toMatch(/Unknown provider 'nope'/);
  });
});
