import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createPricer } from '../../src/pricing/pricer.js';
import { createGeminiAdapter } from '../../src/providers/gemini.js';
import type { Usage } from '../../src/providers/types.js';
import { itObservesJsonBodies, relayed, replayStream, usage } from './support.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/gemini');
const adapter = createGeminiAdapter();

const text = (name: string): string => readFileSync(join(FIXTURES, name), 'utf8');
const json = (name: string): unknown => JSON.parse(text(name));
const generate = (method = 'generateContent', model = 'gemini-2.5-flash') => adapter.describe('POST', `/v1beta/models/${model}:${method}`, { contents: [] });

/** Replays a stream through the framer and a fresh accumulator in `chunk`-byte pieces. */
const replay = (stream: string, chunk = 7) => replayStream(adapter, generate('streamGenerateContent'), { stripInjectedUsage: false }, stream, chunk);

/** The final usage of stream.sse: the LAST chunk's counts (prompt 1250, not the earlier 1252). */
const STREAM_USAGE = usage({ inputTokens: 1250, outputTokens: 334, cacheReadTokens: 1024, reasoningTokens: 310 });

describe('usageFromJson on fixtures', () => {
  itObservesJsonBodies({
    observe: (body) => adapter.usageFromJson(generate(), body),
    load: json,
    fixtures: [
      // prompt 1250 includes the 1024 cached; output = 8 candidates + 140 thoughts.
      ['generate-content.json', { finishReasons: ['STOP'], model: 'gemini-2.5-flash', usage: usage({ inputTokens: 1250, outputTokens: 148, cacheReadTokens: 1024, reasoningTokens: 140 }) }],
      ['generate-content-pro.json', { finishReasons: ['STOP'], model: 'gemini-2.5-pro', usage: usage({ inputTokens: 3412, outputTokens: 1536, reasoningTokens: 1024 }) }],
      ['generate-content-long.json', { finishReasons: ['STOP'], model: 'gemini-2.5-pro', usage: usage({ inputTokens: 250_000, outputTokens: 3000, cacheReadTokens: 180_000, reasoningTokens: 2000 }) }],
      // toolUsePromptTokenCount adds to input (900 + 300); the AUDIO prompt entry is audio input; unknown fields are ignored.
      ['generate-content-tools.json', { finishReasons: ['STOP'], model: 'gemini-2.5-flash', usage: usage({ inputTokens: 1200, outputTokens: 150, inputAudioTokens: 20 }) }],
      ['stream-array.json', { finishReasons: ['STOP'], model: 'gemini-2.5-flash', usage: STREAM_USAGE }],
      ['error-429.json', { model: null, usage: null }],
      ['error-400-api-key.json', { model: null, usage: null }],
    ],
    malformed: [undefined, null, 'text', 7, {}, [], [null, 3], { usageMetadata: null }, { usageMetadata: {} }, { usageMetadata: { totalTokenCount: 9 } }, { usageMetadata: { promptTokenCount: -3 } }],
  });

  it('reads Vertex trafficType as the service tier and clamps cached to the prompt', () => {
    const seen = adapter.usageFromJson(generate(), { usageMetadata: { promptTokenCount: 10, cachedContentTokenCount: 50, candidatesTokenCount: 2, trafficType: 'ON_DEMAND' } });
    expect(seen.usage).toEqual(usage({ inputTokens: 10, outputTokens: 2, cacheReadTokens: 10, serviceTier: 'ON_DEMAND' }));
  });

  it('reads finishReason of every candidate, also from a final chunk without usageMetadata', () => {
    const body = { modelVersion: 'gemini-2.5-flash', candidates: [{ finishReason: 'STOP' }, { finishReason: 'MAX_TOKENS' }], usageMetadata: { promptTokenCount: 2 } };
    expect(adapter.usageFromJson(generate(), body).finishReasons).toEqual(['STOP', 'MAX_TOKENS']);
    const stream = ['data: {"modelVersion":"gemini-2.5-flash","candidates":[{"content":{}}]}', 'data: {"modelVersion":"gemini-2.5-flash","candidates":[{"finishReason":"SAFETY"}]}'].join('\r\n\r\n');
    expect(replay(`${stream}\r\n\r\n`).observed.finishReasons).toEqual(['SAFETY']);
  });

  it('reads image output and cached audio from the modality details', () => {
    // An image model's answer: 10 text and 1290 image tokens among the candidates.
    const image = { usageMetadata: { promptTokenCount: 20, candidatesTokenCount: 1300, candidatesTokensDetails: [{ modality: 'TEXT', tokenCount: 10 }, { modality: 'IMAGE', tokenCount: 1290 }] } };
    expect(adapter.usageFromJson(generate('generateContent', 'gemini-2.5-flash-image'), image).usage).toEqual(usage({ inputTokens: 20, outputTokens: 1300, outputImageTokens: 1290 }));
    // 3,000 of the 4,000 cached tokens are audio; clamped to the audio input and the cache reads.
    const meta = { promptTokenCount: 10_000, cachedContentTokenCount: 4_000, promptTokensDetails: [{ modality: 'TEXT', tokenCount: 5_000 }, { modality: 'AUDIO', tokenCount: 5_000 }], cacheTokensDetails: [{ modality: 'TEXT', tokenCount: 1_000 }, { modality: 'AUDIO', tokenCount: 3_000 }] };
    expect(adapter.usageFromJson(generate(), { usageMetadata: meta }).usage).toEqual(usage({ inputTokens: 10_000, cacheReadTokens: 4_000, inputAudioTokens: 5_000, cacheAudioReadTokens: 3_000 }));
    const over = { ...meta, cacheTokensDetails: [{ modality: 'AUDIO', tokenCount: 9_000 }] };
    expect(adapter.usageFromJson(generate(), { usageMetadata: over }).usage?.cacheAudioReadTokens).toBe(4_000);
  });

  it('reads image input from the IMAGE prompt entries: the uncached ones, never more than the uncached prompt', () => {
    // A 1,258-token image and 42 text tokens in the prompt (promptTokensDetails, MediaModality IMAGE).
    const meta = { promptTokenCount: 1_300, candidatesTokenCount: 20, promptTokensDetails: [{ modality: 'TEXT', tokenCount: 42 }, { modality: 'IMAGE', tokenCount: 1_258 }] };
    const seen = adapter.usageFromJson(generate('generateContent', 'gemini-3.1-flash-live-preview'), { usageMetadata: meta }).usage;
    expect(seen).toEqual(usage({ inputTokens: 1_300, outputTokens: 20, inputImageTokens: 1_258 }));
    // gemini-3.1-flash-live-preview: $0.75 text in, $1 image in, $4.50 out per 1M → 750 / 1,000 / 4,500 nano.
    // 42 × 750 + 1,258 × 1,000 + 20 × 4,500 = 31,500 + 1,258,000 + 90,000 = 1,379,500
    // (the image as text: 1,300 × 750 + 90,000 = 1,065,000).
    expect(createPricer().price(seen!, { provider: 'gemini', model: 'gemini-3.1-flash-live-preview', at: Date.parse('2026-11-27T12:00:00Z') })).toMatchObject({ priced: true, costNano: 1_379_500 });
    // More IMAGE than the prompt: capped to it.
    const over = { ...meta, promptTokensDetails: [{ modality: 'IMAGE', tokenCount: 2_000 }] };
    expect(adapter.usageFromJson(generate(), { usageMetadata: over }).usage?.inputImageTokens).toBe(1_300);
    // 1,000 of the image tokens came from a 1,000-token cache: they are cache reads (no provider
    // prices cached image apart), so 258 image tokens are uncached; and counts that do not add
    // up (200 more tokens, uncached audio) leave at most 1,300 − 1,000 − 200 = 100 for the image.
    const cached = { ...meta, cachedContentTokenCount: 1_000, cacheTokensDetails: [{ modality: 'IMAGE', tokenCount: 1_000 }] };
    expect(adapter.usageFromJson(generate(), { usageMetadata: cached }).usage?.inputImageTokens).toBe(258);
    const withAudio = { ...cached, promptTokensDetails: [...meta.promptTokensDetails, { modality: 'AUDIO', tokenCount: 200 }] };
    expect(adapter.usageFromJson(generate(), { usageMetadata: withAudio }).usage).toMatchObject({ inputAudioTokens: 200, inputImageTokens: 100 });
    // No IMAGE entry: no image input.
    expect(adapter.usageFromJson(generate(), { usageMetadata: { promptTokenCount: 10 } }).usage).not.toHaveProperty('inputImageTokens');
  });

  it('countTokens responses are not usage', () => {
    expect(adapter.usageFromJson(generate('countTokens'), json('count-tokens.json'))).toEqual({ usage: null, model: null });
  });
});

