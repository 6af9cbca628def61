import { readFileSync } from 'node:fs';
import OpenAI from 'openai';
import { spendReport } from '../../src/report/query.js';
import { readsOf } from '../report/dataset.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sseFrames, type ReceivedRequest, type Reply } from '../support/fake-upstream.js';
import { UPSTREAM_KEY, startHarness, waitFor, type CallRow, type Harness } from '../support/proxy-harness.js';

/** Vendor captures live beside the OpenAI ones (they share its adapter). */
const fixture = (name: string) => readFileSync(new URL(`../fixtures/openai/${name}`, import.meta.url), 'utf8');
const SSE = { 'content-type': 'text/event-stream' };

/** A chat.completion body as OpenAI-compatible vendors send it. */
function chatBody(model: string, usage: Record<string, unknown>, content = 'Paris.'): string {
  const choice = { index: 0, message: { role: 'assistant', content }, logprobs: null, finish_reason: 'stop' };
  return JSON.stringify({ id: `chatcmpl-${model.length}`, object: 'chat.completion', created: 1767226400, model, choices: [choice], usage });
}

const DEEPSEEK_COLD = fixture('deepseek-chat.json').replace('"cached_tokens": 1792', '"cached_tokens": 0').replace('"prompt_cache_hit_tokens": 1792', '"prompt_cache_hit_tokens": 0').replace('"prompt_cache_miss_tokens": 58', '"prompt_cache_miss_tokens": 1850');
const GROQ_CACHED = chatBody('openai/gpt-oss-120b', {
  queue_time: 0.02, prompt_tokens: 2300, prompt_time: 0.01, completion_tokens: 120, completion_time: 0.05, total_tokens: 2420, total_time: 0.06,
  prompt_tokens_details: { cached_tokens: 2048 }, completion_tokens_details: { reasoning_tokens: 40 },
});
const GROQ_429 = '{"error":{"message":"Rate limit reached for model `llama-3.1-8b-instant` in organization `org_01` on tokens per minute (TPM): Limit 6000, Used 5990, Requested 120. Please try again in 1.1s.","type":"tokens","code":"rate_limit_exceeded"}}';
const TOGETHER = chatBody('meta-llama/Llama-3.3-70B-Instruct-Turbo', { prompt_tokens: 42, completion_tokens: 17, total_tokens: 59, cached_tokens: 0 });
const TOGETHER_UNPRICED = chatBody('Qwen/Qwen2.5-72B-Instruct-Turbo', { prompt_tokens: 42, completion_tokens: 17, total_tokens: 59 });
/** Together's stream: usage rides on the finish_reason chunk (choices not empty). */
const TOGETHER_STREAM = [
  ...['Par', 'is', '.'].map((c) => ({ choices: [{ index: 0, text: c, delta: { role: 'assistant', content: c }, finish_reason: null }] })),
  { choices: [{ index: 0, text: '', delta: { role: 'assistant', content: '' }, finish_reason: 'stop' }], usage: { prompt_tokens: 42, completion_tokens: 9, total_tokens: 51 } },
]
  .map((c) => `data: ${JSON.stringify({ id: 'oL4xkbA-6UHjtw-9a1b2c3d4e5f6a7b', object: 'chat.completion.chunk', created: 1767226500, model: 'meta-llama/Llama-3.3-70B-Instruct-Turbo', ...c })}\n\n`)
  .join('')
  .concat('data: [DONE]\n\n');
const AZURE_UNPRICED = chatBody('my-eu-finetune', { prompt_tokens: 300, completion_tokens: 40, total_tokens: 340 });

