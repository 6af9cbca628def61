import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { newMeteringKey } from '../../src/lib/ids.js';
import { createPricer } from '../../src/pricing/pricer.js';
import { sseFrames, type ReceivedRequest, type Reply } from '../support/fake-upstream.js';
import { UPSTREAM_KEY } from '../support/proxy-harness.js';
import { cappedKeyGate, fixture, sdkHarness, sseReply, errorOfStream } from './sdk-harness.js';

const CACHE_5M = fixture('anthropic', 'messages-cache-write-5m.json');
const STREAM_WEB = fixture('anthropic', 'messages-stream-web-search.sse');
const STREAM_UNCACHED = fixture('anthropic', 'messages-stream-uncached.sse');
const OVERLOADED = fixture('anthropic', 'error-529.json');
const RATE_LIMITED = fixture('anthropic', 'error-429.json');

const stream = (text: string): Reply => sseReply(text, { contentType: 'text/event-stream; charset=utf-8' });

/** Scripted replies of the fake Anthropic API, picked by the first user message. */
const SCRIPT: Readonly<Record<string, Reply>> = {
  'cache-5m': { body: CACHE_5M },
  'cache-1h': { body: fixture('anthropic', 'messages-cache-write-1h.json') },
  'cache-read': { body: fixture('anthropic', 'messages-cache-read.json') },
  thinking: { body: fixture('anthropic', 'messages-thinking.json') },
  'stream-web': stream(STREAM_WEB),
  'stream-uncached': stream(STREAM_UNCACHED),
  'stream-error': stream(fixture('anthropic', 'messages-stream-error.sse')),
  overloaded: { status: 529, body: OVERLOADED, headers: { 'request-id': 'req_011CSHoEeqs5C35K2UUqR7Fy' } },
  'rate-limited': { status: 429, body: RATE_LIMITED, headers: { 'retry-after': '30' } },
};

function reply(req: ReceivedRequest): Reply | undefined {
  if (req.method !== 'POST') return undefined;
  if (req.url === '/v1/messages/count_tokens') return { body: fixture('anthropic', 'count-tokens.json') };
  const scenario = (req.json as { messages?: Array<{ content: unknown }> } | undefined)?.messages?.[0]?.content;
  return req.url === '/v1/messages' && typeof scenario === 'string' ? SCRIPT[scenario] : undefined;
}

// claude-sonnet-4-5 per 1M tokens: input $3, cache write 5m $3.75, cache write 1h $6, cache read $0.30,
// output $15 → 3,000 / 3,750 / 6,000 / 300 / 15,000 nano-USD per token (checked against the pricer below).
// claude-haiku-4-5: input $1, output $5 → 1,000 / 5,000 nano-USD per token.
const COST = {
  // 21 × 3,000 = 63,000;  1,800 × 3,750 = 6,750,000;  12 × 15,000 = 180,000  → 6,993,000
  cache5m: 6_993_000,
  // 34 × 3,000 = 102,000;  1,024 × 3,750 = 3,840,000;  3,072 × 6,000 = 18,432,000;  85 × 15,000 = 1,275,000  → 23,649,000
  cache1h: 23_649_000,
  // 12 × 3,000 = 36,000;  4,096 × 300 = 1,228,800;  64 × 15,000 = 960,000  → 2,224,800
  cacheRead: 2_224_800,
  // 156 × 3,000 = 468,000;  1,432 × 15,000 = 21,480,000 (the 1,210 thinking tokens are inside)  → 21,948,000
  thinking: 21_948_000,
  // Last message_delta: 1,310 × 3,000 = 3,930,000;  2,048 read × 300 = 614,400;  512 written (1h, from
  // message_start) × 6,000 = 3,072,000;  143 × 15,000 = 2,145,000;  1 web search ($10 per 1,000)
  // = 10,000,000  → 19,761,400
  streamWeb: 19_761_400,
  // haiku: 25 × 1,000 = 25,000;  15 × 5,000 = 75,000  → 100,000
  streamUncached: 100_000,
  // Cut by an error after message_start and one delta, "Once upon" (9 characters: ceil(9 / 4) = 3
  // output tokens, estimated): 300 × 3,000 = 900,000;  3 × 15,000 = 45,000  → 945,000
  streamError: 945_000,
};

