import type { ErrorKind, ProxyError } from '../lib/errors.js';
import type { BillingConditions, FallbackBound, Observed, PreparedRequest, ProviderAdapter } from './types.js';
import { type Json, isObj, objAt, count, str } from './json.js';
import { defineAdapter, type KnownEndpoint } from './define-adapter.js';
import { responsesMaxFileSearches, responsesMaxWebSearches, responsesWebSearchPreview } from './search-bounds.js';
import { ChatStream, ResponsesStream, observeOpenAi } from './openai-usage.js';
import { TranscriptionStream, observeTranscription } from './openai-transcriptions.js';
import { isTokenBilledSpeechModel, speechOutputTokenBound } from './openai-speech.js';
import { SpeechStream } from './openai-speech-stream.js';
import { imageOutputTokens } from './image-output-tokens.js';
import { responsesImageTools } from './openai-image-tool.js';
import { IMAGE_ENDPOINTS, IMAGES_USAGE_KEYS, ImagesStream, defaultImageModel, observeImages } from './openai-images.js';
import { MAX_IMAGES, heldCount } from './image-request-counts.js';
import { OPENAI_BACKGROUND, pendingResponseId, responsesContinues } from './responses-state.js';
import { spliceIntoStreamOptions } from './stream-options-splice.js';
import { OPENAI_MINTING_PATHS } from './minted-credentials.js';
import { openAiAnswerText } from './answer-text.js';
import { openAiReferencedTokens } from './referenced-inputs.js';
import { bearerToken } from './bearer.js';
import { withDeployments, type DeploymentModels } from './openai-deployments.js';

/** Options for one OpenAI-family adapter (OpenAI itself or an OpenAI-compatible vendor). */
export interface OpenAiAdapterOptions {
  /** Reported as `adapter.family`; the provider name for vendors (`groq`, `openrouter`…). Default `openai`. */
  family?: string;
  /**
   * Inject `stream_options.include_usage` when a streaming client left it unset (and strip
   * the resulting usage-only chunk). Default true, except for `groq` and `openrouter`,
   * which send stream usage unasked (PROVIDERS.md §7).
   */
  injectStreamUsage?: boolean;
  /** The model each Azure OpenAI deployment runs (providers/openai-deployments.ts), as configured. Default: none mapped. */
  deployments?: DeploymentModels;
  /**
   * How the provider key is sent upstream: `authorization` (`Authorization: Bearer KEY`, the
   * default) or `api-key` (`api-key: KEY`, what Azure OpenAI takes). Either way the other
   * header is removed, and the client's credential never leaves the proxy.
   */
  authHeader?: UpstreamAuthHeader;
}

/** The header an OpenAI-family provider key goes upstream in (config `auth_header`). */
export type UpstreamAuthHeader = 'authorization' | 'api-key';

/** The OpenAI paths the adapter meters (keyed as normalisePath gives them), on their own and under an Azure deployment (openai-deployments.ts). */
export const OPENAI_ENDPOINTS: Readonly<Record<string, KnownEndpoint>> = {
  '/chat/completions': { endpoint: 'chat.completions', kind: 'chat' },
  '/responses': { endpoint: 'responses', kind: 'responses' },
  '/responses/compact': { endpoint: 'responses.compact', kind: 'responses' },
  '/embeddings': { endpoint: 'embeddings', kind: 'embeddings' },
  '/completions': { endpoint: 'completions', kind: 'completions' },
  // Multipart form uploads: their `model` and `stream` are form fields (proxy/form-fields.ts).
  '/audio/transcriptions': { endpoint: 'audio.transcriptions', kind: 'transcriptions' },
  '/audio/translations': { endpoint: 'audio.translations', kind: 'transcriptions' },
  // Text-to-speech (openai-speech.ts): JSON in, audio out (or an event stream).
  '/audio/speech': { endpoint: 'audio.speech', kind: 'speech' },
  // The Images API (openai-images.ts): generations are JSON, edits and variations forms.
  ...IMAGE_ENDPOINTS,
};