/** Replies by the requested model, the way each vendor would answer it. */
function reply(req: ReceivedRequest): Reply | undefined {
  const body = req.json as { model?: string; stream?: boolean; messages?: Array<{ content: string }> } | undefined;
  const stream = (text: string): Reply => ({ headers: SSE, body: sseFrames(text), delayMs: 1 });
  const key = `${req.url} ${body?.model}${body?.stream ? ' stream' : ''}`;
  const replies: Record<string, () => Reply> = {
    '/chat/completions llama-3.3-70b-versatile': () => ({ body: fixture('groq-chat.json') }),
    '/chat/completions openai/gpt-oss-20b stream': () => stream(fixture('groq-stream.sse')),
    '/chat/completions openai/gpt-oss-120b': () => ({ body: GROQ_CACHED }),
    '/chat/completions llama-3.1-8b-instant': () => ({ status: 429, headers: { 'retry-after': '2' }, body: GROQ_429 }),
    '/chat/completions deepseek-chat': () => ({ body: body?.messages?.[0]?.content === 'cold' ? DEEPSEEK_COLD : fixture('deepseek-chat.json') }),
    '/chat/completions deepseek-chat stream': () => stream(fixture('deepseek-stream.sse')),
    '/chat/completions anthropic/claude-sonnet-4': () => ({ body: fixture('openrouter-chat.json') }),
    '/chat/completions openai/gpt-4o-mini stream': () => stream(fixture('openrouter-stream.sse')),
    '/chat/completions meta-llama/Llama-3.3-70B-Instruct-Turbo': () => ({ body: TOGETHER }),
    '/chat/completions meta-llama/Llama-3.3-70B-Instruct-Turbo stream': () => stream(TOGETHER_STREAM),
    '/chat/completions Qwen/Qwen2.5-72B-Instruct-Turbo': () => ({ body: TOGETHER_UNPRICED }),
    '/chat/completions grok-4': () => ({ body: fixture('xai-chat.json') }),
    '/azure/v1/chat/completions gpt-4o-mini': () => ({ body: fixture('chat.json') }),
    '/azure/v1/chat/completions my-eu-finetune': () => ({ body: AZURE_UNPRICED }),
  };
  return replies[key]?.();
}

const VENDORS = ['groq', 'deepseek', 'openrouter', 'together', 'xai'];
const configYaml = (url: string) =>
  `providers:\n${VENDORS.map((v) => `  ${v}: { base_url: "${url}", api_key: "${UPSTREAM_KEY}" }\n`).join('')}` +
  `  azure-eu: { kind: openai-compatible, base_url: "${url}/azure/v1", api_key: "${UPSTREAM_KEY}" }\nstore: { flush_interval_ms: 5 }\n`;

// Per-1M prices checked with createPricer().describe(model, provider) on 2026-11-27; n/token = nano-USD per token.
// groq llama-3.3-70b-versatile $0.59/$0.79: 48 × 590 + 3 × 790 = 28,320 + 2,370 = 30,690.
// groq openai/gpt-oss-20b $0.075/$0.30 (stream, x_groq.usage; 18 reasoning inside 25 out): 77 × 75 + 25 × 300 = 5,775 + 7,500 = 13,275.
// groq openai/gpt-oss-120b $0.15/$0.075 cached/$0.60: 252 × 150 + 2048 × 75 + 120 × 600 = 37,800 + 153,600 + 72,000 = 263,400.
// deepseek-chat (override, V3.2) $0.28/$0.028 cached/$0.42 = 280/28/420 n/token:
//   cached: 58 × 280 + 1792 × 28 + 210 × 420 = 16,240 + 50,176 + 88,200 = 154,616;
//   cold:   1850 × 280 + 210 × 420 = 518,000 + 88,200 = 606,200;
//   stream: 16,240 + 50,176 + 6 × 420 = 68,936.
// openrouter anthropic/claude-sonnet-4 $3/$0.30 cached/$3.75 write/$15: 50 uncached × 3,000 + 1800 × 300 + 250 × 3,750
//   + 150 × 15,000 = 150,000 + 540,000 + 937,500 + 2,250,000 = 3,877,500; reported usage.cost $0.0032565 = 3,256,500.
// openrouter openai/gpt-4o-mini $0.15/$0.60: 14 × 150 + 4 × 600 = 4,500; reported $0.0000045 = 4,500.
// together meta-llama/Llama-3.3-70B-Instruct-Turbo $0.88/$0.88: (42 + 17) × 880 = 51,920; stream (42 + 9) × 880 = 44,880.
// xai grok-4-0709 $3/$0.75 cached/$15; reasoning is on top of completion_tokens (47 + 251 = 298 out):
//   72 × 3,000 + 640 × 750 + 298 × 15,000 = 216,000 + 480,000 + 4,470,000 = 5,166,000; 46,395,000 ticks / 10 = 4,639,500.
// azure-eu gpt-4o-mini (priced by model name) $0.15/$0.075/$0.60: 226 × 150 + 1024 × 75 + 9 × 600 = 116,100.

