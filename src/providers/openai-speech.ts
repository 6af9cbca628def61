import { BYTES_PER_TOKEN } from '../budget/estimate.js';
import { isPerCharacterSpeechModel } from '../domain/billing-units.js';
import { formatSeconds, headerSeconds } from './audio-length.js';
import { mp3Bitrate } from './mp3-bitrate.js';
import { count, isObj, type Json } from './json.js';
import { emptyUsage, type Usage } from './types.js';

/**
 * OpenAI text-to-speech (POST /audio/speech; openai 6.49.0 resources/audio/speech.d.ts
 * SpeechCreateParams): a JSON body `{model, input, voice, instructions?, response_format?,
 * speed?, stream_format?}`. The default answer (`stream_format: "audio"`) is the audio file
 * itself and carries no usage (estimated: proxy/recorded-usage.ts); `stream_format: "sse"`
 * (not for tts-1 and tts-1-hd) answers an event stream (openai-speech-stream.ts).
 */

/**
 * The usage of a `speech.audio.done` event (OpenAI's OpenAPI spec SpeechAudioDoneEvent:
 * `usage: {input_tokens, output_tokens, total_tokens}`): the text input as input tokens, and
 * every output token as audio output (the model generates nothing else), so a model with an
 * audio output price (catalog `output_audio_mtok`) is priced at it, any other at its output
 * price (pricing/compute.ts). Null when the event carries no usage object.
 */
export function speechUsage(raw: unknown): Usage | null {
  if (!isObj(raw)) return null;
  const usage = emptyUsage();
  usage.inputTokens = count(raw.input_tokens) ?? 0;
  usage.outputTokens = count(raw.output_tokens) ?? 0;
  if (usage.outputTokens > 0) usage.outputAudioTokens = usage.outputTokens;
  return usage;
}

/**
 * Audio output tokens per minute of speech. OpenAI's pricing page estimates gpt-4o-mini-tts at
 * $0.015 a minute, which at its $12 per 1M output tokens is 1,250 tokens a minute; one
 * measured bill (github.com/sanand0/blog posts/2025/openai-tts-cost.md: $0.06471 of audio
 * output for 268 s) is 5,392 tokens, 1,207 a minute.
 */
export const SPEECH_OUTPUT_TOKENS_PER_MINUTE = 1_250;

/** What a speech request says that its estimate reads (RequestInfo.speech). */
export interface SpeechRequest {
  /** UTF-8 bytes of `input` plus `instructions`: the text billed as input tokens. */
  textBytes: number;
  /** Characters (Unicode code points) of `input`: what tts-1 and tts-1-hd are billed by. */
  characters: number;
  /** `response_format` as asked (`mp3`, `opus`, `aac`, `flac`, `wav`, `pcm`), `mp3` when unset. */
  format: string;
}

const encoder = new TextEncoder();

/** The text, its characters and the audio format of a speech request's JSON body. */
export function speechRequest(json: Json): SpeechRequest {
  const input = typeof json.input === 'string' ? json.input : '';
  const instructions = typeof json.instructions === 'string' ? json.instructions : '';
  const format = typeof json.response_format === 'string' && json.response_format.length > 0 ? json.response_format : 'mp3';
  let characters = 0;
  for (const _ of input) characters++;
  return { textBytes: encoder.encode(input).length + encoder.encode(instructions).length, characters, format };
}

/**
 * Bytes a second of `pcm` speech: 24 kHz 16-bit signed little-endian mono, no header, as
 * OpenAI's text-to-speech guide describes it (third-party players agree: pipecat's
 * OpenAITTSService plays it as 24 kHz mono PCM).
 */
const PCM_BYTES_PER_SECOND = 48_000;

/**
 * Bytes a second assumed for compressed speech whose bitrate tokometer cannot read (opus, aac,
 * an mp3 without a frame header in its first bytes): 32 kbps, a low rate for speech, so the
 * estimate bounds the audio's length from above (OpenAI states no bitrate; its mp3 measured
 * 128 kbps, 4.3 MB for 268 s, the post above: estimated 4 times long). Only an answer encoded
 * below 32 kbps is estimated short.
 */
const LOW_COMPRESSED_BYTES_PER_SECOND = 4_000;

/**
 * How long a speech answer of `totalBytes` plays, `head` its first bytes, and how that was told
 * (for the record's note): a WAV's or FLAC's header when it tells (audio-length.ts); else
 * `pcm`, and a `wav` whose header cannot be read, at 48,000 bytes a second (OpenAI's 24 kHz
 * 16-bit mono); a `flac` without a total at that same uncompressed rate, a floor (FLAC is never
 * larger than its PCM); an `mp3` at the bitrate of its first frame header (mp3-bitrate.ts,
 * exact for constant bitrate), its ID3v2 tag left out; any other (opus, aac, an mp3 without
 * a readable frame) at an assumed 32 kbps, long rather than short.
 */
export function speechSeconds(format: string, head: Uint8Array, totalBytes: number): { seconds: number; how: string } {
  const told = headerSeconds(head, totalBytes);
  if (told !== null) return { seconds: told, how: 'its header' };
  if (format === 'pcm' || format === 'wav') return { seconds: totalBytes / PCM_BYTES_PER_SECOND, how: 'its size at 24 kHz 16-bit mono' };
  if (format === 'flac') return { seconds: totalBytes / PCM_BYTES_PER_SECOND, how: 'its size at the uncompressed 384 kbps, a floor' };
  const mp3 = format === 'mp3' ? mp3Bitrate(head) : null;
  if (mp3 !== null) return { seconds: Math.max(0, totalBytes - mp3.audioStart) / (mp3.bitsPerSecond / 8), how: `its size at the ${mp3.bitsPerSecond / 1000} kbps of its first frame header` };
  return { seconds: totalBytes / LOW_COMPRESSED_BYTES_PER_SECOND, how: 'its size at an assumed 32 kbps, an upper bound on its length' };
}