/**
 * Whether the request asks for a stream: JSON `stream: true`, for speech `stream_format: "sse"`
 * (its default `audio` answer is the audio file, not an event stream), or for a transcription
 * or an image edit (a multipart form, whose fields are text) the field `stream=true` as the SDKs write it.
 */
function streaming(body: Json, known: KnownEndpoint | undefined): boolean {
  if (known?.kind === 'speech') return body.stream_format === 'sse';
  return body.stream === true || ((known?.kind === 'transcriptions' || known?.kind === 'images') && body.stream === 'true');
}

/**
 * The models OpenRouter may run instead of `model` (openrouter.ai/docs/guides/routing/model-fallbacks):
 * its `models` list, tried in order when one errs (a context length error included) and billed as
 * the model that answered; null for one it picks itself (`route: "fallback"`, a non-string entry).
 */
function openRouterFallbacks(body: Json): readonly FallbackBound[] | undefined {
  const listed: FallbackBound[] = Array.isArray(body.models) ? body.models.map((m: unknown) => ({ model: typeof m === 'string' && m.length > 0 ? m : null })) : [];
  if (body.route !== undefined && body.route !== null) listed.push({ model: null });
  return listed.length > 0 ? listed : undefined;
}

/**
 * The service tier the request asks for (`service_tier`: `auto`, `default`, `flex`,
 * `priority`, or `fast`, priority's alias; SDK ChatCompletionCreateParams and
 * ResponseCreateParams), which the budget reservation prices in when it raises the price
 * (budget/reservation-prices.ts reservationRates); undefined when unset. The answer's own
 * `service_tier` prices the call.
 */
function requestedServiceTier(body: Json): BillingConditions | undefined {
  const tier = str(body.service_tier);
  return tier === null ? undefined : { serviceTier: tier };
}

/** OpenRouter's Anthropic-shaped Messages API (/api/v1/messages): billed, not read by this adapter. */
const OPENROUTER_REFUSED: Readonly<Record<string, string>> = {
  '/messages':
    "OpenRouter's Anthropic-compatible Messages API (/messages) is not metered by an OpenAI-family provider. Use /chat/completions or /responses, or configure a provider of kind anthropic with base_url https://openrouter.ai/api for it.",
};

/**
 * Answers billed per request: `n` choices (an image request's `n` images, a form field in an
 * edit); legacy completions generate `best_of` candidates server-side (billed) and return `n`.
 */
function outputChoices(body: Json, known: KnownEndpoint | undefined): number | undefined {
  if (known?.kind === 'images') return heldCount(body.n, MAX_IMAGES);
  const n = count(body.n);
  const bestOf = count(body.best_of);
  return n === undefined && bestOf === undefined ? undefined : Math.max(n ?? 1, bestOf ?? 1);
}

/**
 * The largest output limit the body sets (tokens), null when none: OpenAI reads
 * max_completion_tokens (chat), max_tokens (legacy) or max_output_tokens (Responses), but
 * compatible vendors may read only max_tokens (DeepSeek), so a smaller limit beside a larger
 * one bounds nothing the provider is held to.
 */
function maxOutputTokens(body: Json, known: KnownEndpoint | undefined): number | null {
  // An image request sets no limit: its model, size and quality say how many tokens one image is.
  if (known?.kind === 'images') return imageOutputTokens(body, str(body.model) ?? defaultImageModel(body, known) ?? null);
  // Speech reads no output limit: the hold's bound is the most audio the text can make.
  if (known?.kind === 'speech') return speechOutputTokenBound(body);
  return larger(larger(count(body.max_completion_tokens), count(body.max_tokens)), count(body.max_output_tokens)) ?? null;
}

/** The larger of two counts, either absent (undefined). No allocation: this runs on every call. */
function larger(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined || a >= b ? a : b;
}

