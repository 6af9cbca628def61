import type { ProxyError } from '../lib/errors.js';
import type { RequestInfo } from './request-info.js';
import type { Usage } from './usage.js';

/** The usage types (providers/usage.ts), where the adapters and their users have always found them. */
export { emptyUsage, type AdvisorUsage, type BillingConditions, type StepUsage, type Usage } from './usage.js';

/** What an adapter learns about a request (providers/request-info.ts). */
export type { AdvisorToolBound, EndpointKind, FallbackBound, ImageToolBound, RequestInfo } from './request-info.js';

/** One parsed SSE frame. `raw` are the exact bytes of the frame including its terminating blank line. */
export interface SseFrame {
  /** Value of the `event:` field, or '' when absent. */
  event: string;
  /** The `data:` lines joined with '\n' ('' when the frame has none, e.g. a comment-only frame). */
  data: string;
}

/** Usage and answered model extracted from a response. */
export interface Observed {
  usage: Usage | null;
  /** Model as answered by the provider (e.g. the dated snapshot), null when unknown. */
  model: string | null;
  /** True when `usage` was estimated by the adapter rather than reported by the provider (row flagged `estimated`). */
  estimated?: boolean;
  /** How an `estimated` usage was made, for the record's `error` (a speech stream cut before its usage: openai-speech-stream.ts); absent when it needs no word. */
  estimateNote?: string;
  /** Why generation stopped, one per choice/candidate, as the provider said it (`stop`, `end_turn`, `STOP`); absent when unknown. */
  finishReasons?: string[];
  /**
   * Set when the provider accepted the work but answered before doing it (an OpenAI
   * `background: true` response, `queued` or `in_progress`): the id whose usage the
   * adapter's `pending` reads later. `usage` is then null.
   */
  pendingId?: string;
  /** The id the provider gave this answer when a later request may continue it (OpenAI Responses `id`). */
  responseId?: string;
  /**
   * Set when a 2xx answer says the work failed inside it (an OpenAI `response.failed` event
   * or `status: failed` response, an Anthropic `error` event mid-stream): why, for the
   * record. The call is recorded `upstream_failed`, with whatever usage it carries.
   */
  failed?: string;
  /**
   * Seconds of audio the answer says it transcribed when it reports no usage (a transcription's
   * `duration`): the estimate (proxy/recorded-usage.ts) takes this length instead of the one
   * read from the upload's header or size.
   */
  audioSeconds?: number;
  /**
   * Output tokens a stream's content carried, as its accumulator measures them (an Anthropic
   * stream's deltas, a Gemini stream's chunks: the larger of its content frames and their text
   * at CHARS_PER_TOKEN), set only when the stream carried no usage and some content: the
   * recorder's estimate (proxy/recorded-usage.ts) takes the larger of it and the frames relayed.
   */
  carriedOutputTokens?: number;
  /** A Gemini cache creation's answer (RequestInfo.cacheLifecycle `create`): the cache's name, its tokens (`usageMetadata.totalTokenCount`) and model id (`gemini-2.5-pro`, null when not said). */
  createdCache?: { name: string; tokens: number; model: string | null };
}

/** How a read of pending work (ProviderAdapter.pending) ended. */
export type PendingEnd = 'completed' | 'incomplete' | 'failed' | 'cancelled';

/** What one read of pending work says: still running, or ended with what it used. */
export type PendingRead = { running: true } | { running: false; end: PendingEnd; observed: Observed; error: string | null };

/**
 * Work a provider does after it has answered (OpenAI background responses): where its
 * state is read, and what a read says. Usage arrives only in a read that shows the end.
 */
export interface PendingWork {
  /** The URL a GET reads work `id` at, from the URL of the request that started it (`…/v1/responses?x` → `…/v1/responses/resp_1?x`). */
  url(requestUrl: string, id: string): string;
  /** Reads one answer of that URL (parsed JSON): running (or not understood: read again) or ended. Never throws. */
  read(json: unknown): PendingRead;
}

/**
 * Observes one streamed response, frame by frame. Created per call. A newline-delimited
 * JSON stream (RequestInfo.ndjsonStream) comes as one frame per line: `event` '' and the
 * line as `data`; nothing is ever removed from it (`onFrame`'s answer is not read).
 * `onFrame` returns true to relay the frame's bytes as they came, false when the frame must
 * be removed from what the client sees (only ever the usage chunk the proxy injected
 * itself), or a FrameRewrite when the client gets the frame with other data (only ever a
 * chunk with choices that carries that injected usage, sent without it).
 */
export interface StreamAccumulator {
  onFrame(frame: SseFrame): boolean | FrameRewrite;
  /**
   * Optional byte-level pre-check: true when this frame, by its exact bytes alone, needs
   * no observing — `onFrame` would return true without reading it. Such a frame is
   * relayed unchanged and never decoded. Must be conservative (false when unsure), and
   * false for any frame that could end the stream (`data: [DONE]`).
   */
  passes?(raw: Uint8Array): boolean;
  finish(): Observed;
}