describe('streams (alt=sse)', () => {
  it('every chunk carries usageMetadata: the last one wins, never summed, even when the prompt count changes', () => {
    const { observed, frames } = relayed(replay, text('stream.sse'));
    expect(frames).toHaveLength(3);
    expect(observed).toEqual({ finishReasons: ['STOP'], model: 'gemini-2.5-flash', usage: STREAM_USAGE });
  });

  it('the array form (no alt=sse) and the SSE form agree', () => {
    expect(adapter.usageFromJson(generate('streamGenerateContent'), json('stream-array.json'))).toEqual(replay(text('stream.sse')).observed);
  });

  it('a stream cut before the final chunk keeps the last usage seen (prompt only), its output estimated from the text it carried', () => {
    const stream = text('stream.sse');
    const cut = stream.slice(0, stream.lastIndexOf('data: '));
    const { observed } = replay(cut, 3);
    // "The capital of France" (21) + " is Paris, which has been the" (29) = 50 characters: ceil(50 / 4) = 13 tokens (more than its 2 chunks).
    expect(observed.usage).toEqual(usage({ inputTokens: 1252, outputTokens: 13 }));
    expect(observed.estimated).toBe(true);
  });

  it('a stream without usage yields null and is relayed untouched', () => {
    const { observed } = relayed(replay, text('stream-no-usage.sse'), 1);
    // "Hello" + " there." = 12 characters: ceil(12 / 4) = 3 output tokens carried, for the recorder's estimate.
    expect(observed).toEqual({ finishReasons: ['STOP'], model: 'gemini-2.5-flash', usage: null, carriedOutputTokens: 3 });
  });

  it('LF framing and an in-stream error chunk are handled', () => {
    const lf = text('stream.sse').replace(/\r\n/g, '\n') + 'data: {"error":{"code":503,"message":"The model is overloaded.","status":"UNAVAILABLE"}}\n\n';
    const { observed } = relayed(replay, lf, 64);
    expect(observed.usage).toEqual(STREAM_USAGE);
  });
});

