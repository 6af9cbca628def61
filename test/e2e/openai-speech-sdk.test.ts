import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import type { ReceivedRequest, Reply } from '../support/fake-upstream.js';
import { sdkHarness, sseReply } from './sdk-harness.js';

/**
 * Text-to-speech as the openai SDK (6.49.0) posts it: `client.audio.speech.create` sends JSON to
 * /audio/speech and hands back the raw Response (resources/audio/speech.js `__binaryResponse`).
 * The fake provider answers `stream_format: "sse"` with speech.audio.* events, and anything else
 * with 160,000 bytes of "mp3" (all 0x55: no header tokometer reads).
 */

const MP3 = 'U'.repeat(160_000);

function reply(req: ReceivedRequest): Reply | undefined {
  if (req.url !== '/audio/speech' || req.method !== 'POST') return undefined;
  if (!req.body.includes('"stream_format":"sse"')) return { headers: { 'content-type': 'audio/mpeg' }, body: MP3 };
  return sseReply([
    `data: ${JSON.stringify({ type: 'speech.audio.delta', audio: 'VVVV' })}\n\n`,
    `data: ${JSON.stringify({ type: 'speech.audio.done', usage: { input_tokens: 12, output_tokens: 1500, total_tokens: 1512 } })}\n\n`,
  ]);
}

describe('OpenAI SDK text-to-speech through tokometer', () => {
  const h = sdkHarness({ upstream: { reply } }, (started) => new OpenAI({ apiKey: started.secret, baseURL: started.baseUrl(), maxRetries: 0 }));

  // 12 × $0.60 + 1,500 × $12 per 1M = 7,200 + 18,000,000 = 18,007,200 nano-USD. Before: endpoint other, $0.
  it('meters an sse answer on gpt-4o-mini-tts from speech.audio.done: 18,007,200 nano-USD', async () => {
    const res = await h.client.audio.speech.create({ model: 'gpt-4o-mini-tts', input: 'Hello there.', voice: 'coral', stream_format: 'sse' });
    expect(await res.text()).toContain('speech.audio.done');
    expect(h.lastRow()).toMatchObject({ endpoint: 'audio.speech', model: 'gpt-4o-mini-tts', streamed: 1, input_tokens: 12, output_tokens: 1500, usage_source: 'reported', cost_nano: 18_007_200 });
  });

  // 'Hello there.' = 12 bytes = 3 tokens; 160,000 bytes without a frame header at an assumed 32 kbps =
  // 40 s, ceil(40 × 1,250 / 60) = 834 audio tokens: 3 × 600 + 834 × 12,000 = 1,800 + 10,008,000 =
  // 10,009,800 nano-USD (at 128 kbps, before: 209 tokens, 2,509,800). Before metering: endpoint other, $0.
  it('estimates the default mp3 answer from its size: 834 audio tokens, 10,009,800 nano-USD, the audio relayed whole', async () => {
    const res = await h.client.audio.speech.create({ model: 'gpt-4o-mini-tts', input: 'Hello there.', voice: 'coral' });
    expect((await res.arrayBuffer()).byteLength).toBe(160_000);
    expect(h.lastRow()).toMatchObject({ endpoint: 'audio.speech', streamed: 0, input_tokens: 3, output_tokens: 834, usage_source: 'estimated', cost_nano: 10_009_800 });
  });
});