/** A frame the client gets as one `data:` line holding `data` instead of the frame's own bytes. */
export interface FrameRewrite {
  data: string;
}

/** Body rewrite decided before forwarding. `body` undefined = forward the original bytes untouched. */
export interface PreparedRequest {
  body?: Uint8Array;
  /** True when the proxy injected stream usage and must strip the usage-only chunk from the client's stream. */
  stripInjectedUsage: boolean;
}

/** An error response in the provider's own shape. */
export interface RenderedError {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Which members of a large JSON answer to read (providers/json-keys.ts): `keys` parsed, `counted` arrays only counted. */
export interface JsonPick {
  readonly keys: readonly string[];
  readonly counted?: readonly string[];
}

/**
 * Everything that depends on which provider API family a call goes to.
 * One implementation per API family (openai, anthropic, gemini, mistral, cohere);
 * OpenAI-compatible vendors reuse the openai family with small options.
 * Headers are plain objects with lower-case names.
 */
export interface ProviderAdapter {
  readonly family: string;
  /** The client's metering key, from the header or query this family's SDK uses; null when absent. */
  clientKey(headers: Readonly<Record<string, string>>, query: URLSearchParams): string | null;
  /** Where `clientKey` looks, as the 401 for a call without a key names it (`Authorization: Bearer and api-key`); absent: not said. */
  clientKeyPlaces?: string;
  /**
   * Drops query parameters that would keep a metered answer's usage from the proxy (Gemini:
   * a response format it cannot read, a JSONP callback, a field mask). Called for metered
   * requests only, before applyUpstreamAuth; absent: the query is forwarded as sent.
   */
  stripUnmeterableQuery?(query: URLSearchParams): void;
  /**
   * Sets the real upstream credential on the outgoing headers and removes any client
   * credential (headers and query) that must not reach the provider.
   */
  applyUpstreamAuth(headers: Record<string, string>, query: URLSearchParams, apiKey: string): void;
  /**
   * Classifies the call from its method, path (after /proxy/<provider>) and parsed JSON body;
   * for a multipart form (a file upload) the text fields by name (values are strings); undefined otherwise.
   */
  describe(method: string, path: string, body: unknown): RequestInfo;
  /**
   * The body field that limits the answer's output for a request like `info`, as this API names
   * it (`max_tokens`, `max_completion_tokens`, `max_output_tokens`,
   * `generationConfig.maxOutputTokens`), for the hint of a busy refusal of a request that set
   * none; undefined for a request whose API reads no output limit (embeddings, speech,
   * transcriptions, images, OCR, unmetered paths).
   */
  outputLimitParam?(info: RequestInfo): string | undefined;
  /** Decides whether to rewrite the body (e.g. inject stream_options.include_usage). */
  prepare(info: RequestInfo, body: unknown, rawBody: Uint8Array): PreparedRequest;
  /** Usage from a non-streamed JSON response body. */
  usageFromJson(info: RequestInfo, json: unknown): Observed;
  /**
   * The top-level members of a non-streamed JSON answer to `info` that `usageFromJson` reads,
   * for an answer whose rest is large and never read (an Images answer's base64 images, an OCR
   * answer's pages): only those are parsed, and `counted` arrays only counted
   * (providers/json-keys.ts). Absent, or undefined: parsed whole.
   */
  usageJsonKeys?(info: RequestInfo): JsonPick | undefined;
  /**
   * Characters (UTF-16 code units) of the output a non-streamed answer to `info` generated:
   * its message text, thinking and tool-call arguments (a structured input as its JSON text);
   * 0 for an answer that generates none (embeddings). Called only when `usageFromJson` found no
   * usage in an answer parsed whole (never one read by `usageJsonKeys`), with that parsed
   * `json`: its output tokens are estimated from this (providers/estimate.ts). Undefined when
   * the adapter cannot say (an answer of a shape or kind it does not read, generated audio or
   * images): the estimate then counts the request's whole output allowance. Absent: undefined
   * for every answer. Never throws on a well-formed JSON value.
   */
  answerTextLength?(info: RequestInfo, json: unknown): number | undefined;
  /** A fresh accumulator for one streamed response. */
  newStreamAccumulator(info: RequestInfo, prepared: PreparedRequest): StreamAccumulator;
  /** Renders tokometer's own error in this provider's error shape and status. */
  renderError(error: ProxyError): RenderedError;
  /**
   * The SSE frame (with its terminating blank line) this provider sends when a stream
   * fails after it started, so the client's SDK raises its usual stream error instead of
   * seeing a silently short stream; `info` is the request's description (a family may
   * stream more than one shape). Absent = the connection is cut instead.
   */
  streamErrorFrame?(error: ProxyError, info: RequestInfo): string;
  /** Reads work the provider finishes after answering (Observed.pendingId); absent = the family has none. */
  pending?: PendingWork;
}