const ERROR_SHAPES: Readonly<Record<ErrorKind, readonly [type: string, code: string]>> = {
  bad_request: ['invalid_request_error', 'invalid_request'],
  unauthorized: ['invalid_request_error', 'invalid_api_key'],
  forbidden: ['permission_denied', 'permission_denied'],
  not_found: ['not_found', 'not_found'],
  method_not_allowed: ['invalid_request_error', 'method_not_allowed'],
  payload_too_large: ['request_too_large', 'request_too_large'],
  unsupported_media_type: ['invalid_request_error', 'unsupported_content_encoding'],
  budget_exceeded: ['budget_exceeded', 'budget_exceeded'],
  budget_busy: ['budget_busy', 'budget_busy'],
  unavailable: ['server_error', 'service_unavailable'],
  upstream_unreachable: ['upstream_error', 'upstream_unreachable'],
  upstream_timeout: ['timeout', 'timeout'],
  internal: ['server_error', 'server_error'],
};

const encoder = new TextEncoder();
const INJECTED_FIELD = encoder.encode('"stream_options":{"include_usage":true}');

/**
 * Adds `"stream_options":{"include_usage":true}` as the first member of the raw JSON
 * object, leaving every other byte as the client sent it (no number or key-order drift,
 * no re-serialising of large bodies). Null when the raw body does not start with `{`.
 */
function spliceStreamOptions(raw: Uint8Array): Uint8Array | null {
  let i = 0;
  while (i < raw.length && (raw[i] === 0x20 || raw[i] === 0x09 || raw[i] === 0x0a || raw[i] === 0x0d)) i++;
  if (raw[i] !== 0x7b) return null;
  let k = i + 1;
  while (k < raw.length && (raw[k] === 0x20 || raw[k] === 0x09 || raw[k] === 0x0a || raw[k] === 0x0d)) k++;
  const comma = raw[k] === 0x7d ? 0 : 1;
  const out = new Uint8Array(raw.length + INJECTED_FIELD.length + comma);
  out.set(raw.subarray(0, i + 1));
  out.set(INJECTED_FIELD, i + 1);
  if (comma) out[i + 1 + INJECTED_FIELD.length] = 0x2c;
  out.set(raw.subarray(i + 1), i + 1 + INJECTED_FIELD.length + comma);
  return out;
}

/**
 * The adapter for the OpenAI API family: OpenAI itself and OpenAI-compatible vendors
 * (Groq, DeepSeek, OpenRouter, Together, xAI…). Paths are those after `/proxy/<provider>`,
 * with or without a leading `/v1`.
 */
