import OpenAI, { AzureOpenAI } from 'openai';
import { describe, expect, it } from 'vitest';
import type { ReceivedRequest, Reply } from '../support/fake-upstream.js';
import { UPSTREAM_KEY, type Harness } from '../support/proxy-harness.js';
import { sdkHarness } from './sdk-harness.js';

/**
 * Azure OpenAI through an openai-compatible provider, driven by the openai SDK's AzureOpenAI
 * client (PROVIDERS.md §2.6): it sends its key as `api-key`, adds `?api-version=`, and calls
 * `/deployments/{deployment}/chat/completions`, where the deployment, not the body's `model`,
 * picks the model; the answer's `model` names the one that ran. Before, such calls were
 * recorded as endpoint `other` at $0 (no stream usage asked for, no budget, no allow-list),
 * and the client's `api-key` was not read as a metering key at all.
 */

const API_VERSION = '2024-10-21';
/** The model Azure answers with for every deployment here. */
const ANSWERED = 'gpt-4o-2024-08-06';
const USAGE = { prompt_tokens: 300, completion_tokens: 50, total_tokens: 350 };
// gpt-4o $2.50 / $10 per 1M: 300 × 2,500 + 50 × 10,000 = 750,000 + 500,000 nano-USD ($0.00125, above a $0.001 cap).
const COST_NANO = 1_250_000;

/** Answers a chat as Azure does: the underlying model, and stream usage only when asked for. */
function reply(req: ReceivedRequest): Reply | undefined {
  if (!req.url.includes('/chat/completions')) return undefined;
  const body = req.json as { stream?: boolean; stream_options?: { include_usage?: boolean } };
  const base = { id: 'chatcmpl-az1', created: 1767225600, model: ANSWERED, system_fingerprint: 'fp_az' };
  if (body.stream !== true) {
    const choice = { index: 0, message: { role: 'assistant', content: 'Paris.' }, finish_reason: 'stop' };
    return { body: JSON.stringify({ ...base, object: 'chat.completion', choices: [choice], usage: USAGE }) };
  }
  const chunk = (extra: object) => `data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', ...extra })}\n\n`;
  const frames = [
    chunk({ choices: [{ index: 0, delta: { role: 'assistant', content: 'Par' }, finish_reason: null }] }),
    chunk({ choices: [{ index: 0, delta: { content: 'is.' }, finish_reason: null }] }),
    chunk({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }),
    ...(body.stream_options?.include_usage === true ? [chunk({ choices: [], usage: USAGE })] : []),
    'data: [DONE]\n\n',
  ];
  return { headers: { 'content-type': 'text/event-stream' }, body: frames, delayMs: 1 };
}

const KEYS = [
  'keys:',
  '  capped: { budget: { limit_usd: 0.001, period: day } }',
  '  mini-only: { models: [gpt-4o-mini] }',
  '  gpt4o-only: { models: [gpt-4o] }',
  '  by-deployment: { models: [prod-gpt4o] }',
].join('\n');

/** An AzureOpenAI client on the proxy's `provider`, for `deployment`, with metering key `secret`. */
function azure(h: Harness, secret: string, deployment: string, provider = 'azure'): AzureOpenAI {
  return new AzureOpenAI({ baseURL: h.baseUrl(provider), apiKey: secret, apiVersion: API_VERSION, deployment, maxRetries: 0 });
}

/** A chat naming no model: Azure needs none, the deployment picks it. */
const NO_MODEL = { model: '', messages: [{ role: 'user' as const, content: 'capital of France?' }] };

async function errorOf(p: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  return (await p.then(
    () => undefined,
    (e: unknown) => e,
  )) as InstanceType<typeof OpenAI.APIError>;
}

