import { Mistral } from '@mistralai/mistralai';
import { describe, expect, it } from 'vitest';
import type { ReceivedRequest, Reply } from '../support/fake-upstream.js';
import { pcmWav } from '../support/wav.js';
import { sdkHarness, sseReply } from './sdk-harness.js';

/**
 * Mistral audio transcriptions as @mistralai/mistralai 2.7.0 posts them
 * (funcs/audioTranscriptionsComplete.js, audioTranscriptionsStream.js): multipart form data to
 * /v1/audio/transcriptions, `model` and `stream` text fields, the audio a file part. The answer
 * is a TranscriptionResponse whose usage (UsageInfo) reports `prompt_audio_seconds`; a stream
 * ends with a `transcription.done` event carrying the same usage.
 */

const AUDIO = pcmWav(60);
const USAGE = { prompt_audio_seconds: 60, prompt_tokens: 4, completion_tokens: 120, total_tokens: 124 };

function reply(req: ReceivedRequest): Reply | undefined {
  if (req.url !== '/v1/audio/transcriptions' || req.method !== 'POST') return undefined;
  const model = /name="model"\r\n\r\n([^\r]+)\r\n/.exec(req.body)?.[1] ?? 'none';
  // An answer whose usage reports no seconds (asked for by language=xx; the SDK requires the
  // usage object itself) is estimated from the upload.
  if (req.body.includes('name="language"\r\n\r\nxx\r\n')) return { body: JSON.stringify({ model, text: 'Hello there.', language: 'xx', usage: { prompt_audio_seconds: null } }) };
  const done = { model, text: 'Hello there.', language: 'en', usage: USAGE };
  if (!req.body.includes('name="stream"\r\n\r\ntrue\r\n')) return { body: JSON.stringify(done) };
  return sseReply([
    `event: transcription.text.delta\ndata: ${JSON.stringify({ type: 'transcription.text.delta', text: 'Hello' })}\n\n`,
    `event: transcription.text.delta\ndata: ${JSON.stringify({ type: 'transcription.text.delta', text: ' there.' })}\n\n`,
    `event: transcription.done\ndata: ${JSON.stringify({ ...done, type: 'transcription.done' })}\n\n`,
  ]);
}

// voxtral-mini-2602 (also matched by voxtral-mini-latest) in the pinned catalog (genai-prices
// 0.1.8): audio_hours 0.18, input_audio_hours 0.18, no token price. 60 s × $0.18 / 3600 s =
// $0.003 = 3,000,000 nano-USD; its 4 + 120 tokens add nothing. Before: endpoint `other`, $0.
const COST_NANO = 3_000_000;

describe('Mistral SDK audio transcriptions through tokometer', () => {
  const h = sdkHarness({ upstream: { reply }, provider: 'mistral' }, (started) => new Mistral({ apiKey: started.secret, serverURL: started.baseUrl('mistral'), retryConfig: { strategy: 'none' } }));

  it('meters a 60 s voxtral-mini-2602 transcription at $0.18 an hour: 3,000,000 nano-USD, the seconds stored', async () => {
    const res = await h.client.audio.transcriptions.complete({ model: 'voxtral-mini-2602', file: { fileName: 'speech.wav', content: AUDIO } });
    expect(res.text).toBe('Hello there.');
    expect(res.usage.promptAudioSeconds).toBe(60);
    expect(Number(h.lastUpstream().headers['content-length'])).toBeGreaterThan(AUDIO.length);
    expect(h.lastRow()).toMatchObject({
      provider: 'mistral',
      endpoint: 'audio.transcriptions',
      model_requested: 'voxtral-mini-2602',
      model: 'voxtral-mini-2602',
      streamed: 0,
      input_tokens: 4,
      output_tokens: 120,
      audio_seconds: 60,
      usage_source: 'reported',
      cost_nano: COST_NANO,
    });
  });

  it('prices voxtral-mini-latest as voxtral-mini-2602 (the catalog matches both names)', async () => {
    await h.client.audio.transcriptions.complete({ model: 'voxtral-mini-latest', file: { fileName: 'speech.wav', content: AUDIO } });
    expect(h.lastRow()).toMatchObject({ endpoint: 'audio.transcriptions', model: 'voxtral-mini-latest', audio_seconds: 60, cost_nano: COST_NANO });
  });

  it('meters the streamed form from its transcription.done event: 3,000,000 nano-USD', async () => {
    const stream = await h.client.audio.transcriptions.stream({ model: 'voxtral-mini-2602', file: { fileName: 'speech.wav', content: AUDIO } });
    const events: string[] = [];
    for await (const event of stream) events.push(event.event);
    expect(events).toEqual(['transcription.text.delta', 'transcription.text.delta', 'transcription.done']);
    expect(h.lastRow()).toMatchObject({ endpoint: 'audio.transcriptions', model: 'voxtral-mini-2602', streamed: 1, audio_seconds: 60, usage_source: 'reported', cost_nano: COST_NANO });
  });

  // voxtral-small-latest is priced per token in the catalog (voxtral-small-24b-2507, since
  // 2026-08-11 $0.10 in, $0.40 out per 1M = 100 / 400 nano-USD a token), no per-hour price:
  // 4 × 100 + 120 × 400 = 400 + 48,000 = 48,400 nano-USD; the seconds are stored, not priced.
  it('prices voxtral-small-latest by its tokens: 48,400 nano-USD', async () => {
    await h.client.audio.transcriptions.complete({ model: 'voxtral-small-latest', file: { fileName: 'speech.wav', content: AUDIO } });
    expect(h.lastRow()).toMatchObject({ endpoint: 'audio.transcriptions', model: 'voxtral-small-latest', input_tokens: 4, output_tokens: 120, audio_seconds: 60, cost_nano: 48_400 });
  });

  it('leaves a name the catalog does not know (voxtral-small) unpriced, never $0', async () => {
    await h.client.audio.transcriptions.complete({ model: 'voxtral-small', file: { fileName: 'speech.wav', content: AUDIO } });
    expect(h.lastRow()).toMatchObject({ endpoint: 'audio.transcriptions', model: 'voxtral-small', usage_source: 'reported', audio_seconds: 60, cost_nano: null });
  });

  // No seconds in the answer's usage: estimated from the upload, a 60 s WAV (its header's data size over
  // its byte rate), at the same $0.18 an hour: 3,000,000 nano-USD.
  it('estimates an answer whose usage has no seconds from the uploaded audio: 60 s = 3,000,000 nano-USD', async () => {
    await h.client.audio.transcriptions.complete({ model: 'voxtral-mini-2602', language: 'xx', file: { fileName: 'speech.wav', content: AUDIO } });
    expect(h.lastRow()).toMatchObject({ endpoint: 'audio.transcriptions', model: 'voxtral-mini-2602', usage_source: 'estimated', audio_seconds: 60, cost_nano: COST_NANO });
  });
});
