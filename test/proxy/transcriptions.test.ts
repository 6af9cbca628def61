import { describe, expect, it } from 'vitest';
import { isUnpriced } from '../../src/store/unpriced.js';
import { formDataCall } from './form-call.js';
import { SECRET, afterImmediates, bodyText, fixture, jsonAnswer, sseAnswer, type FakeCall } from './fakes.js';
import { pricedByCatalog } from './json-calls.js';
import { pcmWav } from '../support/wav.js';

/**
 * OpenAI audio transcriptions and translations through the proxy. The SDKs post them as
 * multipart form data (openai 6.49.0 resources/audio/transcriptions.js:12
 * `multipartFormRequestOptions`), so `model` and `stream` are form fields beside the audio
 * file, not JSON. gpt-4o-transcribe and gpt-4o-mini-transcribe answer token usage
 * (transcriptions.d.ts:70-108, `usage.type` `tokens`, `input_token_details.audio_tokens`);
 * whisper-1 answers usage by duration (:109-121, `type` `duration`, `seconds`), and a
 * translation (translations.d.ts, whisper-1 only) answers `{text}` with no usage at all.
 *
 * The fixture's pricer: 10 nano-USD per input token, 20 per output token.
 */

/** 600,000 bytes of "audio", with CR LF and dashes in it the way compressed audio has them. */
function audioBytes(): Uint8Array<ArrayBuffer> {
  const audio = new Uint8Array(600_000);
  let x = 12345;
  for (let i = 0; i < audio.length; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    audio[i] = x >> 16;
  }
  audio.set(new TextEncoder().encode('\r\n--\r\n\r\n--'), 1000);
  return audio;
}

/**
 * A multipart form as undici's FormData encodes it (what the openai SDK sends on Node),
 * fields in the given order; `file` is the audio.
 */
async function formCall(url: string, fields: ReadonlyArray<readonly [string, string]>, file: Uint8Array<ArrayBuffer> = audioBytes()): Promise<FakeCall & { sent: Uint8Array }> {
  const form = new FormData();
  for (const [name, value] of fields) {
    if (name === 'file') form.append('file', new Blob([file], { type: 'audio/mpeg' }), 'speech.mp3');
    else form.append(name, value);
  }
  return formDataCall(url, form);
}

const TOKENS_ANSWER = JSON.stringify({
  text: 'Hello, this is the recording.',
  usage: { type: 'tokens', input_tokens: 1000, input_token_details: { audio_tokens: 900, text_tokens: 100 }, output_tokens: 200, total_tokens: 1200 },
});