const tags = { feature: 'contract-review', user_tier: 'pro', tenant_id: 't_0042' };

describe('Anthropic SDK through tokometer (Node edges, better-sqlite3)', () => {
  let capped = '';
  const haikuOnly = newMeteringKey();

  beforeAll(() => {
    // The SDK warns on every call that claude-sonnet-4-5 nears end-of-life; the prices under
    // test are that model's, so only that warning is silenced.
    const warn = console.warn.bind(console);
    vi.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => {
      if (!String(args[0]).includes('is deprecated and will reach end-of-life')) warn(...args);
    });
  });
  afterAll(() => {
    vi.restoreAllMocks();
  });
  const h = sdkHarness(
    {
      provider: 'anthropic',
      upstream: { reply, authHeader: 'x-api-key' },
      configYaml: (url) =>
        [
          `providers:\n  anthropic: { base_url: "${url}", api_key: "${UPSTREAM_KEY}" }`,
          'keys:',
          '  haiku-only: { models: [claude-haiku-4-5], secret_env: HAIKU_KEY }',
          'store: { flush_interval_ms: 5 }',
          '',
        ].join('\n'),
      // No budget ledger: key 'capped' is refused as the ledger would once $0.006993 of its $0.001 daily budget is spent.
      overrides: { env: { HAIKU_KEY: haikuOnly }, budgets: () => cappedKeyGate({ spentNano: 6_993_000, estimateNano: 15_400_000, resetInMs: 3_600_000 }) },
    },
    (started) => new Anthropic({ apiKey: started.secret, baseURL: started.baseUrl('anthropic'), maxRetries: 0, defaultHeaders: { 'X-Metering-Tags': JSON.stringify(tags) } }),
  );
  beforeAll(async () => {
    capped = await h.createKey('capped');
  });

  const ask = (content: string, extra: Partial<Anthropic.MessageCreateParamsNonStreaming> = {}) =>
    h.client.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 1024, messages: [{ role: 'user', content }], ...extra });

  it('uses the catalog prices the hand computations rely on', () => {
    const at = Date.now();
    expect(createPricer().describe('claude-sonnet-4-5-20250929', 'anthropic', at)?.rates).toMatchObject({ input: 3, cacheWrite: 3.75, cacheWrite1h: 6, cachedInput: 0.3, output: 15 });
    expect(createPricer().describe('claude-haiku-4-5-20251001', 'anthropic', at)?.rates).toMatchObject({ input: 1, output: 5 });
  });

  it('meters a non-streamed message with a 5-minute cache write to the nano-dollar', async () => {
    const before = h.records.length;
    const res = await ask('cache-5m');
    expect(res.content[0]).toEqual({ type: 'text', text: 'Paris is the capital of France.' });
    expect(res.usage).toEqual((JSON.parse(CACHE_5M) as { usage: unknown }).usage);
    const row = await h.rowAfter(before);
    expect(row).toMatchObject({
      provider: 'anthropic',
      endpoint: 'messages',
      model_requested: 'claude-sonnet-4-5',
      model: 'claude-sonnet-4-5-20250929',
      status: 200,
      outcome: 'ok',
      streamed: 0,
      input_tokens: 1821,
      cached_input_tokens: 0,
      cache_write_5m_tokens: 1800,
      cache_write_1h_tokens: 0,
      output_tokens: 12,
      cost_nano: COST.cache5m,
      usage_source: 'reported',
      service_tier: 'standard',
      max_output_tokens: 1024,
      key_name: 'test-key',
    });
    expect(row.tags).toEqual(tags);
    const upstream = h.lastUpstream();
    expect(upstream.headers['x-api-key']).toBe(UPSTREAM_KEY);
    expect(upstream.headers.authorization).toBeUndefined();
    expect(upstream.headers['anthropic-version']).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(upstream.headers['x-metering-tags']).toBeUndefined();
    expect(h.fake.problems).toEqual([]);
  });

  it('splits 5m and 1h cache writes and passes anthropic-beta through', async () => {
    const before = h.records.length;
    await ask('cache-1h');
    expect(await h.rowAfter(before)).toMatchObject({ input_tokens: 4130, cache_write_5m_tokens: 1024, cache_write_1h_tokens: 3072, output_tokens: 85, cost_nano: COST.cache1h });
    const beta = await h.client.messages.create(
      { model: 'claude-sonnet-4-5', max_tokens: 1024, messages: [{ role: 'user', content: 'cache-1h' }] },
      { headers: { 'anthropic-beta': 'extended-cache-ttl-2025-04-11' } },
    );
    expect(beta.usage.cache_creation?.ephemeral_1h_input_tokens).toBe(3072);
    expect(h.lastUpstream().headers['anthropic-beta']).toBe('extended-cache-ttl-2025-04-11');
  });

  it('prices cache reads at the cache-read rate, not as full input', async () => {
    const before = h.records.length;
    await ask('cache-read');
    expect(await h.rowAfter(before)).toMatchObject({ input_tokens: 4108, cached_input_tokens: 4096, cache_write_5m_tokens: 0, output_tokens: 64, cost_nano: COST.cacheRead });
  });

  it('meters an uncached call with thinking (reasoning inside output)', async () => {
    const before = h.records.length;
    const res = await ask('thinking', { thinking: { type: 'enabled', budget_tokens: 2048 }, max_tokens: 4096 });
    expect(res.content.map((b) => b.type)).toEqual(['thinking', 'text']);
    expect(await h.rowAfter(before)).toMatchObject({ input_tokens: 156, cached_input_tokens: 0, output_tokens: 1432, reasoning_tokens: 1210, cost_nano: COST.thinking, max_output_tokens: 4096 });
  });

  it('streams through the SDK: every event arrives, pings skipped by the SDK, cumulative deltas metered once', async () => {
    const before = h.records.length;
    const events: unknown[] = [];
    const stream = await h.client.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 1024, stream: true, messages: [{ role: 'user', content: 'stream-web' }] });
    for await (const event of stream) events.push(event);
    const expected = sseFrames(STREAM_WEB)
      .filter((f) => !f.startsWith('event: ping'))
      .map((f) => JSON.parse(f.slice(f.indexOf('data: ') + 6)));
    expect(events).toEqual(expected);
    const row = await h.rowAfter(before);
    expect(row).toMatchObject({
      streamed: 1,
      model: 'claude-sonnet-4-5-20250929',
      input_tokens: 3870,
      cached_input_tokens: 2048,
      cache_write_5m_tokens: 0,
      cache_write_1h_tokens: 512,
      output_tokens: 143,
      web_searches: 1,
      cost_nano: COST.streamWeb,
      usage_source: 'reported',
      outcome: 'ok',
    });
  });

  it('the MessageStream helper sees the same final usage the proxy stored', async () => {
    const before = h.records.length;
    const final = await h.client.messages.stream({ model: 'claude-sonnet-4-5', max_tokens: 1024, messages: [{ role: 'user', content: 'stream-web' }] }).finalMessage();
    expect(final.usage).toMatchObject({ input_tokens: 1310, cache_read_input_tokens: 2048, cache_creation_input_tokens: 512, output_tokens: 143 });
    expect(await h.rowAfter(before)).toMatchObject({ input_tokens: 1310 + 2048 + 512, output_tokens: 143, cost_nano: COST.streamWeb });
  });

  it('relays the raw stream byte for byte (event: lines and pings included) with an x-api-key client', async () => {
    const before = h.records.length;
    const res = await fetch(`${h.baseUrl('anthropic')}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': h.secret, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'claude-haiku-4-5', max_tokens: 256, stream: true, messages: [{ role: 'user', content: 'stream-uncached' }] }),
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(STREAM_UNCACHED);
    expect(h.lastUpstream().headers).toMatchObject({ 'x-api-key': UPSTREAM_KEY, 'anthropic-version': '2023-06-01' });
    expect(await h.rowAfter(before)).toMatchObject({ streamed: 1, model: 'claude-haiku-4-5-20251001', input_tokens: 25, output_tokens: 15, cost_nano: COST.streamUncached });
  });

  it('a mid-stream error event reaches the SDK as an APIError; the usage seen so far is billed', async () => {
    const before = h.records.length;
    const stream = await h.client.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 1024, stream: true, messages: [{ role: 'user', content: 'stream-error' }] });
    const error = await errorOfStream(stream);
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect((error as InstanceType<typeof Anthropic.APIError>).type).toBe('overloaded_error');
    expect(await h.rowAfter(before)).toMatchObject({ streamed: 1, input_tokens: 300, output_tokens: 3, usage_source: 'estimated', cost_nano: COST.streamError });
  });

  it('answers an unknown key with AuthenticationError in Anthropic shape and forwards nothing', async () => {
    const seen = h.fake.requests.length;
    const rows = h.rows().length;
    const stranger = new Anthropic({ apiKey: `mk_${'x'.repeat(32)}`, baseURL: h.baseUrl('anthropic'), maxRetries: 0 });
    const error = await stranger.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 16, messages: [{ role: 'user', content: 'cache-5m' }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.AuthenticationError);
    const auth = error as InstanceType<typeof Anthropic.AuthenticationError>;
    expect(auth.status).toBe(401);
    expect(auth.type).toBe('authentication_error');
    expect(auth.message).toMatch(/Invalid or revoked metering key/);
    expect(auth.requestID).toMatch(/^req_tokometer_/);
    expect(h.fake.requests.length).toBe(seen);
    expect(h.rows().length).toBe(rows);
  });

  it('refuses a call over budget with RateLimitError that the SDK does not retry', async () => {
    // Default retries: x-should-retry: false must stop them.
    const cappedClient = new Anthropic({ apiKey: capped, baseURL: h.baseUrl('anthropic') });
    const seen = h.fake.requests.length;
    const before = h.records.length;
    const error = await cappedClient.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 1024, messages: [{ role: 'user', content: 'cache-5m' }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.RateLimitError);
    const limited = error as InstanceType<typeof Anthropic.RateLimitError>;
    expect(limited.type).toBe('rate_limit_error');
    expect(limited.message).toMatch(/Budget 'capped' exhausted: \$0\.00699 of \$0\.001 used today/);
    expect(limited.headers?.get('x-should-retry')).toBe('false');
    expect(limited.headers?.get('retry-after')).toBe('3600');
    expect((limited.error as { error: { budget?: { name: string } } }).error.budget?.name).toBe('capped');
    expect(h.fake.requests.length).toBe(seen);
    const row = await h.rowAfter(before);
    expect(h.records.length).toBe(before + 1);
    expect(row).toMatchObject({ key_name: 'capped', outcome: 'refused', status: 429, cost_nano: 0 });
  });

  it('refuses a model outside the key allow-list with PermissionDeniedError', async () => {
    const limited = new Anthropic({ apiKey: haikuOnly, baseURL: h.baseUrl('anthropic'), maxRetries: 0 });
    const error = await limited.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 16, messages: [{ role: 'user', content: 'cache-5m' }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.PermissionDeniedError);
    expect((error as Error).message).toMatch(/may not use model 'claude-sonnet-4-5'/);
  });

  it('passes an upstream 529 overloaded error through unchanged', async () => {
    const before = h.records.length;
    const error = await ask('overloaded').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.OverloadedError);
    const overloaded = error as InstanceType<typeof Anthropic.OverloadedError>;
    expect(overloaded.status).toBe(529);
    expect(overloaded.error).toEqual(JSON.parse(OVERLOADED));
    expect(overloaded.requestID).toBe('req_011CSHoEeqs5C35K2UUqR7Fy');
    expect(await h.rowAfter(before)).toMatchObject({ status: 529, outcome: 'upstream_error', cost_nano: 0, usage_source: 'not_metered' });
  });

  it('passes an upstream 429 through with its body and retry-after', async () => {
    const error = await ask('rate-limited').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.RateLimitError);
    const limited = error as InstanceType<typeof Anthropic.RateLimitError>;
    expect(limited.error).toEqual(JSON.parse(RATE_LIMITED));
    expect(limited.headers?.get('retry-after')).toBe('30');
  });

  it('forwards count_tokens unmetered and records it at zero cost', async () => {
    const before = h.records.length;
    const counted = await h.client.messages.countTokens({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'how many?' }] });
    expect(counted.input_tokens).toBe(2095);
    expect(await h.rowAfter(before)).toMatchObject({ endpoint: 'messages.count_tokens', cost_nano: 0, usage_source: 'not_metered', outcome: 'ok' });
    expect(h.fake.problems).toEqual([]);
  });
});
