import { count, isObj, type Json } from './json.js';
import { UsageEventStream } from './openai-event-stream.js';
import { emptyUsage, type Usage } from './types.js';

/**
 * OpenAI text-to-speech (POST /audio/speech; openai 6.49.0 resources/audio/speech.d.ts
 * SpeechCreateParams): a JSON body `{model, input, voice, instructions?, response_format?,
 * speed?, stream_format?}`. The default answer (`stream_format: "audio"`) is the audio file
 * itself and carries no usage (estimated: proxy/recorded-usage.ts); `stream_format: "sse"`
 * (not for tts-1 and tts-1-hd) answers an event stream read here.
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
 * A speech stream (`stream_format: "sse"`): `speech.audio.delta` events (base64 `audio`, never
 * parsed: they carry no `"usage"`), then `speech.audio.done` with the usage. An error event
 * fails the call (openai-event-stream.ts eventFailure).
 */
export class SpeechStream extends UsageEventStream {
  protected onUsageEvent(json: Json): void {
    if (json.type === 'speech.audio.done') this.usage = speechUsage(json.usage) ?? this.usage;
  }
}