describe('the AzureOpenAI client through an openai-compatible provider (upstream key sent as Authorization: Bearer)', () => {
  const h = sdkHarness(
    {
      upstream: { reply },
      configYaml: (url) => `providers:\n  azure: { kind: openai-compatible, base_url: "${url}/openai", api_key: "${UPSTREAM_KEY}" }\n${KEYS}\nstore: { flush_interval_ms: 5 }\n`,
    },
    (started) => azure(started, started.secret, 'prod-gpt4o'),
  );

  it('meters a JSON chat on a deployment path: endpoint chat.completions, priced as the model the answer names; the metering key came as api-key and never reached the provider', async () => {
    const before = h.records.length;
    const answer = await h.client.chat.completions.create(NO_MODEL);
    expect(answer.choices[0]?.message.content).toBe('Paris.');
    expect(h.lastUpstream().url).toBe(`/openai/deployments/prod-gpt4o/chat/completions?api-version=${API_VERSION}`);
    expect(await h.rowAfter(before)).toMatchObject({
      provider: 'azure',
      endpoint: 'chat.completions',
      model_requested: 'prod-gpt4o',
      model: ANSWERED,
      input_tokens: 300,
      output_tokens: 50,
      cost_nano: COST_NANO,
      usage_source: 'reported',
    });
    expect(h.fake.problems).toEqual([]);
  });

  it('asks for stream usage on a deployment path and strips the usage chunk from what the client sees', async () => {
    const before = h.records.length;
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of await h.client.chat.completions.create({ ...NO_MODEL, stream: true })) chunks.push(chunk);
    expect((h.lastUpstream().json as { stream_options?: unknown }).stream_options).toEqual({ include_usage: true });
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('Paris.');
    expect(chunks.some((c) => c.usage !== undefined && c.usage !== null)).toBe(false);
    expect(await h.rowAfter(before)).toMatchObject({ endpoint: 'chat.completions', streamed: 1, model: ANSWERED, input_tokens: 300, output_tokens: 50, cost_nano: COST_NANO });
  });

  it('counts deployment calls against a key budget: a $0.001 daily cap refuses the call after the first', async () => {
    const client = azure(h, await h.createKey('capped'), 'prod-gpt4o');
    await client.chat.completions.create(NO_MODEL);
    const sent = h.fake.requests.length;
    const refused = await errorOf(client.chat.completions.create(NO_MODEL));
    expect(refused).toBeInstanceOf(OpenAI.RateLimitError);
    expect(refused.message).toMatch(/^429 Budget 'capped' exhausted/);
    expect(h.fake.requests.length).toBe(sent);
  });

  it("refuses a key with a model allow-list a deployment whose model it cannot know before forwarding (403 saying what to do), whatever the body's model says", async () => {
    const client = azure(h, await h.createKey('mini-only'), 'big-gpt4o');
    const sent = h.fake.requests.length;
    for (const body of [NO_MODEL, { ...NO_MODEL, model: 'gpt-4o-mini' }]) {
      const refused = await errorOf(client.chat.completions.create(body));
      expect(refused).toBeInstanceOf(OpenAI.PermissionDeniedError);
      expect(refused.message).toMatch(/deployment 'big-gpt4o'/);
      expect(refused.message).toMatch(/providers\.azure\.deployments/);
    }
    expect(h.fake.requests.length).toBe(sent);
  });

  it('lets a key whose allow-list names the deployment call it', async () => {
    const client = azure(h, await h.createKey('by-deployment'), 'prod-gpt4o');
    expect((await client.chat.completions.create(NO_MODEL)).choices[0]?.message.content).toBe('Paris.');
  });

  it('refuses (400) a POST on a deployment path it cannot meter, never forwarding it at $0', async () => {
    const sent = h.fake.requests.length;
    const res = await fetch(`${h.baseUrl('azure')}/deployments/prod-gpt4o/extensions/chat/completions?api-version=${API_VERSION}`, {
      method: 'POST',
      headers: { 'api-key': h.secret, 'content-type': 'application/json' },
      body: JSON.stringify(NO_MODEL),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/not metered/);
    expect(h.fake.requests.length).toBe(sent);
  });

  it('says where it looked for the metering key when none came', async () => {
    const res = await fetch(`${h.baseUrl('azure')}/deployments/prod-gpt4o/chat/completions?api-version=${API_VERSION}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(NO_MODEL),
    });
    expect(res.status).toBe(401);
    const message = ((await res.json()) as { error: { message: string } }).error.message;
    expect(message).toMatch(/Authorization: Bearer/);
    expect(message).toMatch(/api-key/);
  });
});

describe('an Azure provider with auth_header: api-key and a deployments map', () => {
  const h = sdkHarness(
    {
      upstream: { reply, authHeader: 'api-key' },
      configYaml: (url) =>
        `providers:\n  azure:\n    kind: openai-compatible\n    base_url: "${url}/openai"\n    api_key: "${UPSTREAM_KEY}"\n    auth_header: api-key\n    deployments: { prod-gpt4o: gpt-4o }\n${KEYS}\nstore: { flush_interval_ms: 5 }\n`,
    },
    (started) => azure(started, started.secret, 'prod-gpt4o'),
  );

  it('sends the provider key upstream as api-key (no Authorization), and records the mapped model as requested', async () => {
    const before = h.records.length;
    await h.client.chat.completions.create(NO_MODEL);
    expect(h.lastUpstream().headers['api-key']).toBe(UPSTREAM_KEY);
    expect(h.fake.problems).toEqual([]);
    expect(await h.rowAfter(before)).toMatchObject({ endpoint: 'chat.completions', model_requested: 'gpt-4o', model: ANSWERED, cost_nano: COST_NANO });
  });

  it("checks a key's allow-list against the mapped model", async () => {
    const allowed = azure(h, await h.createKey('gpt4o-only'), 'prod-gpt4o');
    expect((await allowed.chat.completions.create(NO_MODEL)).choices[0]?.message.content).toBe('Paris.');
    const refused = await errorOf(azure(h, await h.createKey('mini-only'), 'prod-gpt4o').chat.completions.create({ ...NO_MODEL, model: 'gpt-4o-mini' }));
    expect(refused).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect(refused.message).toMatch(/may not use model 'gpt-4o'/);
  });

  it('checks a mapped deployment by its model only, not by its name (which may read as another model)', async () => {
    const refused = await errorOf(azure(h, await h.createKey('by-deployment'), 'prod-gpt4o').chat.completions.create(NO_MODEL));
    expect(refused).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect(refused.message).toMatch(/may not use model 'gpt-4o' \(deployment 'prod-gpt4o' runs it/);
  });
});

describe('openai-compatible providers without a key, and a base_url with a query', () => {
  const h = sdkHarness(
    {
      upstream: { reply, authHeader: 'none' },
      configYaml: (url) =>
        `providers:\n  ollama: { kind: openai-compatible, base_url: "${url}/ollama/v1" }\n` +
        `  azq: { kind: openai-compatible, base_url: "${url}/openai/deployments/prod-gpt4o?api-version=${API_VERSION}" }\nstore: { flush_interval_ms: 5 }\n`,
    },
    (started) => new OpenAI({ baseURL: started.baseUrl('ollama'), apiKey: started.secret, maxRetries: 0 }),
  );

  it('forwards a keyless custom provider with no credential at all, and meters it', async () => {
    const before = h.records.length;
    await h.client.chat.completions.create({ model: 'llama3.1', messages: [{ role: 'user', content: 'hi' }] });
    expect(h.lastUpstream().url).toBe('/ollama/v1/chat/completions');
    expect(h.fake.problems).toEqual([]);
    expect(await h.rowAfter(before)).toMatchObject({ provider: 'ollama', endpoint: 'chat.completions', status: 200, input_tokens: 300 });
  });

  it("keeps the 502 for a built-in provider without a key", async () => {
    const sent = h.fake.requests.length;
    const error = await errorOf(new OpenAI({ baseURL: h.baseUrl('groq'), apiKey: h.secret, maxRetries: 0 }).chat.completions.create({ model: 'llama-3.3-70b-versatile', messages: [] }));
    expect(error.status).toBe(502);
    expect(error.message).toMatch(/No API key is configured for provider 'groq'/);
    expect(h.fake.requests.length).toBe(sent);
  });

  it("merges the base_url's query into each request's, the client's own value for a name winning", async () => {
    const sdk = (defaultQuery?: Record<string, string>) => new OpenAI({ baseURL: h.baseUrl('azq'), apiKey: h.secret, maxRetries: 0, ...(defaultQuery ? { defaultQuery } : {}) });
    await sdk().chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
    expect(h.lastUpstream().url).toBe(`/openai/deployments/prod-gpt4o/chat/completions?api-version=${API_VERSION}`);
    await sdk({ 'api-version': '2025-01-01-preview', trace: '1' }).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
    const url = new URL(h.lastUpstream().url, 'http://x');
    expect(url.pathname).toBe('/openai/deployments/prod-gpt4o/chat/completions');
    expect(url.searchParams.getAll('api-version')).toEqual(['2025-01-01-preview']);
    expect(url.searchParams.get('trace')).toBe('1');
    expect(h.fake.problems).toEqual([]);
  });
});
