import { isAmount, isObj, parseJson, str, type Json } from './json.js';
import { normaliseMistralUsage } from './mistral-usage.js';
import { emptyUsage, type Observed, type SseFrame, type StreamAccumulator, type Usage } from './types.js';

/**
 * Mistral audio transcriptions (POST /v1/audio/transcriptions; @mistralai/mistralai 2.7.0
 * funcs/audioTranscriptionsComplete.js and audioTranscriptionsStream.js): a multipart form whose
 * `model` and `stream` are text fields, answered with a TranscriptionResponse
 * `{model, text, segments?, usage: UsageInfo, language}` (models/components/transcriptionresponse.d.ts)
 * or, streamed, `transcription.language`, `transcription.segment`, `transcription.text.delta`
 * events and a last `transcription.done` carrying the same fields and usage
 * (transcriptionstreamdone.d.ts).
 */

/**
 * The usage of a transcription (UsageInfo: `prompt_audio_seconds`, `prompt_tokens`,
 * `completion_tokens`, `total_tokens`): the token counts as any Mistral usage, plus the seconds
 * of audio as Usage.audioSeconds. The pricer prices whichever the model has a price for
 * (voxtral-mini-2602 has only a per-hour one, $0.18/h in genai-prices 0.1.8; its tokens add 0).
 * null when the usage reports no seconds (absent or null): the call is then estimated from the
 * upload (proxy/recorded-usage.ts), which carries the upload's seconds, rather than recorded with
 * tokens alone, which a model priced per hour cannot be priced by.
 */
export function mistralTranscriptionUsage(raw: unknown): Usage | null {
  if (!isObj(raw) || !isAmount(raw.prompt_audio_seconds)) return null;
  const usage = normaliseMistralUsage(raw) ?? emptyUsage();
  usage.audioSeconds = raw.prompt_audio_seconds;
  return usage;
}

/** Usage and model of a non-streamed transcription answer. */
export function observeMistralTranscription(json: Json): Observed {
  return { usage: mistralTranscriptionUsage(json.usage), model: str(json.model) };
}

/**
 * A streamed transcription: only the `transcription.done` event carries usage (and the model);
 * the deltas are passed unparsed. Nothing is removed from the client's stream.
 */
export class MistralTranscriptionStream implements StreamAccumulator {
  private usage: Usage | null = null;
  private model: string | null = null;

  onFrame(frame: SseFrame): boolean {
    const data = frame.data;
    if (!data.includes('"usage"')) return true;
    const json = parseJson(data);
    if (!isObj(json) || json.type !== 'transcription.done') return true;
    this.usage = mistralTranscriptionUsage(json.usage) ?? this.usage;
    this.model = str(json.model) ?? this.model;
    return true;
  }

  finish(): Observed {
    return { usage: this.usage, model: this.model };
  }
}
