import { GoogleGenAI } from '@google/genai';
import { describe, expect, it } from 'vitest';
import { createPricer } from '../../src/pricing/pricer.js';
import { addKey, keyBudget } from '../budget/support.js';
import type { ReceivedRequest, Reply } from '../support/fake-upstream.js';
import { UPSTREAM_KEY } from '../support/proxy-harness.js';
import { sdkHarness, sseReply } from './sdk-harness.js';

/**
 * The gemini provider with its base_url on a Vertex AI host (aiplatform.googleapis.com).
 * @google/genai 2.x with `vertexai: true` builds `{v1beta1|v1}/publishers/google/models/M:method`
 * (express mode, an API key) or `{version}/projects/P/locations/L/publishers/google/models/M:method`
 * (tModel and shouldPrependVertexProjectPath in dist/node/index.cjs); the answers carry the
 * same usageMetadata as the Gemini API's. They were recorded as endpoint `other`, no model,
 * cost 0, and a key's budget never moved.
 */

/** One gemini-2.5-pro answer of 1,000,000 prompt and 60,000 output tokens, as Vertex sends it. */
const LONG = JSON.stringify({
  candidates: [{ content: { role: 'model', parts: [{ text: 'A summary.' }] }, finishReason: 'STOP' }],
  usageMetadata: { promptTokenCount: 1_000_000, candidatesTokenCount: 60_000, totalTokenCount: 1_060_000, trafficType: 'ON_DEMAND' },
  modelVersion: 'gemini-2.5-pro',
});

/** An SSE stream of two chunks; the last holds the call's usage (1,000 prompt, 200 + 50 thoughts output). */
const STREAM = [
  `data: ${JSON.stringify({ candidates: [{ content: { role: 'model', parts: [{ text: 'Hel' }] } }], usageMetadata: { promptTokenCount: 1000, candidatesTokenCount: 5, totalTokenCount: 1005, trafficType: 'ON_DEMAND' }, modelVersion: 'gemini-2.5-pro' })}\r\n\r\n`,
  `data: ${JSON.stringify({ candidates: [{ content: { role: 'model', parts: [{ text: 'lo' }] }, finishReason: 'STOP' }], usageMetadata: { promptTokenCount: 1000, candidatesTokenCount: 200, thoughtsTokenCount: 50, totalTokenCount: 1250, trafficType: 'ON_DEMAND' }, modelVersion: 'gemini-2.5-pro' })}\r\n\r\n`,
];

/**
 * A Vertex `:predict` answer of an embedding model (two texts): the tokens are in
 * `predictions[].embeddings.statistics.token_count` (contentEmbeddingStatisticsFromVertex).
 */
const PREDICT_EMBEDDINGS = JSON.stringify({
  predictions: [
    { embeddings: { values: [0.1, 0.2], statistics: { token_count: 6, truncated: false } } },
    { embeddings: { values: [0.3, 0.4], statistics: { token_count: 8, truncated: false } } },
  ],
  metadata: { billableCharacterCount: 40 },
});

function reply(req: ReceivedRequest): Reply | undefined {
  if (req.method !== 'POST') return undefined;
  const path = req.url.split('?')[0] ?? '';
  if (path.endsWith(':streamGenerateContent')) return sseReply(STREAM);
  if (path.endsWith(':generateContent')) return { body: LONG };
  if (path.endsWith(':predict')) return { body: PREDICT_EMBEDDINGS };
  return { body: '{}' };
}

// gemini-2.5-pro per 1M tokens (checked below) → nano-USD per token:
//   ≤ 200k prompt: input $1.25 → 1,250, output $10 → 10,000;  > 200k: input $2.50 → 2,500, output $15 → 15,000
const COST = {
  // 1,000,000 > 200,000 (long tier): 1,000,000 × 2,500 = 2,500,000,000;  60,000 × 15,000 = 900,000,000  → 3,400,000,000 ($3.40)
  long: 3_400_000_000,
  // 1,000 × 1,250 = 1,250,000;  (200 + 50 thoughts) × 10,000 = 2,500,000  → 3,750,000
  stream: 3_750_000,
  // gemini-embedding-001, input $0.15 per 1M → 150 per token: (6 + 8) × 150 = 2,100
  embed: 2_100,
};

const EXPRESS = '/v1beta1/publishers/google/models/gemini-2.5-pro';
const PROJECT = '/v1beta1/projects/p1/locations/us-central1/publishers/google/models/gemini-2.5-pro';