describe('OpenAI-compatible vendors through the openai SDK', () => {
  let h: Harness;
  const sdk = (provider: string, apiKey?: string) => new OpenAI({ apiKey: apiKey ?? h.secret, baseURL: h.baseUrl(provider), maxRetries: 0 });
  const ask = (provider: string, model: string, content = 'capital of France?') => sdk(provider).chat.completions.create({ model, messages: [{ role: 'user', content }] });
  const lastRow = (): CallRow => h.rows().at(-1) as CallRow;
  const lastSent = () => (h.fake.requests.at(-1) as ReceivedRequest).json as Record<string, unknown>;

  /** Streams one chat through the SDK; returns the chunks and waits for the call's row. */
  async function streamChat(provider: string, model: string) {
    const before = h.records.length;
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of await sdk(provider).chat.completions.create({ model, stream: true, messages: [{ role: 'user', content: 'hi' }] })) chunks.push(chunk);
    await waitFor(() => h.records.length > before, 5000, `${provider} stream record`);
    return chunks;
  }

  beforeAll(async () => {
    h = await startHarness({ upstream: { reply }, configYaml });
  });
  afterAll(async () => {
    await h.close();
  });

  it('groq: non-streamed chat', async () => {
    expect((await ask('groq', 'llama-3.3-70b-versatile')).choices[0]?.message.content).toBe('Paris.');
    expect(lastRow()).toMatchObject({ provider: 'groq', model: 'llama-3.3-70b-versatile', input_tokens: 48, output_tokens: 3, cost_nano: 30_690, service_tier: 'on_demand', usage_source: 'reported' });
  });

  it('groq: streamed usage from x_groq.usage, with no stream_options injected', async () => {
    const chunks = await streamChat('groq', 'openai/gpt-oss-20b');
    expect(chunks.length).toBe(sseFrames(fixture('groq-stream.sse')).length - 1);
    expect(lastSent().stream_options).toBeUndefined();
    expect(lastRow()).toMatchObject({ streamed: 1, input_tokens: 77, output_tokens: 25, reasoning_tokens: 18, cost_nano: 13_275 });
  });

  it('groq: cached prompt tokens at the cached rate', async () => {
    await ask('groq', 'openai/gpt-oss-120b');
    expect(lastRow()).toMatchObject({ input_tokens: 2300, cached_input_tokens: 2048, output_tokens: 120, reasoning_tokens: 40, cost_nano: 263_400 });
  });

  it('groq: an upstream 429 reaches the SDK unchanged as RateLimitError', async () => {
    const error = await ask('groq', 'llama-3.1-8b-instant').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    const e = error as InstanceType<typeof OpenAI.RateLimitError>;
    expect(e.message).toBe(`429 ${(JSON.parse(GROQ_429) as { error: { message: string } }).error.message}`);
    expect(e.code).toBe('rate_limit_exceeded');
    expect(e.headers?.get('retry-after')).toBe('2');
    expect(lastRow()).toMatchObject({ provider: 'groq', status: 429, outcome: 'upstream_error', cost_nano: 0 });
  });

  it('deepseek: prompt_cache_hit_tokens, cached and cold', async () => {
    await ask('deepseek', 'deepseek-chat');
    expect(lastRow()).toMatchObject({ provider: 'deepseek', input_tokens: 1850, cached_input_tokens: 1792, output_tokens: 210, cost_nano: 154_616, price_source: 'override' });
    await ask('deepseek', 'deepseek-chat', 'cold');
    expect(lastRow()).toMatchObject({ input_tokens: 1850, cached_input_tokens: 0, output_tokens: 210, cost_nano: 606_200 });
  });

  it('deepseek: stream usage on a chunk that still has choices is read, and removed from that chunk for a client that did not ask', async () => {
    const chunks = await streamChat('deepseek', 'deepseek-chat');
    expect(lastSent().stream_options).toEqual({ include_usage: true });
    expect(chunks.length).toBe(sseFrames(fixture('deepseek-stream.sse')).length - 1);
    expect(chunks.at(-1)?.choices.length).toBe(1);
    expect(chunks.at(-1)?.usage).toBeUndefined();
    expect(lastRow()).toMatchObject({ streamed: 1, cached_input_tokens: 1792, output_tokens: 6, cost_nano: 68_936 });
  });

  it('openrouter: stores the computed cost and the cost OpenRouter reported', async () => {
    await ask('openrouter', 'anthropic/claude-sonnet-4');
    expect(lastRow()).toMatchObject({ provider: 'openrouter', model: 'anthropic/claude-sonnet-4', cached_input_tokens: 1800, cache_write_5m_tokens: 250, cost_nano: 3_877_500, provider_cost_nano: 3_256_500 });
    const chunks = await streamChat('openrouter', 'openai/gpt-4o-mini');
    expect(lastSent().stream_options).toBeUndefined();
    expect(chunks.at(-1)?.choices).toEqual([]);
    expect(lastRow()).toMatchObject({ streamed: 1, input_tokens: 14, output_tokens: 4, cost_nano: 4_500, provider_cost_nano: 4_500 });
  });

  it('together: priced, streamed with injected usage, and an unknown model recorded unpriced (NULL, not 0)', async () => {
    await ask('together', 'meta-llama/Llama-3.3-70B-Instruct-Turbo');
    expect(lastRow()).toMatchObject({ provider: 'together', input_tokens: 42, output_tokens: 17, cost_nano: 51_920 });
    const chunks = await streamChat('together', 'meta-llama/Llama-3.3-70B-Instruct-Turbo');
    expect(lastSent().stream_options).toEqual({ include_usage: true });
    expect(chunks.map((c) => c.choices[0]?.delta.content).join('')).toBe('Paris.');
    expect(lastRow()).toMatchObject({ streamed: 1, input_tokens: 42, output_tokens: 9, cost_nano: 44_880 });
    await ask('together', 'Qwen/Qwen2.5-72B-Instruct-Turbo');
    expect(lastRow()).toMatchObject({ model: 'Qwen/Qwen2.5-72B-Instruct-Turbo', input_tokens: 42, output_tokens: 17, cost_nano: null, price_source: null, usage_source: 'reported' });
  });

  it('xai: cost_in_usd_ticks stored as the provider cost beside the computed one', async () => {
    await ask('xai', 'grok-4');
    expect(lastRow()).toMatchObject({ provider: 'xai', model_requested: 'grok-4', model: 'grok-4-0709', input_tokens: 712, cached_input_tokens: 640, output_tokens: 298, reasoning_tokens: 251, cost_nano: 5_166_000, provider_cost_nano: 4_639_500 });
  });

  it('a provider declared in config (kind: openai-compatible) keeps its base URL path and is priced by model', async () => {
    await ask('azure-eu', 'gpt-4o-mini');
    expect(h.fake.requests.at(-1)?.url).toBe('/azure/v1/chat/completions');
    expect(lastRow()).toMatchObject({ provider: 'azure-eu', endpoint: 'chat.completions', model: 'gpt-4o-mini-2024-07-18', cached_input_tokens: 1024, cost_nano: 116_100 });
    await ask('azure-eu', 'my-eu-finetune');
    expect(lastRow()).toMatchObject({ provider: 'azure-eu', model: 'my-eu-finetune', input_tokens: 300, output_tokens: 40, cost_nano: null, usage_source: 'reported' });
  });

  it('an unknown metering key gets the OpenAI-shaped 401 from every vendor, and nothing is forwarded', async () => {
    const seen = h.fake.requests.length;
    for (const provider of [...VENDORS, 'azure-eu']) {
      const error = await sdk(provider, `mk_${'y'.repeat(32)}`).chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
      expect(error, provider).toBeInstanceOf(OpenAI.AuthenticationError);
      expect((error as Error).message).toMatch(/Invalid or revoked metering key/);
    }
    expect(h.fake.requests.length).toBe(seen);
    expect(h.fake.problems).toEqual([]);
  });
});