describe('an OpenAI transcription posted as multipart form data', () => {
  // Recorded: 1,000 × 10 + 200 × 20 = 14,000 nano-USD. Before: endpoint `other`, no usage, $0.
  it('is metered on the model of its form field (the file part first): 14,000 nano-USD', async () => {
    const f = fixture(() => jsonAnswer(TOKENS_ANSWER));
    const call = await formCall('/proxy/openai/v1/audio/transcriptions', [
      ['file', ''],
      ['model', 'gpt-4o-transcribe'],
      ['language', 'en'],
    ]);
    const res = await f.handle(call);
    expect(res.status).toBe(200);
    expect(JSON.parse(await bodyText(res)).text).toBe('Hello, this is the recording.');
    // Forwarded byte for byte.
    const forwarded = f.upstream.requests[0]?.body as Uint8Array;
    expect(Buffer.compare(forwarded, call.sent)).toBe(0);
    await afterImmediates();
    expect(f.records).toHaveLength(1);
    expect(f.records[0]).toMatchObject({
      endpoint: 'audio.transcriptions',
      modelRequested: 'gpt-4o-transcribe',
      model: 'gpt-4o-transcribe',
      usageSource: 'reported',
      usage: { inputTokens: 1000, inputAudioTokens: 900, outputTokens: 200 },
      costNano: 14_000,
      promptBytes: call.sent.length,
    });
  });

  // The reservation counts the form's text ('gpt-4o-transcribe' 17 bytes + 'en' 2 = 19),
  // not the 600,000 bytes of audio as if they were prompt text (150,000 "tokens").
  it('is reserved as a metered call of that model, its prompt the 19 bytes of text fields, not the audio', async () => {
    const f = fixture(() => jsonAnswer(TOKENS_ANSWER));
    const call = await formCall('/proxy/openai/v1/audio/transcriptions', [
      ['model', 'gpt-4o-transcribe'],
      ['file', ''],
      ['language', 'en'],
    ]);
    await bodyText(await f.handle(call));
    expect(f.gate.requests).toHaveLength(1);
    expect(f.gate.requests[0]).toMatchObject({ model: 'gpt-4o-transcribe', metered: true, promptBytes: 19, maxOutputTokens: null });
  });

  // The audio is billed as input too: its 600,000 bytes (no WAV or FLAC header) at 64 kbps are
  // 75 s, 750 audio tokens (providers/audio-length.ts), reserved beside the prompt as tokens
  // the body's bytes do not count, at the dearest input price (the audio rate).
  it('is reserved with its audio: 750 tokens beside the 19 bytes of text fields', async () => {
    const f = fixture(() => jsonAnswer(TOKENS_ANSWER));
    const call = await formCall('/proxy/openai/v1/audio/transcriptions', [
      ['model', 'gpt-4o-transcribe'],
      ['file', ''],
      ['language', 'en'],
    ]);
    await bodyText(await f.handle(call));
    expect(f.gate.requests[0]).toMatchObject({ promptBytes: 19, contextTokens: 750 });
  });

  // Recorded: 500 × 10 + 30 × 20 = 5,600 nano-USD. Before: `other`, the stream unobserved, $0.
  it('streamed (stream=true in the form): the usage of transcript.text.done, 5,600 nano-USD', async () => {
    const done = { type: 'transcript.text.done', text: 'Hello, world.', usage: { type: 'tokens', input_tokens: 500, input_token_details: { audio_tokens: 450, text_tokens: 50 }, output_tokens: 30, total_tokens: 530 } };
    const f = fixture((req) =>
      sseAnswer(req, [
        `data: ${JSON.stringify({ type: 'transcript.text.delta', delta: 'Hello' })}\n\n`,
        `data: ${JSON.stringify({ type: 'transcript.text.delta', delta: ', world.' })}\n\n`,
        `data: ${JSON.stringify(done)}\n\n`,
      ]),
    );
    const call = await formCall('/proxy/openai/v1/audio/transcriptions', [
      ['model', 'gpt-4o-mini-transcribe'],
      ['stream', 'true'],
      ['file', ''],
    ]);
    const text = await bodyText(await f.handle(call));
    expect(text).toContain('transcript.text.done');
    await afterImmediates();
    expect(f.records[0]).toMatchObject({
      endpoint: 'audio.transcriptions',
      model: 'gpt-4o-mini-transcribe',
      streamed: true,
      usageSource: 'reported',
      usage: { inputTokens: 500, inputAudioTokens: 450, outputTokens: 30 },
      costNano: 5_600,
    });
  });

  // whisper-1 is billed per second of audio at $0.36 an hour: 42 s = 42 × 0.36 / 3600 = $0.0042
  // = 4,200,000 nano-USD. Before: recorded unpriced (cost null), settled at $0.
  it('on whisper-1 (usage by duration): recorded with its 42 s of audio, priced at 4,200,000 nano-USD', async () => {
    const f = fixture(() => jsonAnswer(JSON.stringify({ text: 'Hello.', usage: { type: 'duration', seconds: 42 } })));
    pricedByCatalog(f);
    const call = await formCall('/proxy/openai/v1/audio/transcriptions', [
      ['file', ''],
      ['model', 'whisper-1'],
    ]);
    await bodyText(await f.handle(call));
    await afterImmediates();
    const r = f.records[0]!;
    expect(r).toMatchObject({ endpoint: 'audio.transcriptions', model: 'whisper-1', usageSource: 'reported', costNano: 4_200_000 });
    expect(r.usage).toMatchObject({ inputTokens: 0, outputTokens: 0, audioSeconds: 42 });
    expect(isUnpriced(r)).toBe(false);
  });

  // A transcription answered in verbose_json without `usage` (an OpenAI-compatible server, e.g.
  // Groq's whisper models) still says how long its audio was: `duration`, 60 s. The estimate
  // takes that length, not the upload's (600,000 bytes of compressed audio, read at 64 kbps as
  // 75 s): 60 × 0.36 / 3600 = 6,000,000 nano-USD, 600 audio tokens (was 7,500,000 from 75 s).
  it('a transcription answered with a duration and no usage: estimated from the answer\'s 60 s, 6,000,000 nano-USD', async () => {
    const f = fixture(() => jsonAnswer(JSON.stringify({ task: 'transcribe', language: 'english', duration: 60, text: 'Hello.', segments: [] })));
    pricedByCatalog(f);
    const call = await formCall('/proxy/openai/v1/audio/transcriptions', [
      ['file', ''],
      ['model', 'whisper-1'],
      ['response_format', 'verbose_json'],
    ]);
    await bodyText(await f.handle(call));
    await afterImmediates();
    const r = f.records[0]!;
    expect(r).toMatchObject({ endpoint: 'audio.transcriptions', model: 'whisper-1', usageSource: 'estimated', costNano: 6_000_000 });
    expect(r.usage).toMatchObject({ inputAudioTokens: 600, audioSeconds: 60 });
    expect(r.error).toMatch(/^usage estimated from the request: 600 audio tokens \(60 s of audio\) from the answer's duration/);
  });

  // A whisper-1 translation answered as text carries no usage: estimated from the upload, a
  // 16 kHz mono 16-bit PCM WAV of 30 s (960,000 data bytes at 32,000 a second), priced per
  // second: 30 × 0.36 / 3600 = $0.003 = 3,000,000 nano-USD (whisper-1 has no token price: its
  // estimated tokens add 0). Before: estimated tokens only, unpriced.
  it('a whisper-1 translation answered as plain text: 30 s of WAV estimated and priced at 3,000,000 nano-USD', async () => {
    const f = fixture(() => ({ ...jsonAnswer('Hello.'), headers: { 'content-type': 'text/plain; charset=utf-8' } }));
    pricedByCatalog(f);
    const call = await formCall('/proxy/openai/v1/audio/translations', [
      ['file', ''],
      ['model', 'whisper-1'],
      ['response_format', 'text'],
    ], pcmWav(30));
    expect(await bodyText(await f.handle(call))).toBe('Hello.');
    await afterImmediates();
    const r = f.records[0]!;
    expect(r).toMatchObject({ endpoint: 'audio.translations', model: 'whisper-1', usageSource: 'estimated', costNano: 3_000_000 });
    expect(r.usage).toMatchObject({ inputAudioTokens: 300, audioSeconds: 30 });
    expect(r.error).toMatch(/^usage estimated from the request: 300 audio tokens \(30 s of audio\)/);
  });

  // A translation answers no usage; 600,000 bytes of audio read as text would be ~150,000
  // "tokens" (1,500,000 nano-USD at the fixture's rate). It is estimated from the request
  // instead (providers/audio-length.ts): the file (no WAV or FLAC header) at 64 kbps is 75 s,
  // 750 audio tokens; 'whisper-1' + 'text' are 13 bytes of text fields, 4 tokens; the answer
  // 'Hello.' (6 bytes) 2 output tokens. 754 × 10 + 2 × 20 = 7,580 nano-USD at the fixture's
  // rates (the catalog has no token price for whisper-1: unpriced there). Before: usage
  // unknown, cost null, its reservation settled at $0.
  it('a translation answered as plain text: estimated from the audio length and the form, never from the audio bytes as text', async () => {
    const f = fixture(() => ({ ...jsonAnswer('Hello.'), headers: { 'content-type': 'text/plain; charset=utf-8' } }));
    const call = await formCall('/proxy/openai/v1/audio/translations', [
      ['file', ''],
      ['model', 'whisper-1'],
      ['response_format', 'text'],
    ]);
    expect(await bodyText(await f.handle(call))).toBe('Hello.');
    await afterImmediates();
    const r = f.records[0]!;
    expect(r).toMatchObject({ endpoint: 'audio.translations', model: 'whisper-1', usageSource: 'estimated', costNano: 7_580 });
    expect(r.usage).toMatchObject({ inputTokens: 754, inputAudioTokens: 750, outputTokens: 2 });
    expect(r.error).toMatch(/^usage estimated from the request: 750 audio tokens/);
  });
});

describe('a transcription form that names its model twice', () => {
  // The form's first `model` is gpt-4o-mini-transcribe, its second gpt-4o-transcribe: which one
  // the provider runs depends on its form parser (first wins in Go's FormValue, last in a
  // dict built from the parts). tokometer read the first, so a key allowed only
  // gpt-4o-mini-transcribe could run gpt-4o-transcribe (billed $6 per 1M audio tokens, not
  // $3) and be recorded at the cheaper price. Expected: refused (400), never forwarded.
  it('with two different values is refused, not forwarded', async () => {
    const f = fixture(() => jsonAnswer(TOKENS_ANSWER), { models: ['gpt-4o-mini-transcribe'] });
    const call = await formCall('/proxy/openai/v1/audio/transcriptions', [
      ['model', 'gpt-4o-mini-transcribe'],
      ['file', ''],
      ['model', 'gpt-4o-transcribe'],
    ]);
    const res = await f.handle(call);
    expect(res.status).toBe(400);
    expect(JSON.parse(await bodyText(res)).error.message).toMatch(/model/);
    expect(f.upstream.requests).toHaveLength(0);
  });

  // Array fields repeat by design (the SDK's timestamp_granularities[]), and a value sent
  // twice is not ambiguous: both forms are forwarded and metered as before (14,000 nano-USD).
  it('twice with the same value, or beside repeated array fields, is forwarded and metered', async () => {
    const f = fixture(() => jsonAnswer(TOKENS_ANSWER));
    const call = await formCall('/proxy/openai/v1/audio/transcriptions', [
      ['model', 'gpt-4o-transcribe'],
      ['file', ''],
      ['model', 'gpt-4o-transcribe'],
      ['timestamp_granularities[]', 'word'],
      ['timestamp_granularities[]', 'segment'],
    ]);
    const res = await f.handle(call);
    expect(res.status).toBe(200);
    await afterImmediates();
    expect(f.records[0]).toMatchObject({ model: 'gpt-4o-transcribe', costNano: 14_000 });
  });
});

describe('a transcription form whose lines end in LF alone', () => {
  // Go's mime/multipart reader accepts a form whose lines end in "\n" instead of "\r\n" ("a
  // violation of the spec, but occurs in practice", multipart.go isBoundaryDelimiterLine), so
  // a provider may run it. tokometer read no field of it: model null, recorded unpriced, $0
  // against every budget. Expected: metered on its model, 1,000 × 10 + 200 × 20 = 14,000 nano-USD.
  it('is metered on the model of its form field: 14,000 nano-USD', async () => {
    const f = fixture(() => jsonAnswer(TOKENS_ANSWER));
    const body = new TextEncoder().encode(
      '--lf\nContent-Disposition: form-data; name="file"; filename="a.mp3"\nContent-Type: audio/mpeg\n\nAUDIO\r\n\n' +
        '--lf\nContent-Disposition: form-data; name="model"\n\ngpt-4o-transcribe\n--lf--\n',
    );
    const client = new AbortController();
    const res = await f.handle({
      method: 'POST',
      url: '/proxy/openai/v1/audio/transcriptions',
      headers: { authorization: `Bearer ${SECRET}`, 'content-type': 'multipart/form-data; boundary=lf' },
      readBody: async () => body,
      signal: client.signal,
    });
    expect(res.status).toBe(200);
    await afterImmediates();
    expect(f.gate.requests[0]).toMatchObject({ model: 'gpt-4o-transcribe', metered: true, promptBytes: 17 });
    expect(f.records[0]).toMatchObject({ endpoint: 'audio.transcriptions', model: 'gpt-4o-transcribe', costNano: 14_000 });
  });
});
