import type { ProxyError } from '../lib/errors.js';
import type { BillingConditions, Usage } from './usage.js';

/** The usage types (providers/usage.ts), where the adapters and their users have always found them. */
export { emptyUsage, type AdvisorUsage, type BillingConditions, type Usage } from './usage.js';

/**
 * One model a request lets the provider run instead of the requested one
 * (RequestInfo.fallbackModels), and what bounds that attempt's cost where it differs from
 * the request's.
 */
export interface FallbackBound {
  /** The model the attempt runs; null when the provider picks it (or the entry names none). */
  model: string | null;
  /** The attempt's max output tokens in place of the request's (Anthropic entry `max_tokens`); absent: the request's. */
  maxOutputTokens?: number;
  /**
   * The attempt's inference speed in place of the request's (Anthropic entry `speed`:
   * `fast`, or `standard` for an entry that sets `standard` or null); absent: the request's.
   */
  speed?: string;
}

/** One advisor tool of a request (RequestInfo.advisorTools): what bounds the consultations it may run. */
export interface AdvisorToolBound {
  /** The model each consultation runs (the tool's `model`); null when it names none. */
  model: string | null;
  /** Most consultations the request allows (`max_uses`); null when unset (the API sets no bound). */
  maxUses: number | null;
  /** Most output tokens (thinking + text) of one consultation (`max_tokens`); null when unset. */
  maxOutputTokens: number | null;
}


/** The kinds of call tokometer meters. `other` = forwarded and recorded with zero cost. */
export type EndpointKind = 'chat' | 'responses' | 'completions' | 'embeddings' | 'messages' | 'transcriptions' | 'images' | 'ocr' | 'other';