/**
 * The usage of a speech answer that reported none on a token-billed model
 * (isTokenBilledSpeechModel), estimated from the audio: its `totalBytes` (fewer than the
 * provider made when the call ended early: a client that left a raw answer, a stream cut, so
 * such a call is estimated low) timed by speechSeconds from `head`, its first bytes, at
 * SPEECH_OUTPUT_TOKENS_PER_MINUTE as audio output; the request's `input` and `instructions`
 * text at BYTES_PER_TOKEN as input. `note` says so, for the record's `error`.
 */
export function speechEstimate(speech: SpeechRequest, head: Uint8Array, totalBytes: number): { usage: Usage; note: string } {
  const { seconds, how } = speechSeconds(speech.format, head, totalBytes);
  const usage = emptyUsage();
  usage.inputTokens = Math.ceil(speech.textBytes / BYTES_PER_TOKEN);
  usage.outputTokens = speechOutputTokens(seconds);
  if (usage.outputTokens > 0) usage.outputAudioTokens = usage.outputTokens;
  const note = `usage estimated from the answer: ${usage.outputTokens} audio output tokens for ${formatSeconds(seconds)} s of ${speech.format} audio (${how}) at ${SPEECH_OUTPUT_TOKENS_PER_MINUTE} a minute, the input and instructions text at ${BYTES_PER_TOKEN} bytes per token`;
  return { usage, note };
}

/**
 * Why a speech call on `model` answered as raw audio is recorded without tokens or cost: every
 * speech model but OpenAI's token-billed ones (isTokenBilledSpeechModel, whose audio is
 * estimated in tokens instead). tts-1 and tts-1-hd are billed per character of `input`
 * (OpenAI's pricing page: $15 and $30 per 1M characters), as other vendors' speech models on
 * the shared route usually are (Groq's, Together's), a unit tokometer's prices (catalog and
 * `prices:`, all per token, hour, page or use) cannot express; OpenAI's 1,250 tokens a minute
 * would invent tokens for them. The note carries the characters so the bill can be checked.
 */
export function untokenedSpeechNote(model: string | null, characters: number): string {
  const name = `'${model ?? '(no model)'}'`;
  if (isPerCharacterSpeechModel(model)) return `${name} is billed per input character (${characters} characters), a unit tokometer has no price for: recorded without tokens or cost`;
  return `${name} is not one of OpenAI's token-billed speech models, whose audio tokometer estimates in tokens; speech is usually billed per input character (${characters} characters), a unit tokometer has no price for: recorded without tokens or cost`;
}

/**
 * OpenAI's speech models billed by tokens: gpt-4o-mini-tts and its dated snapshots
 * (`gpt-4o-mini-tts-2025-12-15`; openai 6.49.0 SpeechModel). Every other speech model (tts-1,
 * another vendor's) is billed otherwise.
 */
const TOKEN_BILLED_SPEECH_MODEL = /^gpt-4o-mini-tts(?:-\d{4}-\d{2}-\d{2})?$/;

/** True for an OpenAI speech model billed by tokens (gpt-4o-mini-tts, its snapshots). */
export function isTokenBilledSpeechModel(model: string | null): boolean {
  return model !== null && TOKEN_BILLED_SPEECH_MODEL.test(model);
}

/**
 * Characters a second of the slowest speech the hold assumes at `speed` 1: 10, slower than
 * typical speech (~15 characters a second, about 150 words a minute), so the audio a text
 * makes, and the output tokens it is billed, are bounded from above.
 */
export const SLOWEST_CHARACTERS_PER_SECOND = 10;

/** `speed` as the API takes it: 0.25 to 4 (openai 6.49.0 SpeechCreateParams), 1 when unset or not a number. */
function speedOf(json: Json): number {
  const speed = json.speed;
  if (typeof speed !== 'number' || !Number.isFinite(speed)) return 1;
  return Math.min(4, Math.max(0.25, speed));
}

/**
 * The output tokens a speech request on a token-billed model (isTokenBilledSpeechModel) is
 * held at: the most audio its `input` can make, ceil(characters ÷ (10 × speed) seconds ×
 * 1,250 ÷ 60) (4,096 characters at speed 1: 409.6 s, 8,534 tokens); null for any other model.
 * The API reads no output limit, so a `max_tokens` in the body bounds nothing.
 */
export function speechOutputTokenBound(json: Json): number | null {
  if (!isTokenBilledSpeechModel(typeof json.model === 'string' ? json.model : null)) return null;
  const { characters } = speechRequest(json);
  return speechOutputTokens(characters / (SLOWEST_CHARACTERS_PER_SECOND * speedOf(json)));
}

/** Estimated audio output tokens of `seconds` of speech: ceil(seconds × 1,250 / 60), an integer >= 0. */
export function speechOutputTokens(seconds: number): number {
  return Math.ceil((seconds * SPEECH_OUTPUT_TOKENS_PER_MINUTE) / 60);
}