export function createOpenAiAdapter(options: OpenAiAdapterOptions = {}): ProviderAdapter {
  const family = options.family ?? 'openai';
  const inject = options.injectStreamUsage ?? (family !== 'groq' && family !== 'openrouter');

  const apiKeyHeader = options.authHeader === 'api-key';

  const adapter = defineAdapter({
    family,

    // AzureOpenAI (openai-node) sends its key as `api-key`; the other OpenAI SDKs as a Bearer token.
    clientKey: (headers) => bearerToken(headers.authorization) ?? (str(headers['api-key']?.trim()) ?? null),
    clientKeyPlaces: 'Authorization: Bearer and api-key',

    applyUpstreamAuth(headers, _query, apiKey) {
      if (apiKeyHeader) {
        headers['api-key'] = apiKey;
        delete headers.authorization;
      } else {
        headers.authorization = `Bearer ${apiKey}`;
        delete headers['api-key'];
      }
      delete headers['openai-organization'];
      delete headers['openai-project'];
    },

    endpoints: OPENAI_ENDPOINTS,
    stripV1: true,
    refusedPaths: family === 'openrouter' ? { ...OPENAI_MINTING_PATHS, ...OPENROUTER_REFUSED } : OPENAI_MINTING_PATHS,
    ...(family === 'openrouter' ? { fallbackModels: openRouterFallbacks } : {}),
    maxOutputTokens,
    // OpenAI's chat takes max_completion_tokens (max_tokens is deprecated there); compatible vendors read max_tokens (DeepSeek only it).
    outputLimitParam: (info) => (info.kind === 'responses' ? 'max_output_tokens' : info.kind === 'chat' && family === 'openai' ? 'max_completion_tokens' : 'max_tokens'),
    outputChoices,
    defaultModel: (json, known) => (known.kind === 'images' ? defaultImageModel(json, known) : undefined),
    streaming,
    maxWebSearches: responsesMaxWebSearches,
    webSearchPreview: responsesWebSearchPreview,
    maxFileSearches: responsesMaxFileSearches,
    billing: requestedServiceTier,
    imageTools: (json, known) => (known.kind === 'responses' ? responsesImageTools(json) : undefined),
    // Images and files by URL or file id: billed, but not in the body's bytes.
    referencedInputTokens: (json, known, model) => (known.kind === 'chat' || known.kind === 'responses' ? openAiReferencedTokens(json, model) : 0),
    continues: (json, known) => (known.kind === 'responses' ? responsesContinues(json) : undefined),
    // A background response runs on the provider once accepted (responses-state.ts).
    runsDetached: (json, known) => known.endpoint === 'responses' && json.background === true,

    prepare(info, body, rawBody): PreparedRequest {
      const untouched: PreparedRequest = { stripInjectedUsage: false };
      if (!inject || !info.streaming || (info.kind !== 'chat' && info.kind !== 'completions') || !isObj(body)) return untouched;
      const options = body.stream_options;
      if (options === undefined) {
        const spliced = spliceStreamOptions(rawBody);
        if (spliced) return { body: spliced, stripInjectedUsage: true };
      } else if (options !== null && !isObj(options)) {
        return untouched;
      } else if (isObj(options) && options.include_usage === true) {
        return untouched;
      }
      // stream_options is null, or an object without include_usage (or with it null or false): turned
      // on in the client's own bytes. An explicit false is overridden too: the provider bills the
      // tokens all the same (reasoning tokens never show as frames), and the usage chunk is stripped,
      // so the client still gets the stream it asked for. Re-serialising the parsed body would change them (a 64-bit
      // seed loses its last digits), so that is only the fallback for bytes the scan refuses.
      const spliced = spliceIntoStreamOptions(rawBody);
      if (spliced) return { body: spliced, stripInjectedUsage: true };
      const merged = { ...body, stream_options: { ...objAt(options), include_usage: true } };
      return { body: encoder.encode(JSON.stringify(merged)), stripInjectedUsage: true };
    },

    usageFromJson(info, json): Observed {
      if (!isObj(json)) return { usage: null, model: null };
      if (info.kind === 'transcriptions') return observeTranscription(json, info.endpoint === 'audio.translations');
      if (info.kind === 'images') return observeImages(json);
      const observed = observeOpenAi(json);
      const pendingId = info.kind === 'responses' ? pendingResponseId(json) : undefined;
      if (pendingId !== undefined) observed.pendingId = pendingId;
      return observed;
    },

    // An Images answer is megabytes of base64 around its usage: only `usage` is parsed.
    usageJsonKeys: (info) => (info.kind === 'images' ? IMAGES_USAGE_KEYS : undefined),
    answerTextLength: openAiAnswerText,

    pending: OPENAI_BACKGROUND,

    streams: {
      responses: () => new ResponsesStream(),
      chat: (prepared) => new ChatStream(prepared.stripInjectedUsage),
      completions: (prepared) => new ChatStream(prepared.stripInjectedUsage),
      transcriptions: () => new TranscriptionStream(),
      speech: (_prepared, info) => new SpeechStream(info.speech, isTokenBilledSpeechModel(info.model)),
      images: (_prepared, info) => new ImagesStream(info.outputChoices ?? 1, info.maxOutputTokens ?? 0),
    },

    errorShape(error: ProxyError) {
      const [type, code] = ERROR_SHAPES[error.kind];
      return { body: { error: { message: error.message, type, param: null, code, ...error.details } } };
    },

    streamErrorFrame(error: ProxyError): string {
      // The OpenAI SDKs raise an APIError for any data payload carrying an `error` key.
      const [type, code] = ERROR_SHAPES[error.kind];
      return `data: ${JSON.stringify({ error: { message: error.message, type, param: null, code } })}\n\n`;
    },
  });
  return withDeployments(adapter, OPENAI_ENDPOINTS, options.deployments ?? {});
}
