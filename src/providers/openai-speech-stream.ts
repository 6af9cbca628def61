import type { Json } from './json.js';
import { UsageEventStream } from './openai-event-stream.js';
import { speechEstimate, speechUsage, type SpeechRequest } from './openai-speech.js';
import type { Observed, SseFrame } from './types.js';

/**
 * An OpenAI speech stream (`stream_format: "sse"`): `speech.audio.delta` events
 * `{"type":"speech.audio.delta","audio":"<base64>"}`, then `speech.audio.done` with the usage
 * (openai-speech.ts speechUsage). A delta is never parsed: its base64 string is found by
 * position and only its length read, the audio's decoded bytes; the first delta's first
 * HEAD_BASE64_CHARS alone are decoded, for the audio's header. A stream that ends without
 * usage (cut by the provider before `speech.audio.done`) on a token-billed model is estimated
 * from that audio (openai-speech.ts speechEstimate), flagged estimated. An error event fails
 * the call (openai-event-stream.ts eventFailure).
 */

/** The member that holds a delta's base64 audio. */
const AUDIO_MEMBER = '"audio"';

/**
 * Base64 characters of the first delta decoded for the audio's header: 5,464, a multiple of 4,
 * 4,098 bytes, as many as a raw answer keeps (proxy/body-steps.ts SPEECH_HEAD_BYTES, 4 KiB).
 */
const HEAD_BASE64_CHARS = 5_464;

export class SpeechStream extends UsageEventStream {
  /** Decoded bytes of the audio of the deltas seen. */
  private audioBytes = 0;
  /** The first delta's first bytes (up to 4,098), null before any delta. */
  private head: Uint8Array | null = null;

  /**
   * `speech`: the request's text and format (RequestInfo.speech), undefined when not read;
   * `estimates`: true for a token-billed model (isTokenBilledSpeechModel), whose audio is
   * counted; any other's stream without usage is recorded without tokens (proxy/recorded-usage.ts).
   */
  constructor(
    private readonly speech: SpeechRequest | undefined,
    private readonly estimates: boolean,
  ) {
    super();
  }

  protected onUsageEvent(json: Json): void {
    if (json.type === 'speech.audio.done') this.usage = speechUsage(json.usage) ?? this.usage;
  }

  override onFrame(frame: SseFrame): boolean {
    // A delta (the only event with an `audio` string) carries neither usage nor an error.
    if (this.estimates && this.countAudio(frame.data)) return true;
    return super.onFrame(frame);
  }

  override finish(): Observed {
    const observed = super.finish();
    if (observed.usage !== null || !this.estimates || this.speech === undefined) return observed;
    const { usage, note } = speechEstimate(this.speech, this.head ?? new Uint8Array(0), this.audioBytes);
    return { ...observed, usage, estimated: true, estimateNote: `the stream ended before speech.audio.done: ${note}` };
  }

  /** Counts the audio of `data` when it holds an `"audio": "<base64>"` member; false when it does not. */
  private countAudio(data: string): boolean {
    const member = data.indexOf(AUDIO_MEMBER);
    if (member < 0) return false;
    let start = member + AUDIO_MEMBER.length;
    while (data[start] === ' ' || data[start] === ':') start++;
    if (data[start] !== '"') return false;
    start++;
    const end = data.indexOf('"', start);
    if (end < 0) return false;
    this.audioBytes += base64Bytes(data, start, end);
    this.head ??= decodeBase64(data.slice(start, Math.min(end, start + HEAD_BASE64_CHARS)));
    return true;
  }
}

/**
 * Bytes the base64 `data[start, end)` decodes to, without decoding it: 3 per 4 characters, less
 * one per `=` of padding (an unpadded tail of 2 or 3 characters: 1 or 2 bytes).
 */
function base64Bytes(data: string, start: number, end: number): number {
  const length = end - start;
  const padding = length > 0 && data[end - 1] === '=' ? (length > 1 && data[end - 2] === '=' ? 2 : 1) : 0;
  return Math.max(0, Math.floor((length * 3) / 4) - padding);
}

/** The bytes of base64 `text`; empty when it is not base64. */
function decodeBase64(text: string): Uint8Array {
  try {
    const binary = atob(text);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  } catch {
    return new Uint8Array(0);
  }
}
