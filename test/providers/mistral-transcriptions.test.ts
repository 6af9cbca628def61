import { describe, expect, it } from 'vitest';
import { createMistralAdapter } from '../../src/providers/mistral.js';
import { replayStream } from './support.js';

/**
 * Mistral audio transcriptions (@mistralai/mistralai 2.7.0 funcs/audioTranscriptionsComplete.js,
 * audioTranscriptionsStream.js): a multipart form POST /v1/audio/transcriptions whose `model`
 * and `stream` are text fields (the SDK writes `true` as text), answered with a
 * TranscriptionResponse {model, text, usage: UsageInfo {prompt_audio_seconds, prompt_tokens,
 * completion_tokens, total_tokens}}, or streamed as `transcription.*` events, the usage on
 * `transcription.done` (TranscriptionStreamDone).
 */

const adapter = createMistralAdapter();
const USAGE = { prompt_audio_seconds: 60, prompt_tokens: 4, completion_tokens: 120, total_tokens: 124 };

describe('Mistral audio transcriptions', () => {
  it('are metered as kind transcriptions, the model and stream read from the form fields, with or without /v1', () => {
    expect(adapter.describe('POST', '/v1/audio/transcriptions', { model: 'voxtral-mini-2602' })).toMatchObject({ endpoint: 'audio.transcriptions', kind: 'transcriptions', metered: true, model: 'voxtral-mini-2602', streaming: false });
    expect(adapter.describe('POST', '/audio/transcriptions', { model: 'voxtral-mini-latest', stream: 'true' })).toMatchObject({ kind: 'transcriptions', metered: true, model: 'voxtral-mini-latest', streaming: true });
    expect(adapter.describe('POST', '/v1/audio/transcriptions', { model: 'voxtral-mini-latest', stream: 'false' })).toMatchObject({ streaming: false });
  });

  it('read the seconds of audio and the tokens of the answer', () => {
    const info = adapter.describe('POST', '/v1/audio/transcriptions', { model: 'voxtral-mini-latest' });
    const observed = adapter.usageFromJson(info, { model: 'voxtral-mini-2602', text: 'Hello.', language: 'en', usage: USAGE });
    expect(observed.model).toBe('voxtral-mini-2602');
    expect(observed.usage).toMatchObject({ inputTokens: 4, outputTokens: 120, audioSeconds: 60 });
  });

  it('read seconds alone as a usage, and an answer with neither as none (estimated from the upload)', () => {
    const info = adapter.describe('POST', '/v1/audio/transcriptions', { model: 'voxtral-mini-2602' });
    expect(adapter.usageFromJson(info, { model: 'voxtral-mini-2602', text: '', usage: { prompt_audio_seconds: 12.5 } }).usage).toMatchObject({ inputTokens: 0, outputTokens: 0, audioSeconds: 12.5 });
    expect(adapter.usageFromJson(info, { model: 'voxtral-mini-2602', text: '' }).usage).toBeNull();
    expect(adapter.usageFromJson(info, { model: 'voxtral-mini-2602', text: '', usage: { prompt_audio_seconds: null } }).usage).toBeNull();
  });

  it('streamed: the usage of the transcription.done event, the event lines kept', () => {
    const info = adapter.describe('POST', '/v1/audio/transcriptions', { model: 'voxtral-mini-2602', stream: 'true' });
    const body = [
      `event: transcription.language\ndata: ${JSON.stringify({ type: 'transcription.language', audio_language: 'en' })}\n\n`,
      `event: transcription.text.delta\ndata: ${JSON.stringify({ type: 'transcription.text.delta', text: 'Hello' })}\n\n`,
      `event: transcription.done\ndata: ${JSON.stringify({ model: 'voxtral-mini-2602', text: 'Hello', language: 'en', type: 'transcription.done', usage: USAGE })}\n\n`,
    ].join('');
    const replayed = replayStream(adapter, info, adapter.prepare(info, {}, new Uint8Array()), body, 7);
    expect(replayed.observed.usage).toMatchObject({ inputTokens: 4, outputTokens: 120, audioSeconds: 60 });
    expect(replayed.observed.model).toBe('voxtral-mini-2602');
    expect(replayed.dropped).toEqual([]);
  });
});
