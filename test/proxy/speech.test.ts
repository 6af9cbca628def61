import { describe, expect, it } from 'vitest';
import { sourceOf } from '../../src/proxy/stream-body.js';
import type { OutgoingResponse, UpstreamResponse } from '../../src/proxy/types.js';
import { pcmWav } from '../support/wav.js';
import { afterImmediates, bodyText, fixture, jsonAnswer, sseAnswer } from './fakes.js';
import { pricedByCatalog, speechCall } from './json-calls.js';

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

/** An audio answer of `audio`'s bytes as `contentType`, in chunks of `chunk` bytes (the header split across two). */
function audioAnswer(audio: Uint8Array, contentType: string, chunk = 20): UpstreamResponse {
  return {
    status: 200,
    headers: { 'content-type': contentType },
    body: sourceOf(
      (async function* () {
        yield audio.slice(0, chunk);
        for (let at = chunk; at < audio.length; at += 65_536) yield audio.slice(at, at + 65_536);
      })(),
    ),
    bytes: () => Promise.reject(new Error('an audio answer is not read whole')),
  };
}

/**
 * An mp3 of a `tagBytes` ID3v2 tag (10-byte header, size syncsafe) then `frameBytes` of
 * 192-byte MPEG-2 Layer III frames at 64 kbps, 24 kHz (72 x 64,000 / 24,000 = 192 bytes each).
 */
function mp3At64kbps(tagBytes: number, frameBytes: number): Uint8Array {
  const out = new Uint8Array(tagBytes + frameBytes);
  const size = tagBytes - 10;
  out.set([0x49, 0x44, 0x33, 4, 0, 0, (size >> 21) & 0x7f, (size >> 14) & 0x7f, (size >> 7) & 0x7f, size & 0x7f]);
  for (let at = tagBytes; at + 4 <= out.length; at += 192) out.set([0xff, 0xf3, 0x84, 0xc4], at);
  return out;
}

/** Bytes the client got, read as an edge reads them. */
async function bodyBytes(res: OutgoingResponse): Promise<number> {
  const body = res.body;
  if (body === null || typeof body === 'string') return body?.length ?? 0;
  if (body instanceof Uint8Array) return body.length;
  let n = 0;
  await body.pump((chunk) => {
    n += chunk.length;
  });
  return n;
}

/** 40 bytes of text to speak and 8 of instructions: 48 bytes = 12 tokens at 4 bytes per token. */
const SPOKEN = { model: 'gpt-4o-mini-tts', input: 'Welcome back! Your order has now shipped', instructions: 'Be calm.', voice: 'coral' };

