import OpenAI, { toFile } from 'openai';
import { describe, expect, it } from 'vitest';
import type { ReceivedRequest, Reply } from '../support/fake-upstream.js';
import { sdkHarness, sseReply } from './sdk-harness.js';

/**
 * Audio transcriptions as the openai SDK (6.49.0) posts them: multipart form data
 * (resources/audio/transcriptions.js `multipartFormRequestOptions`), the booleans written
 * as text (`stream` = `true`), the audio a file part. 200,000 bytes of "audio".
 */

const AUDIO = new Uint8Array(200_000).map((_, i) => (i * 7919) & 0xff);

const TOKENS = { type: 'tokens', input_tokens: 1000, input_token_details: { audio_tokens: 900, text_tokens: 100 }, output_tokens: 200, total_tokens: 1200 };

function reply(req: ReceivedRequest): Reply | undefined {
  if (req.url !== '/audio/transcriptions' || req.method !== 'POST') return undefined;
  if (req.body.includes('name="model"\r\n\r\nwhisper-1\r\n')) {
    const usage = { type: 'duration', seconds: 9 };
    if (!req.body.includes('name="response_format"\r\n\r\nverbose_json\r\n')) return { body: JSON.stringify({ text: 'Hi.', usage }) };
    return { body: JSON.stringify({ task: 'transcribe', language: 'english', duration: 9, text: 'Hi.', segments: [], usage }) };
  }
  if (!req.body.includes('name="stream"\r\n\r\ntrue\r\n')) return { body: JSON.stringify({ text: 'Hello there.', usage: TOKENS }) };
  return sseReply([
    `data: ${JSON.stringify({ type: 'transcript.text.delta', delta: 'Hello' })}\n\n`,
    `data: ${JSON.stringify({ type: 'transcript.text.delta', delta: ' there.' })}\n\n`,
    `data: ${JSON.stringify({ type: 'transcript.text.done', text: 'Hello there.', usage: TOKENS })}\n\n`,
  ]);
}

// gpt-4o-transcribe per 1M tokens: text input $2.50, audio input $6, output $10:
//   900 × 6,000 + 100 × 2,500 + 200 × 10,000 = 5,400,000 + 250,000 + 2,000,000 = 7,650,000 nano-USD.
const COST_NANO = 7_650_000;

describe('OpenAI SDK audio transcriptions through tokometer', () => {
  const h = sdkHarness({ upstream: { reply } }, (started) => new OpenAI({ apiKey: started.secret, baseURL: started.baseUrl(), maxRetries: 0 }));

  it('meters a transcription on gpt-4o-transcribe to the nano-dollar, the audio forwarded whole', async () => {
    const res = await h.client.audio.transcriptions.create({ file: await toFile(AUDIO, 'speech.mp3'), model: 'gpt-4o-transcribe' });
    expect(res.text).toBe('Hello there.');
    expect(Number(h.lastUpstream().headers['content-length'])).toBeGreaterThan(AUDIO.length);
    expect(h.lastRow()).toMatchObject({
      endpoint: 'audio.transcriptions',
      model_requested: 'gpt-4o-transcribe',
      model: 'gpt-4o-transcribe',
      streamed: 0,
      input_tokens: 1000,
      input_audio_tokens: 900,
      output_tokens: 200,
      usage_source: 'reported',
      cost_nano: COST_NANO,
    });
  });

  it('meters the streamed form from its transcript.text.done event', async () => {
    const stream = await h.client.audio.transcriptions.create({ file: await toFile(AUDIO, 'speech.mp3'), model: 'gpt-4o-transcribe', stream: true });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types).toEqual(['transcript.text.delta', 'transcript.text.delta', 'transcript.text.done']);
    expect(h.lastRow()).toMatchObject({ endpoint: 'audio.transcriptions', model: 'gpt-4o-transcribe', streamed: 1, input_audio_tokens: 900, output_tokens: 200, cost_nano: COST_NANO });
  });

  // whisper-1 at $0.36 per hour of audio (genai-prices 0.1.8): 9 s × 0.36 / 3600 = $0.0009 = 900,000 nano-USD.
  // Before: recorded unpriced (cost_nano null).
  it('meters whisper-1 (billed per second of audio) from its duration usage: 9 s = 900,000 nano-USD, the seconds stored', async () => {
    const res = await h.client.audio.transcriptions.create({ file: await toFile(AUDIO, 'speech.mp3'), model: 'whisper-1' });
    expect(res.text).toBe('Hi.');
    expect(h.lastRow()).toMatchObject({ endpoint: 'audio.transcriptions', model: 'whisper-1', input_tokens: 0, output_tokens: 0, usage_source: 'reported', audio_seconds: 9, cost_nano: 900_000 });
  });

  it('meters a whisper-1 verbose_json transcription from its duration usage: 900,000 nano-USD', async () => {
    const res = await h.client.audio.transcriptions.create({ file: await toFile(AUDIO, 'speech.mp3'), model: 'whisper-1', response_format: 'verbose_json' });
    expect(res.duration).toBe(9);
    expect(h.lastRow()).toMatchObject({ endpoint: 'audio.transcriptions', model: 'whisper-1', usage_source: 'reported', audio_seconds: 9, cost_nano: 900_000 });
  });
});
