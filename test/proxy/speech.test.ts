import { describe, expect, it } from 'vitest';
import { createPricer } from '../../src/pricing/pricer.js';
import { SECRET, afterImmediates, bodyText, fixture, sseAnswer, type FakeCall, type Fixture } from './fakes.js';

/**
 * OpenAI text-to-speech (POST /v1/audio/speech; openai 6.49.0 resources/audio/speech.d.ts
 * SpeechCreateParams): a JSON body `{model, input, voice, instructions?, response_format?,
 * speed?, stream_format?}`. With `stream_format: "sse"` the answer is an event stream of
 * `speech.audio.delta` events (base64 `audio`) ending with `speech.audio.done`, which carries
 * `usage: {input_tokens, output_tokens, total_tokens}` (OpenAI's OpenAPI spec
 * SpeechAudioDoneEvent). Priced with the pinned catalog: gpt-4o-mini-tts at $0.60 per 1M
 * input tokens and $12 per 1M output (audio) tokens.
 */

const encoder = new TextEncoder();

/** A client's JSON POST to /proxy/openai/v1/audio/speech. */
function speechCall(body: object): FakeCall {
  const client = new AbortController();
  const bytes = encoder.encode(JSON.stringify(body));
  return {
    method: 'POST',
    url: '/proxy/openai/v1/audio/speech',
    headers: { authorization: `Bearer ${SECRET}`, 'content-type': 'application/json' },
    readBody: async (limit) => (bytes.length > limit ? null : bytes),
    signal: client.signal,
    leave: () => client.abort(),
  };
}

/** Prices `f`'s calls with the pinned catalog instead of the fixture's flat test rates. */
function pricedByCatalog(f: Fixture): Fixture {
  const catalog = createPricer();
  f.pricer.price = (usage, ctx) => catalog.price(usage, ctx);
  return f;
}

const DONE = { type: 'speech.audio.done', usage: { input_tokens: 12, output_tokens: 1500, total_tokens: 1512 } };

describe('OpenAI text-to-speech streamed as SSE (stream_format: "sse")', () => {
  // gpt-4o-mini-tts: 12 × $0.60 + 1,500 × $12 per 1M = 7,200 + 18,000,000 = 18,007,200 nano-USD.
  // Before: endpoint `other`, not metered: no usage, $0, settled at 0.
  it('is metered from its speech.audio.done usage: 18,007,200 nano-USD on gpt-4o-mini-tts, settled at it', async () => {
    const frames = [
      `data: ${JSON.stringify({ type: 'speech.audio.delta', audio: 'AAECAwQF' })}\n\n`,
      `data: ${JSON.stringify({ type: 'speech.audio.delta', audio: 'BgcICQoL' })}\n\n`,
      `data: ${JSON.stringify(DONE)}\n\n`,
    ];
    const f = pricedByCatalog(fixture((req) => sseAnswer(req, frames)));
    const res = await f.handle(speechCall({ model: 'gpt-4o-mini-tts', input: 'Hello there.', voice: 'coral', stream_format: 'sse' }));
    expect(res.status).toBe(200);
    expect(await bodyText(res)).toBe(frames.join(''));
    await afterImmediates();
    expect(f.records).toHaveLength(1);
    expect(f.records[0]).toMatchObject({
      endpoint: 'audio.speech',
      modelRequested: 'gpt-4o-mini-tts',
      streamed: true,
      usageSource: 'reported',
      usage: { inputTokens: 12, outputTokens: 1500, outputAudioTokens: 1500 },
      costNano: 18_007_200,
    });
    expect(f.gate.settled).toEqual([['r1', 18_007_200]]);
  });
});
