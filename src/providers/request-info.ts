import type { BillingConditions } from './usage.js';

/**
 * What an adapter learns about a request before it is forwarded (RequestInfo) and the bounds
 * it reads from it: the models it may run instead, its advisor tools, the kind of call.
 * Re-exported from providers/types.ts, where the adapters and their users import it.
 */

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

/**
 * The image_generation tool of a Responses request (RequestInfo.imageTools): the images it may
 * make, each billed at `model`'s rates (providers/openai-image-tool.ts).
 */
export interface ImageToolBound {
  /** The image model (the tool's `model`, else gpt-image-1). */
  model: string;
  /** Most output tokens (all image tokens) one image may be billed, partial images included. */
  outputTokensPerImage: number;
  /** Most images held: the request's `max_tool_calls`, else 1 (no bound: docs/prices.md). */
  images: number;
}

/** The kinds of call tokometer meters (`speech`: text-to-speech, audio out). `other` = forwarded and recorded with zero cost. */
export type EndpointKind = 'chat' | 'responses' | 'completions' | 'embeddings' | 'messages' | 'transcriptions' | 'speech' | 'images' | 'ocr' | 'other';

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
   * size and quality can be billed (image-output-tokens.ts), the hold's bound, not recorded;
   * for text-to-speech (kind `speech`, whose API reads no limit: any `max_*` field is ignored),
   * the most audio tokens its text can make on a token-billed model
   * (openai-speech.ts speechOutputTokenBound), else null, also not recorded.
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
   * The request offers OpenAI's `web_search_preview` tool (a Responses request; with the GA
   * `web_search` beside it too): its searches may be billed at the preview fee, $25 per 1,000
   * on a non-reasoning model (pricing/web-search-fees.ts), which the budget hold takes. Absent
   * when not.
   */
  webSearchPreview?: true;
  /**
   * The most file search tool calls the request lets the provider run and bill per call (the
   * `max_tool_calls` of a Responses request with a file search tool); absent when it asks for
   * none or sets no bound. When the request also has a web search tool, `maxWebSearches` is
   * that same `max_tool_calls`: one bound on both kinds together, not one per kind.
   */
  maxFileSearches?: number;
  /**
   * The request has a server-side tool whose results the provider bills as input tokens the
   * body does not carry (Anthropic `web_search`, `web_fetch`): a `budget_output_hold: window`
   * budget holds its input up to the model's context window. Absent when none.
   */
  serverToolInput?: true;
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
   * The Azure OpenAI deployment a request to `/deployments/{name}/…` calls
   * (providers/openai-deployments.ts): its name and the model the config maps it to (null
   * when unmapped). The deployment, not the body's `model`, picks the model that runs, so a
   * key's model allow-list is checked against these (proxy/model-allow-list.ts). Absent for
   * every other request.
   */
  deployment?: { name: string; model: string | null };
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
   * A text-to-speech request's text bytes (`input` + `instructions`), `input`'s characters and
   * its audio format (providers/openai-speech.ts SpeechRequest): an answer of raw audio carries
   * no usage and is estimated from them and the audio's length (proxy/recorded-usage.ts).
   * Set for kind `speech`, absent otherwise.
   */
  speech?: { textBytes: number; characters: number; format: string };
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
   * The request's OpenAI Responses `image_generation` tool: the images it may make, each billed
   * at the image model's rates, which the budget reservation holds (budget/gate.ts). Absent when
   * the request has none.
   */
  imageTools?: readonly ImageToolBound[];
  /**
   * Input tokens of the images and documents the request names by reference (a URL or a
   * provider file id) rather than carrying their bytes, each at a bound of what the provider
   * bills for it on the model (providers/referenced-inputs.ts: an OpenAI `image_url`,
   * `input_image`, `input_file`; an Anthropic `image` or `document` with a `url` or `file`
   * source; a Gemini `fileData`). The budget reservation holds them at the input price, at most
   * the model's window (budget/gate.ts). Absent when it names none.
   */
  referencedInputTokens?: number;
  /**
   * Input tokens the adapter estimated from the request itself (estimateTokens), for
   * endpoints whose responses carry no usage (Gemini embeddings). Absent otherwise.
   */
  estimatedInputTokens?: number;
}