describe('@google/genai with vertexai: true through tokometer (Vertex AI paths)', () => {
  const h = sdkHarness(
    { provider: 'gemini', upstream: { reply, authHeader: 'x-goog-api-key' } },
    (started) => new GoogleGenAI({ vertexai: true, apiKey: started.secret, httpOptions: { baseUrl: started.baseUrl('gemini') } }),
  );

  /** POSTs `body` to `path` of the gemini provider with `secret` as x-goog-api-key. */
  const post = (path: string, secret: string, body: object) =>
    fetch(`${h.baseUrl('gemini')}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-goog-api-key': secret }, body: JSON.stringify(body) });

  it('uses the catalog prices the hand computations rely on', () => {
    expect(createPricer().describe('gemini-2.5-pro', 'gemini')).toMatchObject({ rates: { input: 1.25, output: 10 }, tiers: [{ aboveInputTokens: 200_000, rates: { input: 2.5, output: 15 } }] });
    expect(createPricer().describe('gemini-embedding-001', 'gemini')?.rates.input).toBe(0.15);
  });

  it('meters an express-mode generateContent as the Gemini API one, model from the path', async () => {
    const before = h.records.length;
    const res = await h.client.models.generateContent({ model: 'gemini-2.5-pro', contents: 'summarise', config: { maxOutputTokens: 65_536 } });
    expect(res.text).toBe('A summary.');
    expect(h.lastUpstream().url).toBe(`${EXPRESS}:generateContent`);
    expect(h.lastUpstream().headers['x-goog-api-key']).toBe(UPSTREAM_KEY);
    expect(await h.rowAfter(before)).toMatchObject({
      provider: 'gemini',
      endpoint: 'generateContent',
      model_requested: 'gemini-2.5-pro',
      model: 'gemini-2.5-pro',
      status: 200,
      outcome: 'ok',
      streamed: 0,
      input_tokens: 1_000_000,
      output_tokens: 60_000,
      cost_nano: COST.long,
      usage_source: 'reported',
      max_output_tokens: 65_536,
    });
  });

  it('meters a streamGenerateContent?alt=sse on the project/location path', async () => {
    const before = h.records.length;
    const res = await post(`${PROJECT}:streamGenerateContent?alt=sse`, h.secret, { contents: [{ role: 'user', parts: [{ text: 'stream' }] }] });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(STREAM.join(''));
    expect(h.lastUpstream().url).toBe(`${PROJECT}:streamGenerateContent?alt=sse`);
    expect(await h.rowAfter(before)).toMatchObject({
      endpoint: 'generateContent',
      model: 'gemini-2.5-pro',
      streamed: 1,
      input_tokens: 1000,
      output_tokens: 250,
      reasoning_tokens: 50,
      cost_nano: COST.stream,
      usage_source: 'reported',
    });
  });

  it('meters the SDK stream (express mode) to the same cost', async () => {
    const before = h.records.length;
    let text = '';
    for await (const chunk of await h.client.models.generateContentStream({ model: 'gemini-2.5-pro', contents: 'stream' })) text += chunk.text ?? '';
    expect(text).toBe('Hello');
    expect(h.lastUpstream().url).toBe(`${EXPRESS}:streamGenerateContent?alt=sse`);
    expect(await h.rowAfter(before)).toMatchObject({ endpoint: 'generateContent', model: 'gemini-2.5-pro', streamed: 1, cost_nano: COST.stream });
  });

  it('meters the SDK embedContent of gemini-embedding-001 (:predict on Vertex) from its statistics', async () => {
    const before = h.records.length;
    const res = await h.client.models.embedContent({ model: 'gemini-embedding-001', contents: ['What is your name?', 'What is your favorite color?'] });
    expect(res.embeddings?.map((e) => e.statistics?.tokenCount)).toEqual([6, 8]);
    expect(h.lastUpstream().url).toBe('/v1beta1/publishers/google/models/gemini-embedding-001:predict');
    expect(await h.rowAfter(before)).toMatchObject({ endpoint: 'predict', model: 'gemini-embedding-001', status: 200, input_tokens: 14, output_tokens: 0, cost_nano: COST.embed, usage_source: 'reported' });
  });

  it('settles a Vertex call against the key budget: a $0.001 key is refused its second call', async () => {
    const secret = await addKey(h.proxy, 'capped', { budget: keyBudget(0.001) });
    const seen = h.fake.requests.length;
    const body = { contents: [{ role: 'user', parts: [{ text: 'summarise' }] }] };
    const first = await post(`${EXPRESS}:generateContent`, secret, body);
    expect(first.status).toBe(200);
    await first.text();
    await h.proxy.queue.drain();
    const second = await post(`${PROJECT}:generateContent`, secret, body);
    expect(second.status).toBe(429);
    expect(((await second.json()) as { error: { status: string } }).error.status).toBe('RESOURCE_EXHAUSTED');
    expect(h.fake.requests.length).toBe(seen + 1);
    const rows = h.rows().filter((r) => r.key_name === 'capped');
    expect(rows.map((r) => [r.outcome, r.cost_nano])).toEqual([['ok', COST.long], ['refused', 0]]);
  });
});
