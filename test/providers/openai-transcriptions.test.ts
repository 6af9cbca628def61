import { describe, expect, it } from 'vitest';
import { createPricer } from '../../src/pricing/pricer.js';
import { createOpenAiAdapter } from '../../src/providers/openai.js';

/**
 * OpenAI audio transcriptions with the GPT-4o transcribe models are billed by tokens. openai
 * 6.49.0 resources/audio/transcriptions.d.ts: `Transcription.usage` is `Tokens | Duration`;
 * `Tokens` is "Usage statistics for models billed by token usage" (:70), `input_tokens`
 * "Number of input tokens billed for this request" (:74), `input_token_details.audio_tokens`
 * "Number of audio tokens billed for this request" (:92-100). The SDK posts multipart form
 * data to `/audio/transcriptions` (transcriptions.js:12), `model` being a form field.
 *
 * tokometer forwards the path as `other`, unmetered ($0), and its OpenAI normaliser would not
 * see the audio split anyway: transcriptions name it `input_token_details`, where Chat and
 * Responses say `prompt_tokens_details` / `input_tokens_details`.
 */

const adapter = createOpenAiAdapter();
const pricer = createPricer();
const at = Date.parse('2026-12-01T12:00:00Z');

const TRANSCRIPTION = {
  text: 'Hello, this is the recording.',
  usage: { type: 'tokens', input_tokens: 1000, input_token_details: { audio_tokens: 900, text_tokens: 100 }, output_tokens: 200, total_tokens: 1200 },
};

describe('OpenAI audio transcriptions billed by tokens', () => {
  it('meters POST /audio/transcriptions (a multipart body: no JSON for describe)', () => {
    expect(adapter.describe('POST', '/v1/audio/transcriptions', undefined)).toMatchObject({ metered: true });
  });

  // gpt-4o-transcribe (catalog): text in $2.50, audio in $6, out $10 per 1M.
  //   billed:   900 × 6,000 + 100 × 2,500 + 200 × 10,000 = 5,400,000 + 250,000 + 2,000,000 = 7,650,000 nano ($0.00765)
  //   recorded: endpoint `other`, unmetered: no usage, $0
  it('reads the token usage with its audio split: 7,650,000 nano-USD on gpt-4o-transcribe', () => {
    const info = adapter.describe('POST', '/v1/audio/transcriptions', undefined);
    const observed = adapter.usageFromJson(info, TRANSCRIPTION);
    expect(observed.usage).toMatchObject({ inputTokens: 1000, inputAudioTokens: 900, outputTokens: 200 });
    const r = pricer.price(observed.usage!, { provider: 'openai', model: 'gpt-4o-transcribe', at });
    expect(r.priced && r.costNano).toBe(7_650_000);
  });
});

/**
 * The streamed form (`stream: true`, a form field): openai 6.49.0 transcriptions.d.ts:287-400,
 * `TranscriptionStreamEvent` = `transcript.text.delta` | `transcript.text.done` |
 * `transcript.text.segment`; the done event carries the same token usage ("Usage statistics
 * for models billed by token usage", :354-396, `input_token_details.audio_tokens`).
 */
describe('OpenAI streamed transcriptions', () => {
  const frame = (data: object) => ({ event: '', data: JSON.stringify(data) });

  // gpt-4o-mini-transcribe (catalog): text in $1.25, audio in $3, out $5 per 1M.
  //   billed:   450 × 3,000 + 50 × 1,250 + 30 × 5,000 = 1,350,000 + 62,500 + 150,000 = 1,562,500 nano
  //   recorded: a stream of `other` is passed through unobserved: no usage, $0
  it('reads the usage of transcript.text.done: 1,562,500 nano-USD on gpt-4o-mini-transcribe', () => {
    const info = adapter.describe('POST', '/v1/audio/transcriptions', { model: 'gpt-4o-mini-transcribe', stream: true });
    expect(info).toMatchObject({ metered: true, streaming: true, model: 'gpt-4o-mini-transcribe' });
    const acc = adapter.newStreamAccumulator(info, { stripInjectedUsage: false });
    for (const delta of ['Hello', ', world.']) expect(acc.onFrame(frame({ type: 'transcript.text.delta', delta }))).toBe(true);
    const done = { type: 'transcript.text.done', text: 'Hello, world.', usage: { type: 'tokens', input_tokens: 500, input_token_details: { audio_tokens: 450, text_tokens: 50 }, output_tokens: 30, total_tokens: 530 } };
    expect(acc.onFrame(frame(done))).toBe(true);
    const observed = acc.finish();
    expect(observed.usage).toMatchObject({ inputTokens: 500, inputAudioTokens: 450, outputTokens: 30 });
    const r = pricer.price(observed.usage!, { provider: 'openai', model: 'gpt-4o-mini-transcribe', at });
    expect(r.priced && r.costNano).toBe(1_562_500);
  });

  // A top-level error event (`{type: "error", code, message}`, as the Responses API sends),
  // not only a nested `error` object, fails the call. Before: not a failure.
  it('fails on a top-level error event, its message the reason', () => {
    const info = adapter.describe('POST', '/v1/audio/transcriptions', { model: 'gpt-4o-mini-transcribe', stream: true });
    const acc = adapter.newStreamAccumulator(info, { stripInjectedUsage: false });
    acc.onFrame(frame({ type: 'transcript.text.delta', delta: 'Hello' }));
    acc.onFrame(frame({ type: 'error', code: 'server_error', message: 'The server had an error' }));
    expect(acc.finish()).toMatchObject({ usage: null, failed: 'stream error: The server had an error' });
  });
});