/** One call of the report scenario: sent with `x-case: <index>` so the fake knows what to answer. */
interface ReportCase {
  provider: string;
  path: string;
  model: string;
  reply: string;
}

const mistral = (name: string) => readFileSync(new URL(`../fixtures/mistral/${name}`, import.meta.url), 'utf8');
const cohere = (name: string) => readFileSync(new URL(`../fixtures/cohere/${name}`, import.meta.url), 'utf8');
const REPORT_CASES: ReportCase[] = [
  { provider: 'mistral', path: '/v1/chat/completions', model: 'mistral-large-latest', reply: mistral('chat.json') },
  { provider: 'mistral', path: '/v1/chat/completions', model: 'mistral-large-latest', reply: mistral('chat-cached.json') },
  { provider: 'mistral', path: '/v1/embeddings', model: 'mistral-embed', reply: mistral('embeddings.json') },
  { provider: 'cohere', path: '/v2/chat', model: 'command-a-03-2025', reply: cohere('chat.json') },
  { provider: 'cohere', path: '/v2/embed', model: 'embed-v4.0', reply: cohere('embed.json') },
  { provider: 'groq', path: '/chat/completions', model: 'llama-3.3-70b-versatile', reply: fixture('groq-chat.json') },
  { provider: 'deepseek', path: '/chat/completions', model: 'deepseek-chat', reply: fixture('deepseek-chat.json') },
  { provider: 'openrouter', path: '/chat/completions', model: 'anthropic/claude-sonnet-4', reply: fixture('openrouter-chat.json') },
  { provider: 'together', path: '/chat/completions', model: 'Qwen/Qwen2.5-72B-Instruct-Turbo', reply: TOGETHER_UNPRICED },
  { provider: 'xai', path: '/chat/completions', model: 'grok-4', reply: fixture('xai-chat.json') },
  { provider: 'azure-eu', path: '/chat/completions', model: 'gpt-4o-mini', reply: fixture('chat.json') },
];