describe('embeddings', () => {
  const embedInfo = adapter.describe('POST', '/v1beta/models/gemini-embedding-001:embedContent', { content: { parts: [{ text: 'What is your name?' }] } });
  const batchInfo = adapter.describe('POST', '/v1beta/models/gemini-embedding-001:batchEmbedContents', {
    requests: [{ content: { parts: [{ text: 'What is your name?' }] } }, { content: { parts: [{ text: 'What is your favorite color?' }] } }],
  });

  it('the API reports no usage, so the request estimate is used and marked estimated', () => {
    expect(adapter.usageFromJson(embedInfo, json('embed-content.json'))).toEqual({ usage: usage({ inputTokens: 5 }), model: null, estimated: true });
    expect(adapter.usageFromJson(batchInfo, json('batch-embed-contents.json'))).toEqual({ usage: usage({ inputTokens: 12 }), model: null, estimated: true });
  });

  it('an error body is not billed', () => {
    expect(adapter.usageFromJson(batchInfo, json('error-429.json'))).toEqual({ usage: null, model: null });
  });

  it('a count the response reports (Vertex statistics, usageMetadata) wins over the estimate and is not flagged', () => {
    const vertex = { embeddings: [{ values: [0.1], statistics: { tokenCount: 6, truncated: false } }, { values: [0.2], statistics: { tokenCount: 9 } }] };
    expect(adapter.usageFromJson(batchInfo, vertex)).toEqual({ usage: usage({ inputTokens: 15 }), model: null });
    expect(adapter.usageFromJson(embedInfo, { embedding: { values: [0.1] }, usageMetadata: { promptTokenCount: 4 } })).toEqual({ usage: usage({ inputTokens: 4 }), model: null });
  });
});

describe('pricing of normalised Gemini usage', () => {
  const pricer = createPricer();
  const at = Date.UTC(2026, 10, 15);
  const cost = (u: Usage, model: string) => {
    const priced = pricer.price(u, { provider: 'gemini', model, at });
    if (!priced.priced) throw new Error(priced.reason);
    return priced.costNano;
  };

  it('uses the catalog rates the hand computations below rely on', () => {
    expect(pricer.describe('gemini-2.5-pro', 'gemini', at)).toMatchObject({
      rates: { input: 1.25, cachedInput: 0.125, output: 10 },
      tiers: [{ aboveInputTokens: 200_000, rates: { input: 2.5, cachedInput: 0.25, output: 15 } }],
    });
    expect(pricer.describe('gemini-2.5-flash', 'gemini', at)?.rates).toMatchObject({ input: 0.3, cachedInput: 0.03, output: 2.5 });
  });

  it('gemini-2.5-pro above 200k prompt tokens is priced at the long-context tier', () => {
    const seen = adapter.usageFromJson(generate('generateContent', 'gemini-2.5-pro'), json('generate-content-long.json'));
    // Tier rates (prompt 250,000 > 200,000): input $2.50, cached $0.25, output $15 per 1M = 2,500 / 250 / 15,000 nano per token.
    //   70,000 uncached × 2,500 = 175,000,000;  180,000 cached × 250 = 45,000,000;  3,000 output × 15,000 = 45,000,000
    //   → 265,000,000 nano-USD ($0.265).
    expect(cost(seen.usage as Usage, 'gemini-2.5-pro')).toBe(265_000_000);
  });

  it('the tier starts strictly above 200,000 prompt tokens', () => {
    // 200,000 × 1,250 = 250,000,000 (base rate); 200,001 × 2,500 = 500,002,500 (tier rate).
    expect(cost(usage({ inputTokens: 200_000 }), 'gemini-2.5-pro')).toBe(250_000_000);
    expect(cost(usage({ inputTokens: 200_001 }), 'gemini-2.5-pro')).toBe(500_002_500);
  });

  it('cached and thinking tokens of gemini-2.5-flash', () => {
    const seen = adapter.usageFromJson(generate(), json('generate-content.json'));
    // 226 uncached × 300 = 67,800;  1,024 cached × 30 = 30,720;  (8 + 140) output × 2,500 = 370,000 → 468,520.
    expect(cost(seen.usage as Usage, 'gemini-2.5-flash')).toBe(468_520);
  });
});
