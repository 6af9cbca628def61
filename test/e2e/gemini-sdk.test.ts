import { ApiError, GoogleGenAI } from '@google/genai';
import { describe, expect, it } from 'vitest';
import { createPricer } from '../../src/pricing/pricer.js';
import type { ReceivedRequest, Reply } from '../support/fake-upstream.js';
import { UPSTREAM_KEY } from '../support/proxy-harness.js';
import { cappedKeyGate, fixture, sdkHarness, sseReply } from './sdk-harness.js';

const CACHED = fixture('gemini', 'generate-content.json');
const STREAM = fixture('gemini', 'stream.sse');
const STREAM_ARRAY = fixture('gemini', 'stream-array.json');
const QUOTA = fixture('gemini', 'error-429.json');

/** Splits a `\r\n\r\n`-framed SSE fixture into frames (each with its blank line). */
const frames = (text: string): string[] => text.split(/(?<=\r\n\r\n)/).filter((f) => f.length > 0);
const dataOf = (frame: string): unknown => JSON.parse(frame.slice('data: '.length));

/** The fake Gemini API: the first text of the request names the scripted reply. */
const SCRIPT: Readonly<Record<string, Reply>> = {
  cached: { body: CACHED },
  pro: { body: fixture('gemini', 'generate-content-pro.json') },
  long: { body: fixture('gemini', 'generate-content-long.json') },
  quota: { status: 429, body: QUOTA },
  // One 1024² image (1,290 tokens) and 10 tokens of text, as gemini-2.5-flash-image answers.
  image: {
    body: JSON.stringify({
      candidates: [{ content: { role: 'model', parts: [{ text: 'A red apple.' }, { inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } }] }, finishReason: 'STOP' }],
      usageMetadata: {
        promptTokenCount: 20, candidatesTokenCount: 1300, totalTokenCount: 1320,
        promptTokensDetails: [{ modality: 'TEXT', tokenCount: 20 }],
        candidatesTokensDetails: [{ modality: 'TEXT', tokenCount: 10 }, { modality: 'IMAGE', tokenCount: 1290 }],
      },
      modelVersion: 'gemini-2.5-flash-image',
    }),
  },
};

function reply(req: ReceivedRequest): Reply | undefined {
  if (req.method !== 'POST') return undefined;
  const [path, query = ''] = req.url.split('?');
  const method = path?.slice(path.lastIndexOf(':') + 1);
  const body = req.json as { contents?: Array<{ parts?: Array<{ text?: string }> }> } | undefined;
  const scenario = body?.contents?.[0]?.parts?.[0]?.text ?? '';
  if (method === 'streamGenerateContent') {
    const sse = new URLSearchParams(query).get('alt') === 'sse';
    if (scenario === 'quota') return SCRIPT.quota;
    return sse ? sseReply(frames(STREAM)) : { headers: { 'content-type': 'application/json; charset=UTF-8' }, body: STREAM_ARRAY, chunkBytes: 97, delayMs: 1 };
  }
  if (method === 'generateContent') return SCRIPT[scenario];
  if (method === 'batchEmbedContents') return { body: fixture('gemini', 'batch-embed-contents.json') };
  if (method === 'embedContent') return { body: fixture('gemini', 'embed-content.json') };
  if (method === 'countTokens') return { body: fixture('gemini', 'count-tokens.json') };
  return undefined;
}

// Per 1M tokens (checked against the pricer below) → nano-USD per token:
//   gemini-2.5-flash: input $0.30 → 300, cached $0.03 → 30, output $2.50 → 2,500
//   gemini-2.5-pro ≤ 200k prompt: input $1.25 → 1,250, output $10 → 10,000;  > 200k: input $2.50 → 2,500, cached $0.25 → 250, output $15 → 15,000
//   gemini-embedding-001: input $0.15 → 150
const COST = {
  // prompt 1,250 of which 1,024 cached: 226 × 300 = 67,800;  1,024 × 30 = 30,720;  (8 + 140 thoughts) × 2,500 = 370,000  → 468,520
  cached: 468_520,
  // Last chunk: prompt 1,250 (not the earlier 1,252), 1,024 cached: 67,800 + 30,720;  (24 + 310 thoughts) × 2,500 = 835,000  → 933,520
  stream: 933_520,
  // 3,412 × 1,250 = 4,265,000;  (512 + 1,024 thoughts) × 10,000 = 15,360,000  → 19,625,000
  pro: 19_625_000,
  // Tier (250,000 > 200,000): 70,000 × 2,500 = 175,000,000;  180,000 × 250 = 45,000,000;  3,000 × 15,000 = 45,000,000  → 265,000,000
  long: 265_000_000,
  // gemini-2.5-flash-image: 20 × 300 = 6,000;  10 text × 2,500 = 25,000;  1,290 image × 30,000 ($30 per 1M) = 38,700,000  → 38,731,000
  image: 38_731_000,
  // Estimated: 'What is your name?' 18 chars → 5 tokens, 'What is your favorite color?' 28 chars → 7 tokens; 12 × 150 = 1,800
  embed: 1_800,
};