describe('OpenAI text-to-speech answered as an audio file (the default stream_format "audio")', () => {
  it('the request text is 48 bytes', () => {
    expect(encoder.encode(SPOKEN.input + SPOKEN.instructions).length).toBe(48);
  });

  // A 24 kHz 16-bit mono WAV of 12 s (576,000 data bytes): 12 s x 1,250 audio tokens a minute = 250
  // output tokens; 48 bytes of text / 4 = 12 input tokens. gpt-4o-mini-tts: 12 x $0.60 + 250 x $12
  // per 1M = 7,200 + 3,000,000 = 3,007,200 nano-USD, estimated, settled at it.
  // Before: the generic estimate (the whole JSON body's text as input, no output): 36 input tokens, 0 output = 21,600 nano-USD.
  it('is estimated from the WAV header: 12 s = 250 audio tokens, 3,007,200 nano-USD, with a note', async () => {
    const wav = pcmWav(12, 24_000);
    const f = pricedByCatalog(fixture(() => audioAnswer(wav, 'audio/wav')));
    const res = await f.handle(speechCall({ ...SPOKEN, response_format: 'wav' }));
    expect(res.status).toBe(200);
    expect(await bodyBytes(res)).toBe(wav.length);
    await afterImmediates();
    expect(f.records[0]).toMatchObject({
      endpoint: 'audio.speech',
      usageSource: 'estimated',
      usage: { inputTokens: 12, outputTokens: 250, outputAudioTokens: 250 },
      costNano: 3_007_200,
    });
    expect(f.records[0]?.error).toContain('250 audio output tokens for 12 s of wav audio');
    expect(f.gate.settled).toEqual([['r1', 3_007_200]]);
  });

  // A streamed WAV's header gives no data size (0xFFFFFFFF): the bytes relayed after the header
  // are its data, 576,000 = 12 s, so the same 3,007,200 nano-USD; only the first 4 KiB are kept.
  it('times a streamed WAV (data size 0xFFFFFFFF) by the bytes relayed: 12 s, 3,007,200 nano-USD', async () => {
    const wav = pcmWav(12, 24_000);
    new DataView(wav.buffer).setUint32(40, 0xffffffff, true);
    const f = pricedByCatalog(fixture(() => audioAnswer(wav, 'audio/wav')));
    const res = await f.handle(speechCall({ ...SPOKEN, response_format: 'wav' }));
    expect(await bodyBytes(res)).toBe(wav.length);
    await afterImmediates();
    expect(f.records[0]).toMatchObject({ usageSource: 'estimated', usage: { inputTokens: 12, outputTokens: 250 }, costNano: 3_007_200 });
  });

  // pcm: 24 kHz 16-bit mono, no header: 96,000 bytes = 2 s; ceil(2 x 1,250 / 60) = ceil(41.67) = 42
  // tokens: 12 x 600 + 42 x 12,000 = 7,200 + 504,000 = 511,200 nano-USD.
  it('times a pcm answer at 48,000 bytes a second: 2 s = 42 audio tokens, 511,200 nano-USD', async () => {
    const f = pricedByCatalog(fixture(() => audioAnswer(new Uint8Array(96_000), 'audio/pcm')));
    const res = await f.handle(speechCall({ ...SPOKEN, response_format: 'pcm' }));
    expect(await bodyBytes(res)).toBe(96_000);
    await afterImmediates();
    expect(f.records[0]).toMatchObject({ usageSource: 'estimated', usage: { inputTokens: 12, outputTokens: 42 }, costNano: 511_200 });
  });

  // An mp3 whose first bytes hold no MPEG frame header: timed at an assumed 32 kbps (4,000 bytes a
  // second), a low rate, so the estimate runs long rather than short: 160,000 bytes = 40 s;
  // ceil(40 x 1,250 / 60) = ceil(833.33) = 834 tokens: 7,200 + 10,008,000 = 10,015,200 nano-USD.
  // Before: 128 kbps, 10 s = 209 tokens, 2,515,200 nano-USD (a 64 kbps file estimated at half its length).
  it('times an mp3 without a readable frame header at an assumed 32 kbps: 40 s = 834 audio tokens, 10,015,200 nano-USD', async () => {
    const f = pricedByCatalog(fixture(() => audioAnswer(new Uint8Array(160_000).fill(0x55), 'audio/mpeg')));
    const res = await f.handle(speechCall(SPOKEN));
    expect(await bodyBytes(res)).toBe(160_000);
    await afterImmediates();
    expect(f.records[0]).toMatchObject({ usageSource: 'estimated', usage: { inputTokens: 12, outputTokens: 834 }, costNano: 10_015_200 });
    expect(f.records[0]?.error).toContain('32 kbps');
  });

  // An mp3 after a 110-byte ID3v2 tag, its first frame header FF F3 84 C4: MPEG-2 Layer III, no CRC,
  // bitrate index 8 = 64 kbps (mp3-tech.org frame_header table, V2 L3), 24 kHz. 80,000 bytes of frames
  // at 8,000 bytes a second = 10 s = ceil(208.33) = 209 tokens: 7,200 + 2,508,000 = 2,515,200 nano-USD.
  // Before: 80,110 bytes at 128 kbps = 5.007 s = 105 tokens, 1,267,200 nano-USD: half the audio.
  it('reads an mp3 bitrate from its first MPEG frame header after an ID3v2 tag: 64 kbps, 10 s = 209 tokens', async () => {
    const f = pricedByCatalog(fixture(() => audioAnswer(mp3At64kbps(110, 80_000), 'audio/mpeg', 300)));
    const res = await f.handle(speechCall(SPOKEN));
    expect(await bodyBytes(res)).toBe(80_110);
    await afterImmediates();
    expect(f.records[0]).toMatchObject({ usageSource: 'estimated', usage: { inputTokens: 12, outputTokens: 209 }, costNano: 2_515_200 });
    expect(f.records[0]?.error).toContain('64 kbps');
  });

  // opus and aac carry no length tokometer reads: timed at an assumed 32 kbps, so a 64 kbps opus of
  // 80,000 bytes (10 s) is estimated at 20 s = ceil(416.67) = 417 tokens: 7,200 + 5,004,000 = 5,011,200.
  // Before: 128 kbps, 5 s = 105 tokens, 1,267,200 nano-USD: estimated short, not long.
  it.each(['opus', 'aac'])('times %s at an assumed 32 kbps, an upper bound: 80,000 bytes = 20 s = 417 tokens', async (format) => {
    const f = pricedByCatalog(fixture(() => audioAnswer(new Uint8Array(80_000).fill(0x55), `audio/${format}`)));
    await bodyBytes(await f.handle(speechCall({ ...SPOKEN, response_format: format })));
    await afterImmediates();
    expect(f.records[0]).toMatchObject({ usageSource: 'estimated', usage: { inputTokens: 12, outputTokens: 417 }, costNano: 5_011_200 });
  });

  // OpenAI's wav is 24 kHz 16-bit mono, 48,000 bytes a second: one whose header cannot be read is
  // timed at that: 96,000 bytes = 2 s = 42 tokens, 511,200 nano-USD. Before: 128 kbps, 6 s = 125
  // tokens, 1,507,200 nano-USD.
  it('times a wav whose header cannot be read at 48,000 bytes a second: 96,000 bytes = 2 s = 42 tokens', async () => {
    const f = pricedByCatalog(fixture(() => audioAnswer(new Uint8Array(96_000).fill(0x55), 'audio/wav')));
    await bodyBytes(await f.handle(speechCall({ ...SPOKEN, response_format: 'wav' })));
    await afterImmediates();
    expect(f.records[0]).toMatchObject({ usageSource: 'estimated', usage: { inputTokens: 12, outputTokens: 42 }, costNano: 511_200 });
  });
});

