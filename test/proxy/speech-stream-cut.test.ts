import { describe, expect, it } from 'vitest';
import { afterImmediates, bodyText, fixture, sseAnswer } from './fakes.js';
import { pricedByCatalog, speechCall } from './json-calls.js';

/**
 * A text-to-speech event stream (`stream_format: "sse"`) the provider cuts before its
 * `speech.audio.done` event, the only one with usage: the `speech.audio.delta` events relayed
 * hold the audio (base64 `audio`), which tells how much was made. Priced with the pinned
 * catalog: gpt-4o-mini-tts at $0.60 per 1M input tokens (600 nano-USD a token) and $12 per 1M
 * output (audio) tokens (12,000 nano-USD a token), 1,250 audio tokens a minute of speech.
 */

/** A `speech.audio.delta` frame carrying `audio` as base64, as OpenAI sends it. */
function delta(audio: Uint8Array): string {
  return `data: ${JSON.stringify({ type: 'speech.audio.delta', audio: Buffer.from(audio).toString('base64') })}\n\n`;
}

const DONE = `data: ${JSON.stringify({ type: 'speech.audio.done', usage: { input_tokens: 12, output_tokens: 1250, total_tokens: 1262 } })}\n\n`;

/** 40 bytes of text to speak and 8 of instructions: 48 bytes = 12 input tokens at 4 bytes per token. */
const SPOKEN = { model: 'gpt-4o-mini-tts', input: 'Welcome back! Your order has now shipped', instructions: 'Be calm.', voice: 'coral', stream_format: 'sse' };

/**
 * 60 s of mp3 (a 110-byte ID3v2 tag, then 480,000 bytes of 192-byte MPEG-2 Layer III frames at
 * 64 kbps, 24 kHz: 72 x 64,000 / 24,000 = 192 bytes a frame, 8,000 bytes a second), as 12 deltas
 * of 5 s: the first holds the tag and the first 40,000 frame bytes.
 */
function mp3Deltas(): string[] {
  const mp3 = new Uint8Array(110 + 480_000);
  mp3.set([0x49, 0x44, 0x33, 4, 0, 0, 0, 0, 0, 100]);
  for (let at = 110; at + 4 <= mp3.length; at += 192) mp3.set([0xff, 0xf3, 0x84, 0xc4], at);
  const frames = [delta(mp3.slice(0, 40_110))];
  for (let at = 40_110; at < mp3.length; at += 40_000) frames.push(delta(mp3.slice(at, at + 40_000)));
  return frames;
}

