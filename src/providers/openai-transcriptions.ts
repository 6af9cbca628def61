import { isAmount, isObj, type Json } from './json.js';
import { UsageEventStream } from './openai-event-stream.js';
import { normaliseOpenAiUsage } from './openai-usage.js';
import { emptyUsage, type Observed, type Usage } from './types.js';

/**
 * OpenAI audio transcriptions and translations (POST /audio/transcriptions, /audio/translations;
 * openai 6.49.0 resources/audio/transcriptions.d.ts, translations.d.ts). Their answers name
 * no model: the call's is the one its form asked for (RequestInfo.model).
 */

/**
 * The usage of a transcription answer (`usage`, transcriptions.d.ts:52-121): for models
 * billed by tokens (gpt-4o-transcribe, gpt-4o-mini-transcribe) `{type: "tokens",
 * input_tokens, input_token_details: {audio_tokens, text_tokens}, output_tokens}`, read as
 * any OpenAI usage (audio tokens a subset of the input); for models billed by the audio's
 * duration (whisper-1) `{type: "duration", seconds}` (verbose_json too:
 * TranscriptionVerbose.Usage), a usage with no token counts and its seconds
 * (Usage.audioSeconds), priced at the model's per-hour price. null when the answer carries
 * none (a translation, whose types have no usage; a `text`, `srt` or `vtt` answer): the call
 * is then estimated from the upload (proxy/recorded-usage.ts).
 */
export function transcriptionUsage(raw: unknown): Usage | null {
  if (!isObj(raw)) return null;
  if (raw.type === 'duration') {
    const usage = emptyUsage();
    usage.audioSeconds = isAmount(raw.seconds) ? raw.seconds : 0;
    return usage;
  }
  return normaliseOpenAiUsage(raw);
}

/**
 * Usage of a non-streamed transcription or translation answer (json, verbose_json,
 * diarized_json). A verbose_json translation (`translation` true) has no `usage`
 * (translations.d.ts TranslationVerbose) but its `duration`, the input audio's seconds: read
 * as a duration usage, as whisper-1's `{type: "duration", seconds}` is, rather than estimated
 * from the upload's header. A transcription's `duration` is not: its `usage` says how it is
 * billed, and without one (optional in TranscriptionVerbose and TranscriptionDiarized;
 * an OpenAI-compatible server's verbose_json) the call is estimated, never priced by a
 * duration its model may have no price for: the estimate takes the answer's `duration` as the
 * audio's length (Observed.audioSeconds) instead of the upload's. An answer with neither has none.
 */
export function observeTranscription(json: Json, translation: boolean): Observed {
  const duration = json.usage === undefined && isAmount(json.duration) ? json.duration : undefined;
  const usage = transcriptionUsage(json.usage) ?? (translation && duration !== undefined ? transcriptionUsage({ type: 'duration', seconds: duration }) : null);
  // A transcription's duration without usage is still the audio's true length: the estimate's.
  return usage === null && duration !== undefined ? { usage, model: null, audioSeconds: duration } : { usage, model: null };
}

/**
 * A streamed transcription (`stream: true`; transcriptions.d.ts:287-400): `transcript.text.delta`
 * (and `transcript.text.segment`) events, then `transcript.text.done` with the usage. An error
 * event (a nested `error` object, which the openai SDK raises as an APIError, or
 * `{type: "error"}`: openai-event-stream.ts eventFailure) fails the call.
 */
export class TranscriptionStream extends UsageEventStream {
  protected onUsageEvent(json: Json): void {
    if (json.type === 'transcript.text.done') this.usage = transcriptionUsage(json.usage) ?? this.usage;
  }
}