/**
 * whisper-1 answers its usage as the audio's duration (transcriptions.d.ts:109-121,
 * "Usage statistics for models billed by audio input duration"): no token counts, its
 * seconds priced at the catalog's $0.36 per hour of audio (genai-prices 0.1.8 `audio_hours`).
 */
describe('OpenAI transcriptions billed by duration', () => {
  it('reads {type: duration, seconds: 42} as 42 s of audio: 42 × $0.36 / 3600 = 4,200,000 nano-USD, a per-token prices: entry included', () => {
    const info = adapter.describe('POST', '/v1/audio/transcriptions', { model: 'whisper-1' });
    const observed = adapter.usageFromJson(info, { text: 'Hi.', usage: { type: 'duration', seconds: 42 } });
    expect(observed.usage).toMatchObject({ inputTokens: 0, outputTokens: 0, audioSeconds: 42 });
    expect(pricer.price(observed.usage!, { provider: 'openai', model: 'whisper-1', at })).toMatchObject({ priced: true, costNano: 4_200_000 });
    const configured = createPricer({ 'whisper-1': { input: 2.5, output: 10 } });
    expect(configured.price(observed.usage!, { provider: 'openai', model: 'whisper-1', at })).toMatchObject({ priced: true, costNano: 4_200_000 });
  });

  // A translation has no usage in the SDK types (translations.d.ts: Translation {text},
  // TranslationVerbose {duration, language, segments, text}); its verbose_json answer still
  // says how long the audio is: 9.5 s × $0.36 / 3600 = 950,000 nano-USD, reported by the
  // provider rather than estimated from the upload's header. A plain json one says nothing.
  it('reads a verbose_json translation\'s duration (no usage object) as its seconds: 9.5 s = 950,000 nano-USD', () => {
    const info = adapter.describe('POST', '/v1/audio/translations', { model: 'whisper-1', response_format: 'verbose_json' });
    const observed = adapter.usageFromJson(info, { language: 'english', duration: 9.5, text: 'Hi.', segments: [] });
    expect(observed.usage).toMatchObject({ inputTokens: 0, outputTokens: 0, audioSeconds: 9.5 });
    expect(pricer.price(observed.usage!, { provider: 'openai', model: 'whisper-1', at })).toMatchObject({ priced: true, costNano: 950_000 });
    expect(adapter.usageFromJson(info, { text: 'Hi.' }).usage).toBeNull();
  });

  // A transcription's answer without `usage` (optional in TranscriptionDiarized and
  // TranscriptionVerbose, which both carry `duration`; an OpenAI-compatible server's
  // verbose_json) is not billed by duration when its model is billed by tokens: read as a
  // duration it prices gpt-4o-transcribe-diarize at nothing (no per-hour price), so the call
  // settled $0 instead of being estimated from the upload (60 s of WAV ≥ 3,600,000 nano-USD).
  it('leaves a transcription answer without usage to the upload estimate, though it gives a duration', () => {
    const info = adapter.describe('POST', '/v1/audio/transcriptions', { model: 'gpt-4o-transcribe-diarize', response_format: 'diarized_json' });
    expect(adapter.usageFromJson(info, { task: 'transcribe', duration: 12, text: 'Hi.', segments: [] }).usage).toBeNull();
  });

  it('reads a verbose_json answer\'s duration usage (9 s = 900,000 nano-USD)', () => {
    const info = adapter.describe('POST', '/v1/audio/transcriptions', { model: 'whisper-1', response_format: 'verbose_json' });
    const verbose = { task: 'transcribe', language: 'english', duration: 9, text: 'Hi.', segments: [], usage: { type: 'duration', seconds: 9 } };
    const observed = adapter.usageFromJson(info, verbose);
    expect(observed.usage).toMatchObject({ audioSeconds: 9 });
    expect(pricer.price(observed.usage!, { provider: 'openai', model: 'whisper-1', at })).toMatchObject({ priced: true, costNano: 900_000 });
  });
});