describe('a text-to-speech event stream cut before speech.audio.done', () => {
  it('the mp3 is 12 deltas of 5 s', () => {
    expect(mp3Deltas()).toHaveLength(12);
  });

  // 60 s of mp3 cut after 10 deltas: 400,000 frame bytes at 64 kbps (the first frame header's,
  // FF F3 84 C4) = 50 s = ceil(50 x 1,250 / 60) = ceil(1,041.67) = 1,042 audio tokens; 12 input
  // tokens. 12 x 600 + 1,042 x 12,000 = 7,200 + 12,504,000 = 12,511,200 nano-USD, estimated.
  // Before: estimated as any stream without usage, the request body (142 bytes) at 4 bytes a token
  // = 36 input tokens, one output token per frame = 10: 21,600 + 120,000 = 141,600 nano-USD.
  it('is estimated from the audio relayed: 50 s of a 64 kbps mp3 = 1,042 audio tokens, 12,511,200 nano-USD', async () => {
    const frames = [...mp3Deltas(), DONE];
    const f = pricedByCatalog(fixture((req) => sseAnswer(req, frames, { failAfter: 10 })));
    const res = await f.handle(speechCall(SPOKEN));
    expect(res.status).toBe(200);
    expect((await bodyText(res)).startsWith(frames.slice(0, 10).join(''))).toBe(true);
    await afterImmediates();
    expect(f.records).toHaveLength(1);
    expect(f.records[0]).toMatchObject({
      endpoint: 'audio.speech',
      outcome: 'upstream_failed',
      usageSource: 'estimated',
      usage: { inputTokens: 12, outputTokens: 1042, outputAudioTokens: 1042 },
      costNano: 12_511_200,
    });
    expect(f.records[0]?.error).toContain('1042 audio output tokens for 50 s of mp3 audio');
    expect(f.records[0]?.error).toContain('64 kbps');
    expect(f.gate.settled).toEqual([['r1', 12_511_200]]);
  });

  // pcm (24 kHz 16-bit mono, 48,000 bytes a second): deltas of 36,864, 36,865 and 36,863 bytes,
  // whose base64 ends in no, two and one '=' of padding: 110,592 bytes = 2.304 s =
  // 2.304 x 1,250 / 60 = 48 audio tokens exactly (110,595 bytes, the padding counted as audio,
  // would be 49). 12 x 600 + 48 x 12,000 = 7,200 + 576,000 = 583,200 nano-USD.
  // Before: the request body at 4 bytes a token = 42 input tokens, 3 output (a frame each): 61,200.
  it('counts the decoded bytes of each delta, padding left out: 110,592 pcm bytes = 2.304 s = 48 audio tokens, 583,200 nano-USD', async () => {
    const frames = [delta(new Uint8Array(36_864).fill(1)), delta(new Uint8Array(36_865).fill(2)), delta(new Uint8Array(36_863).fill(3)), DONE];
    expect(frames[0]).not.toContain('=');
    expect(frames[1]).toContain('=="}');
    expect(frames[2]).toMatch(/[^=]="}/);
    const f = pricedByCatalog(fixture((req) => sseAnswer(req, frames, { failAfter: 3 })));
    await bodyText(await f.handle(speechCall({ ...SPOKEN, response_format: 'pcm' })));
    await afterImmediates();
    expect(f.records[0]).toMatchObject({ outcome: 'upstream_failed', usageSource: 'estimated', usage: { inputTokens: 12, outputTokens: 48, outputAudioTokens: 48 }, costNano: 583_200 });
    expect(f.records[0]?.error).toContain('48 audio output tokens for 2.304 s of pcm audio');
  });

  // A model not billed by tokens (Groq's playai-tts, billed per character) is recorded as its raw
  // audio is: no tokens, unpriced, its 40 input characters in the note. Before: 34 input tokens
  // (the request body) and 2 output (a frame each), which a `prices:` entry for it would price.
  it("records another vendor's speech model without tokens, unpriced, its 40 input characters in the note", async () => {
    const frames = [delta(new Uint8Array(48_000)), delta(new Uint8Array(48_000)), DONE];
    const f = pricedByCatalog(fixture((req) => sseAnswer(req, frames, { failAfter: 2 })));
    await bodyText(await f.handle(speechCall({ ...SPOKEN, model: 'playai-tts', instructions: undefined, response_format: 'pcm' })));
    await afterImmediates();
    expect(f.records[0]).toMatchObject({ endpoint: 'audio.speech', model: 'playai-tts', outcome: 'upstream_failed', usage: { inputTokens: 0, outputTokens: 0 }, costNano: null });
    expect(f.records[0]?.error).toContain('(40 characters)');
    expect(f.gate.settled).toEqual([['r1', 0]]);
  });

  // A stream that ends with speech.audio.done keeps its reported usage: 12 + 1,250 tokens,
  // 7,200 + 15,000,000 = 15,007,200 nano-USD, whatever the deltas held.
  it('keeps the usage of a stream that reaches speech.audio.done: 15,007,200 nano-USD, reported', async () => {
    const f = pricedByCatalog(fixture((req) => sseAnswer(req, [...mp3Deltas().slice(0, 2), DONE])));
    await bodyText(await f.handle(speechCall(SPOKEN)));
    await afterImmediates();
    expect(f.records[0]).toMatchObject({ outcome: 'ok', usageSource: 'reported', usage: { inputTokens: 12, outputTokens: 1250 }, costNano: 15_007_200 });
    expect(f.records[0]?.error ?? null).toBeNull();
  });
});