describe('@google/genai SDK through tokometer (Node edges, better-sqlite3)', () => {
  const h = sdkHarness(
    // No budget ledger: key 'capped' is refused as the ledger would once $0.0012 of its $0.001 daily budget is spent.
    { provider: 'gemini', upstream: { reply, authHeader: 'x-goog-api-key' }, overrides: { budgets: () => cappedKeyGate({ spentNano: 1_200_000, estimateNano: 5_000, resetInMs: 60_000 }) } },
    (started) => new GoogleGenAI({ apiKey: started.secret, vertexai: false, httpOptions: { baseUrl: started.baseUrl('gemini') } }),
  );

  it('uses the catalog prices the hand computations rely on', () => {
    const pricer = createPricer();
    expect(pricer.describe('gemini-2.5-flash', 'gemini')?.rates).toMatchObject({ input: 0.3, cachedInput: 0.03, output: 2.5 });
    expect(pricer.describe('gemini-2.5-pro', 'gemini')).toMatchObject({ rates: { input: 1.25, output: 10 }, tiers: [{ aboveInputTokens: 200_000, rates: { input: 2.5, cachedInput: 0.25, output: 15 } }] });
    expect(pricer.describe('gemini-embedding-001', 'gemini')?.rates.input).toBe(0.15);
  });

  it('meters generateContent with cached and thinking tokens to the nano-dollar', async () => {
    const before = h.records.length;
    const res = await h.client.models.generateContent({ model: 'gemini-2.5-flash', contents: 'cached', config: { maxOutputTokens: 512 } });
    expect(res.text).toBe('Paris is the capital of France.');
    expect(res.usageMetadata?.cachedContentTokenCount).toBe(1024);
    expect(await h.rowAfter(before)).toMatchObject({
      provider: 'gemini',
      endpoint: 'generateContent',
      model_requested: 'gemini-2.5-flash',
      model: 'gemini-2.5-flash',
      status: 200,
      outcome: 'ok',
      streamed: 0,
      input_tokens: 1250,
      cached_input_tokens: 1024,
      output_tokens: 148,
      reasoning_tokens: 140,
      cost_nano: COST.cached,
      usage_source: 'reported',
      max_output_tokens: 512,
    });
    expect(h.lastUpstream().url).toBe('/v1beta/models/gemini-2.5-flash:generateContent');
    expect(h.lastUpstream().headers['x-goog-api-key']).toBe(UPSTREAM_KEY);
    expect(h.fake.problems).toEqual([]);
  });

  it('prices the image an image model draws at its image price, not as text', async () => {
    const before = h.records.length;
    const res = await h.client.models.generateContent({ model: 'gemini-2.5-flash-image', contents: 'image' });
    expect(res.candidates?.[0]?.content?.parts?.[1]?.inlineData?.mimeType).toBe('image/png');
    expect(await h.rowAfter(before)).toMatchObject({ model: 'gemini-2.5-flash-image', input_tokens: 20, output_tokens: 1300, output_image_tokens: 1290, cost_nano: COST.image });
  });

  it('meters an uncached gemini-2.5-pro call', async () => {
    const before = h.records.length;
    await h.client.models.generateContent({ model: 'gemini-2.5-pro', contents: 'pro' });
    expect(await h.rowAfter(before)).toMatchObject({ model: 'gemini-2.5-pro', input_tokens: 3412, cached_input_tokens: 0, output_tokens: 1536, reasoning_tokens: 1024, cost_nano: COST.pro });
  });

  it('prices gemini-2.5-pro above 200k prompt tokens at the long-context tier', async () => {
    const before = h.records.length;
    await h.client.models.generateContent({ model: 'gemini-2.5-pro', contents: 'long' });
    expect(await h.rowAfter(before)).toMatchObject({ input_tokens: 250_000, cached_input_tokens: 180_000, output_tokens: 3000, cost_nano: COST.long });
  });

  it('streams with alt=sse: every chunk reaches the SDK, the last usage is metered once', async () => {
    const before = h.records.length;
    const chunks = [];
    for await (const chunk of await h.client.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'stream' })) chunks.push(chunk);
    const expected = frames(STREAM).map(dataOf) as Array<{ usageMetadata: unknown; candidates: Array<{ content: { parts: Array<{ text: string }> } }> }>;
    expect(chunks.map((c) => c.text)).toEqual(expected.map((e) => e.candidates[0]?.content.parts[0]?.text));
    expect(chunks.map((c) => c.usageMetadata)).toEqual(expected.map((e) => e.usageMetadata));
    expect(h.lastUpstream().url).toBe('/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse');
    expect(await h.rowAfter(before)).toMatchObject({ streamed: 1, endpoint: 'generateContent', input_tokens: 1250, cached_input_tokens: 1024, output_tokens: 334, reasoning_tokens: 310, cost_nano: COST.stream, usage_source: 'reported' });
  });

  it('strips ?key= before forwarding and relays the SSE bytes untouched', async () => {
    const before = h.records.length;
    const res = await fetch(`${h.baseUrl('gemini')}/v1beta/models/gemini-2.5-flash:streamGenerateContent?key=${h.secret}&alt=sse`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'stream' }] }] }),
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(STREAM);
    expect(h.lastUpstream().url).toBe('/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse');
    expect(h.lastUpstream().headers['x-goog-api-key']).toBe(UPSTREAM_KEY);
    expect(h.fake.problems).toEqual([]);
    expect(await h.rowAfter(before)).toMatchObject({ key_name: 'test-key', cost_nano: COST.stream });
  });

  it('relays the JSON-array stream (no alt=sse) as it arrives and meters the parsed array', async () => {
    const before = h.records.length;
    const res = await fetch(`${h.baseUrl('gemini')}/v1beta/models/gemini-2.5-flash:streamGenerateContent?key=${h.secret}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'stream' }] }] }),
    });
    expect(await res.text()).toBe(STREAM_ARRAY);
    expect(h.lastUpstream().url).toBe('/v1beta/models/gemini-2.5-flash:streamGenerateContent');
    expect(await h.rowAfter(before)).toMatchObject({ streamed: 1, input_tokens: 1250, output_tokens: 334, cost_nano: COST.stream, usage_source: 'reported' });
  });

  it('estimates embedding tokens (the API reports none) and flags the row estimated', async () => {
    const before = h.records.length;
    const res = await h.client.models.embedContent({ model: 'gemini-embedding-001', contents: ['What is your name?', 'What is your favorite color?'] });
    expect(res.embeddings?.map((e) => e.values?.length)).toEqual([8, 8]);
    expect(h.lastUpstream().url).toBe('/v1beta/models/gemini-embedding-001:batchEmbedContents');
    expect(await h.rowAfter(before)).toMatchObject({
      endpoint: 'batchEmbedContents',
      model: 'gemini-embedding-001',
      input_tokens: 12,
      output_tokens: 0,
      cost_nano: COST.embed,
      usage_source: 'estimated',
      outcome: 'ok',
    });
  });

  it('answers an unknown key with ApiError 401 in Google RPC shape and forwards nothing', async () => {
    const seen = h.fake.requests.length;
    const rows = h.rows().length;
    const stranger = new GoogleGenAI({ apiKey: `mk_${'x'.repeat(32)}`, vertexai: false, httpOptions: { baseUrl: h.baseUrl('gemini') } });
    const error = await stranger.models.generateContent({ model: 'gemini-2.5-flash', contents: 'cached' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(401);
    const body = JSON.parse((error as ApiError).message) as { error: { code: number; status: string; message: string } };
    expect(body.error).toMatchObject({ code: 401, status: 'UNAUTHENTICATED' });
    expect(body.error.message).toMatch(/Invalid or revoked metering key/);
    expect(h.fake.requests.length).toBe(seen);
    expect(h.rows().length).toBe(rows);
  });

  it('refuses a call over budget with ApiError 429 RESOURCE_EXHAUSTED', async () => {
    const seen = h.fake.requests.length;
    const before = h.records.length;
    const cappedAi = new GoogleGenAI({ apiKey: await h.createKey('capped'), vertexai: false, httpOptions: { baseUrl: h.baseUrl('gemini') } });
    const error = await cappedAi.models.generateContent({ model: 'gemini-2.5-flash', contents: 'cached' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(429);
    const body = JSON.parse((error as ApiError).message) as { error: { status: string; message: string; budget: { name: string } } };
    expect(body.error).toMatchObject({ status: 'RESOURCE_EXHAUSTED', budget: { name: 'capped' } });
    expect(body.error.message).toMatch(/Budget 'capped' exhausted/);
    expect(h.fake.requests.length).toBe(seen);
    expect(await h.rowAfter(before)).toMatchObject({ key_name: 'capped', outcome: 'refused', status: 429, cost_nano: 0 });
  });

  it('passes an upstream 429 through unchanged, also on a stream', async () => {
    const before = h.records.length;
    const error = await h.client.models.generateContent({ model: 'gemini-2.5-flash', contents: 'quota' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(429);
    expect(JSON.parse((error as ApiError).message)).toEqual(JSON.parse(QUOTA));
    expect(await h.rowAfter(before)).toMatchObject({ status: 429, outcome: 'upstream_error', cost_nano: 0, usage_source: 'not_metered' });
    const streamed = await h.client.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'quota' }).catch((e: unknown) => e);
    expect(streamed).toBeInstanceOf(ApiError);
    expect(JSON.parse((streamed as ApiError).message)).toEqual(JSON.parse(QUOTA));
  });

  it('forwards countTokens unmetered and records it at zero cost', async () => {
    const before = h.records.length;
    const counted = await h.client.models.countTokens({ model: 'gemini-2.5-flash', contents: 'how many?' });
    expect(counted.totalTokens).toBe(31);
    expect(await h.rowAfter(before)).toMatchObject({ endpoint: 'countTokens', cost_nano: 0, usage_source: 'not_metered', outcome: 'ok' });
    expect(h.fake.problems).toEqual([]);
  });
});