/** What the adapter learned about a request before it is forwarded. */
export interface RequestInfo {
  /** Stable endpoint name stored with the call, e.g. `chat.completions`, `responses`, `embeddings`, `other`. */
  endpoint: string;
  kind: EndpointKind;
  /** Whether this endpoint's usage is parsed and priced. */
  metered: boolean;
  /**
   * Model as requested (body `model`, or the URL path for Gemini); when the request names
   * none, the model the provider documents it runs then (KnownEndpoint.defaultModel: Cohere
   * v1 chat), else null.
   */
  model: string | null;
  /**
   * Other models the provider may run (and bill) for the request when `model` fails or
   * declines, in order, each with what its attempt sets in place of the request's: an
   * OpenRouter `models` fallback list, Anthropic `fallbacks` (whose entries may set their own
   * `max_tokens` and `speed`). A null model is one the provider picks itself
   * (`route: "fallback"`, Anthropic `fallbacks: "default"`, an entry that is not a model
   * name). Absent when none.
   */
  fallbackModels?: readonly FallbackBound[];
  streaming: boolean;
  /**
   * True when a 2xx streamed answer to this request is newline-delimited JSON, one event per
   * line, unless its content type is `text/event-stream` (Cohere v1 chat: lines by default,
   * SSE only when the client sends `Accepts: text/event-stream`). The relay then hands each
   * line to the stream accumulator as a frame (SseFrame with no event, the line as data).
   * Absent: streams are SSE.
   */
  ndjsonStream?: boolean;
  /**
   * Requested max output tokens (max_tokens, max_completion_tokens, max_output_tokens…), null
   * when not set; for an image request (kind `images`), the output tokens one image of its
   * size and quality can be billed (image-output-tokens.ts), the hold's bound, not recorded.
   */
  maxOutputTokens: number | null;
  /**
   * Answers generated for the request, each up to `maxOutputTokens` and all billed (`n`,
   * legacy completions' `best_of`, Gemini's `candidateCount`); absent means one.
   */
  outputChoices?: number;
  /**
   * The most web searches the request lets the provider run and bill per use (the `max_uses`
   * of Anthropic's web search tool, the `max_tool_calls` of a Responses request with a web
   * search tool); absent when it asks for none or sets no bound.
   */
  maxWebSearches?: number;
  /**
   * The most file search tool calls the request lets the provider run and bill per call (the
   * `max_tool_calls` of a Responses request with a file search tool); absent when it asks for
   * none or sets no bound. When the request also has a web search tool, `maxWebSearches` is
   * that same `max_tool_calls`: one bound on both kinds together, not one per kind.
   */
  maxFileSearches?: number;
  /**
   * The provider-side state the request continues, whose tokens are billed again as input
   * though the body does not carry them: an OpenAI Responses `previous_response_id` (the
   * id itself), or `conv:<id>` for a Responses `conversation`. Absent when none.
   */
  continues?: string;
  /**
   * The explicit cache a Gemini request reads (`cachedContent`, e.g. `cachedContents/abc123`):
   * a prompt its body does not carry, billed at the model's cache-read rate and counted toward
   * its long-context tier (proxy/cached-content-sizes.ts knows how large it is). Absent: none.
   */
  cachedContent?: string;
  /**
   * A request that creates or deletes a Gemini explicit cache (`POST {version}/cachedContents`,
   * `DELETE {version}/cachedContents/NAME`): never metered or priced, but its answer teaches
   * the cache sizes above (`create`: the answer is read, as a metered JSON answer is, for its
   * Observed.createdCache; `delete`: a 2xx answer forgets NAME). Absent: neither.
   */
  cacheLifecycle?: { op: 'create' } | { op: 'delete'; name: string };
  /**
   * True when the provider goes on with (and bills) the work once it has accepted the
   * request, whatever happens to the connection (an OpenAI Responses `background: true`
   * request). A client that leaves before the answer then does not stop the upstream request:
   * the answer (the id of the work to follow) is still awaited, under the usual timeouts.
   * Absent otherwise.
   */
  runsDetached?: boolean;
  /**
   * Why the proxy refuses the request (400) rather than forward it: a shape the provider bills
   * that this adapter cannot meter (its OpenAI-compatible layer), which would pass as an
   * unmetered `other` call. Absent for every request the adapter forwards.
   */
  refused?: string;
  /**
   * Set by the proxy when the request body is a file upload (multipart form data, an audio
   * file to transcribe): `textBytes` are the bytes of its text fields. Its input is mostly
   * the file, never read as text: the budget reservation counts only the text fields as
   * prompt. `audioTokens`, set for a transcription or translation (kind `transcriptions`),
   * are its files' audio tokens estimated from their headers and sizes (audio-length.ts):
   * such a call whose usage never arrives (a `text` answer) is recorded estimated from them
   * and the text fields; any other upload's is recorded with usage unknown. `audioSeconds`,
   * set beside `audioTokens`, is how long those files play by the same rule (fractional): a
   * model billed by the audio's duration (whisper-1) is reserved and estimated from it.
   * `imageTokens`, set for an image edit or variation (kind `images`), are the image input
   * tokens its files (or a JSON edit's referenced images: `textBytes` is then the whole body)
   * are held at (openai-images.ts): reserved, and recorded only when the call's usage never
   * arrives (its estimate, proxy/recorded-usage.ts). Absent otherwise.
   */
  upload?: { textBytes: number; audioTokens?: number; audioSeconds?: number; imageTokens?: number };
  /**
   * The most pages of a document a request (kind `ocr`: Mistral OCR) can be billed for, and
   * whether each is billed as annotated too (the request asks for a document or bounding-box
   * annotation format): `max` is the pages it lists, else the documented maximum per
   * document (providers/mistral-ocr.ts). The budget reservation holds them at the model's
   * page prices, and the answer's pages are read as annotated when `annotated`. Absent otherwise.
   */
  documentPages?: { max: number; annotated: boolean };
  /**
   * The price modifiers the request asks for (Anthropic `speed`, `inference_geo`), which the
   * budget reservation prices in when they raise the price (budget/gate.ts). Absent when none.
   */
  billing?: BillingConditions;
  /**
   * The request's advisor tools (Anthropic `advisor_20260301`): server-side consultations
   * of another model, each billed at that model's rates, which the budget reservation holds
   * (budget/gate.ts). Absent when none.
   */
  advisorTools?: readonly AdvisorToolBound[];
  /**
   * Input tokens the adapter estimated from the request itself (estimateTokens), for
   * endpoints whose responses carry no usage (Gemini embeddings). Absent otherwise.
   */
  estimatedInputTokens?: number;
}

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
  /** Decides whether to rewrite the body (e.g. inject stream_options.include_usage). */
  prepare(info: RequestInfo, body: unknown, rawBody: Uint8Array): PreparedRequest;
  /** Usage from a non-streamed JSON response body. */
  usageFromJson(info: RequestInfo, json: unknown): Observed;
  /**
   * The top-level keys of a non-streamed JSON answer to `info` that `usageFromJson` reads, for
   * an answer whose rest is large and never read (an Images answer's base64 images): only
   * those members are parsed (providers/json-keys.ts). Absent, or undefined: parsed whole.
   */
  usageJsonKeys?(info: RequestInfo): readonly string[] | undefined;
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