// Per provider, summing the per-call costs worked out above and in mistral-sdk / cohere-sdk tests:
//   mistral    606,500 + 104,600 + 1,500 = 712,600 (3 calls; in 1180 + 1180 + 15 = 2375; out 11 + 22 = 33; cached 1152)
//   cohere     192,500 + 240 = 192,740 (2 calls; in 5 + 2 = 7; out 18)
//   groq 30,690 · deepseek 154,616 · openrouter 3,877,500 · xai 5,166,000 · azure-eu 116,100 (1 call each)
//   together   0: its one call is unpriced (cost NULL adds nothing, counted in unpricedCalls)
//   total      712,600 + 192,740 + 30,690 + 154,616 + 3,877,500 + 0 + 5,166,000 + 116,100 = 10,250,246 over 11 calls
const EXPECTED_BY_PROVIDER = {
  mistral: { costNano: 712_600, calls: 3, unpricedCalls: 0, inputTokens: 2375, outputTokens: 33, cachedInputTokens: 1152 },
  cohere: { costNano: 192_740, calls: 2, unpricedCalls: 0, inputTokens: 7, outputTokens: 18, cachedInputTokens: 0 },
  groq: { costNano: 30_690, calls: 1, unpricedCalls: 0, inputTokens: 48, outputTokens: 3, cachedInputTokens: 0 },
  deepseek: { costNano: 154_616, calls: 1, unpricedCalls: 0, inputTokens: 1850, outputTokens: 210, cachedInputTokens: 1792 },
  openrouter: { costNano: 3_877_500, calls: 1, unpricedCalls: 0, inputTokens: 2100, outputTokens: 150, cachedInputTokens: 1800 },
  together: { costNano: 0, calls: 1, unpricedCalls: 1, inputTokens: 42, outputTokens: 17, cachedInputTokens: 0 },
  xai: { costNano: 5_166_000, calls: 1, unpricedCalls: 0, inputTokens: 712, outputTokens: 298, cachedInputTokens: 640 },
  'azure-eu': { costNano: 116_100, calls: 1, unpricedCalls: 0, inputTokens: 1250, outputTokens: 9, cachedInputTokens: 1024 },
};

describe('report --by provider across provider families', () => {
  let h: Harness;
  beforeAll(async () => {
    const all = (url: string) =>
      configYaml(url).replace('store:', `  mistral: { base_url: "${url}", api_key: "${UPSTREAM_KEY}" }\n  cohere: { base_url: "${url}", api_key: "${UPSTREAM_KEY}" }\nstore:`);
    h = await startHarness({ upstream: { reply: (req) => ({ body: REPORT_CASES[Number(req.headers['x-case'])]?.reply ?? '' }) }, configYaml: all });
  });
  afterAll(async () => {
    await h.close();
  });

  it('sums each provider to the hand-computed nano-dollars', async () => {
    const since = Date.now() - 1000;
    for (const [i, c] of REPORT_CASES.entries()) {
      const res = await fetch(`${h.baseUrl(c.provider)}${c.path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${h.secret}`, 'content-type': 'application/json', 'x-case': String(i) },
        body: JSON.stringify({ model: c.model, messages: [{ role: 'user', content: 'hi' }], input: ['hi'] }),
      });
      expect(res.status, `${c.provider} ${c.model}`).toBe(200);
      expect(await res.text()).toBe(c.reply);
    }
    expect(h.rows().length).toBe(REPORT_CASES.length);
    const report = await spendReport(readsOf(h.driver), { since, until: Date.now() + 1000, by: ['provider'], where: [], timeZone: 'UTC' });
    const byProvider = Object.fromEntries(
      report.rows.map((r) => [r.group.provider, { costNano: r.costNano, calls: r.calls, unpricedCalls: r.unpricedCalls, inputTokens: r.inputTokens, outputTokens: r.outputTokens, cachedInputTokens: r.cachedInputTokens }]),
    );
    expect(byProvider).toEqual(EXPECTED_BY_PROVIDER);
    expect(report.total).toMatchObject({ costNano: 10_250_246, calls: 11, unpricedCalls: 1 });
    expect(report.rows[0]?.group.provider).toBe('xai');
    expect(report.unpriced).toEqual([{ model: 'Qwen/Qwen2.5-72B-Instruct-Turbo', calls: 1, provider: 'together' }]);
    expect(h.fake.problems).toEqual([]);
  });
});