describe('OpenAI tts-1 and tts-1-hd, billed per input character', () => {
  // OpenAI bills tts-1 $15 and tts-1-hd $30 per 1M input characters, a unit tokometer has no price
  // for (the pinned catalog lists neither model). Before: estimated as gpt-4o-mini-tts is (10 input
  // tokens, 250 audio output tokens), unpriced only because the catalog lacks the model (a
  // `prices:` entry would have priced those made-up tokens), the note saying nothing of characters.
  it.each(['tts-1', 'tts-1-hd'])('records %s unpriced, without tokens, its 40 input characters in the note', async (model) => {
    const f = pricedByCatalog(fixture(() => audioAnswer(pcmWav(12, 24_000), 'audio/wav')));
    const res = await f.handle(speechCall({ ...SPOKEN, model, instructions: undefined, response_format: 'wav' }));
    expect(res.status).toBe(200);
    expect(await bodyBytes(res)).toBe(576_044);
    await afterImmediates();
    expect(f.records[0]).toMatchObject({ endpoint: 'audio.speech', model, usage: { inputTokens: 0, outputTokens: 0 }, costNano: null });
    expect(f.records[0]?.error).toContain('billed per input character (40 characters)');
    expect(f.gate.settled).toEqual([['r1', 0]]);
  });
});

describe("other speech models' raw audio (OpenAI-compatible vendors share /audio/speech)", () => {
  // Groq's playai-tts, Together's cartesia/sonic-2: billed per character by their vendors, not in
  // 1,250 audio tokens a minute. Before: estimated as gpt-4o-mini-tts is, 10 input + 250 invented
  // audio output tokens (12 s of WAV), which a `prices:` entry for the model would have priced.
  it.each(['playai-tts', 'cartesia/sonic-2'])('records %s without tokens, unpriced, its 40 input characters in the note', async (model) => {
    const f = pricedByCatalog(fixture(() => audioAnswer(pcmWav(12, 24_000), 'audio/wav')));
    const res = await f.handle(speechCall({ ...SPOKEN, model, instructions: undefined, response_format: 'wav' }));
    expect(await bodyBytes(res)).toBe(576_044);
    await afterImmediates();
    expect(f.records[0]).toMatchObject({ endpoint: 'audio.speech', model, usage: { inputTokens: 0, outputTokens: 0 }, costNano: null });
    expect(f.records[0]?.error).toContain('(40 characters)');
    expect(f.gate.settled).toEqual([['r1', 0]]);
  });

  // OpenAI's dated snapshot is token-billed as gpt-4o-mini-tts is: estimated, 12 + 250 tokens (the
  // catalog prices only the undated name, so cost null here; the tokens are the point).
  it('still estimates gpt-4o-mini-tts-2025-12-15 in tokens: 12 input, 250 audio output', async () => {
    const f = pricedByCatalog(fixture(() => audioAnswer(pcmWav(12, 24_000), 'audio/wav')));
    await bodyBytes(await f.handle(speechCall({ ...SPOKEN, model: 'gpt-4o-mini-tts-2025-12-15', response_format: 'wav' })));
    await afterImmediates();
    expect(f.records[0]).toMatchObject({ usageSource: 'estimated', usage: { inputTokens: 12, outputTokens: 250, outputAudioTokens: 250 } });
  });

  // An event stream that reports usage is recorded as reported, whatever the model.
  it('records an sse answer that reports usage as reported for any model: playai-tts 12 + 1,500 tokens', async () => {
    const frames = [`data: ${JSON.stringify(DONE)}\n\n`];
    const f = fixture((req) => sseAnswer(req, frames));
    await bodyText(await f.handle(speechCall({ model: 'playai-tts', input: 'Hello there.', voice: 'x', stream_format: 'sse' })));
    await afterImmediates();
    expect(f.records[0]).toMatchObject({ usageSource: 'reported', usage: { inputTokens: 12, outputTokens: 1500 } });
  });
});

describe('a 200 speech answer of JSON without usage (not audio)', () => {
  // Its usage cannot be told: no audio to time, no usage to read. Before: the generic estimate,
  // the request body (120 bytes) at 4 bytes a token = 30 input tokens, 0 output, `estimated`, no note:
  // 18,000 nano-USD on gpt-4o-mini-tts, settled at it.
  it('is recorded usage unknown: no usage, cost null, settled at 0', async () => {
    const f = pricedByCatalog(fixture(() => jsonAnswer(JSON.stringify({ id: 'speech_1', status: 'completed' }))));
    const res = await f.handle(speechCall(SPOKEN));
    expect(res.status).toBe(200);
    await bodyText(res);
    await afterImmediates();
    expect(f.records[0]).toMatchObject({ endpoint: 'audio.speech', usageSource: 'unknown', usage: null, costNano: null });
    expect(f.records[0]!.error).toBe('usage unknown: the speech answer was JSON without usage, neither audio nor an event stream');
    expect(f.gate.settled).toEqual([['r1', 0]]);
  });
});
