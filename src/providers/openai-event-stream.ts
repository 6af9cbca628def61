import { isObj, parseJson, str, type Json } from './json.js';
import { pickJsonKeysOfText } from './json-keys.js';
import type { Observed, SseFrame, StreamAccumulator, Usage } from './types.js';

/**
 * What OpenAI's event streams share: why one failed, and the accumulator of the streams whose
 * usage arrives in one kind of event (the Images API's, the audio transcriptions').
 */

/** Why a stream failed, from the `error` object a provider sends inside it (`{message, type, code}`). */
export function streamError(error: Json): string {
  return `stream error: ${str(error.message) ?? str(error.type) ?? str(error.code) ?? 'no reason given'}`;
}

/**
 * Why a stream's event fails the call, or undefined: a chunk carrying an `error` object (the
 * openai SDK raises it as an APIError: core/streaming.js `data.error`), or a top-level error
 * event `{type: "error", code, message}` (the Responses API's ResponseErrorEvent shape).
 */
export function eventFailure(json: Json): string | undefined {
  if (isObj(json.error)) return streamError(json.error);
  if (json.type === 'error') return `stream error: ${str(json.message) ?? str(json.code) ?? 'no reason given'}`;
  return undefined;
}

/**
 * A stream whose only events worth parsing carry `"usage"` or `"error"`: every other data line
 * (text deltas, base64 image frames) passes unparsed. `onUsageEvent` reads a parsed event's
 * usage; an error event fails the call (eventFailure), the first reason kept.
 */
export abstract class UsageEventStream implements StreamAccumulator {
  protected usage: Usage | null = null;
  private failed: string | undefined;

  /** Reads the usage a parsed event carries, if it is the kind that does. */
  protected abstract onUsageEvent(json: Json): void;

  /**
   * The top-level members of an event this stream reads, when its events are large and the
   * rest is never read (an Images `*.completed` event holds the whole image): only those are
   * parsed (json-keys.ts). Undefined, the default: each event is parsed whole.
   */
  protected eventKeys(): readonly string[] | undefined {
    return undefined;
  }

  /** True for a frame skipped without a look at its data (a partial image): none by default. */
  protected skips(_frame: SseFrame): boolean {
    return false;
  }

  onFrame(frame: SseFrame): boolean {
    if (this.skips(frame)) return true;
    const data = frame.data;
    if (!data.includes('"usage"') && !data.includes('"error"')) return true;
    const keys = this.eventKeys();
    const json = keys === undefined ? parseJson(data) : (pickJsonKeysOfText(data, keys) ?? parseJson(data));
    if (!isObj(json)) return true;
    this.onUsageEvent(json);
    this.failed ??= eventFailure(json);
    return true;
  }

  finish(): Observed {
    const observed: Observed = { usage: this.usage, model: null };
    if (this.failed !== undefined) observed.failed = this.failed;
    return observed;
  }
}
