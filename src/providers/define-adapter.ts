import type { ProxyError } from '../lib/errors.js';
import { bearerToken } from './bearer.js';
import { type Json, count, normalisePath, objAt, passThrough, str } from './json.js';
import type { AdvisorToolBound, BillingConditions, ImageToolBound, EndpointKind, FallbackBound, PendingWork, PreparedRequest, ProviderAdapter, RenderedError, RequestInfo, StreamAccumulator } from './types.js';

/** A POST path an adapter knows: the endpoint name stored with the call, its kind, and whether it is priced. */
export interface KnownEndpoint {
  endpoint: string;
  kind: EndpointKind;
  /** Default true; false for paths that are forwarded and recorded but never priced (token counts). */
  metered?: boolean;
  /** The model the provider documents it runs when the request names none (RequestInfo.model). Default: none (model null). */
  defaultModel?: string;
  /** Streamed answers are newline-delimited JSON unless served as SSE (RequestInfo.ndjsonStream). Default false. */
  ndjsonStream?: boolean;
}

/** An error in the provider's shape: the JSON body, and a status or extra headers when they differ. */
export interface ErrorShape {
  body: unknown;
  /** Default: the error's own status. */
  status?: number;
  /** Sent before the error's own headers (e.g. a request id). */
  headers?: Record<string, string>;
}

/**
 * What one adapter states about its provider. Everything optional has the default most
 * families share; an adapter file states only what is its own.
 */
export interface AdapterSpec {
  /** Reported as `adapter.family`. */
  family: string;
  /** Default: the token of `Authorization: Bearer <token>`. */
  clientKey?: ProviderAdapter['clientKey'];
  /** Where `clientKey` looks (ProviderAdapter.clientKeyPlaces). Default: `Authorization: Bearer` without a `clientKey`, unsaid with one. */
  clientKeyPlaces?: string;
  /** Default: sets `Authorization: Bearer <real key>`. */
  applyUpstreamAuth?: ProviderAdapter['applyUpstreamAuth'];
  /**
   * The POST paths the default `describe` meters, keyed by `normalisePath(path, stripV1)`;
   * every other path and method is `other`, forwarded unmetered. The default `describe`
   * reads `model` and `stream` from the JSON body (or a multipart form's text fields, which
   * the proxy hands over in its place).
   */
  endpoints?: Readonly<Record<string, KnownEndpoint>>;
  /**
   * POST paths (keyed like `endpoints`) the provider bills but the adapter cannot meter, with why
   * they are refused (RequestInfo.refused) instead of forwarded unmetered. Default: none.
   */
  refusedPaths?: Readonly<Record<string, string>>;
  /** Whether a leading `/v1` is dropped before the lookup in `endpoints`. Default false. */
  stripV1?: boolean;
  /** The requested output limit for the default `describe`. Default: `max_tokens`. */
  maxOutputTokens?(json: Json, known: KnownEndpoint | undefined): number | null;
  /** Whether the request asks for a streamed answer, for the default `describe`. Default: `stream: true`. */
  streaming?(json: Json, known: KnownEndpoint | undefined): boolean;
  /** How many answers the request to endpoint `known` asks for (RequestInfo.outputChoices) for the default `describe`. Default: `n`. */
  outputChoices?(json: Json, known: KnownEndpoint | undefined): number | undefined;
  /** The model a request to endpoint `known` naming none runs, when it depends on the request (else KnownEndpoint.defaultModel). Default: none. */
  defaultModel?(json: Json, known: KnownEndpoint): string | undefined;
  /** The bound on billed web searches (RequestInfo.maxWebSearches) for the default `describe`. Default: none. */
  maxWebSearches?(json: Json): number | undefined;
  /** Whether the request offers OpenAI's web search preview tool (RequestInfo.webSearchPreview) for the default `describe`. Default: none. */
  webSearchPreview?(json: Json): boolean;
  /** Whether the request has a server-side tool whose results are billed as input (RequestInfo.serverToolInput) for the default `describe`. Default: none. */
  serverToolInput?(json: Json): boolean;
  /** The bound on billed file search tool calls (RequestInfo.maxFileSearches) for the default `describe`. Default: none. */
  maxFileSearches?(json: Json): number | undefined;
  /** The provider-side state a request to endpoint `known` continues (RequestInfo.continues) for the default `describe`. Default: none. */
  continues?(json: Json, known: KnownEndpoint): string | undefined;
  /** The fallback models the provider may run instead of `model` (RequestInfo.fallbackModels) for the default `describe`. Default: none. */
  fallbackModels?(json: Json): readonly FallbackBound[] | undefined;
  /** The request's advisor tools (RequestInfo.advisorTools) for the default `describe`. Default: none. */
  advisorTools?(json: Json): readonly AdvisorToolBound[] | undefined;
  /** The request's image generation tools (RequestInfo.imageTools) for the default `describe`. Default: none. */
  imageTools?(json: Json, known: KnownEndpoint): readonly ImageToolBound[] | undefined;
  /** The price modifiers the request asks for (RequestInfo.billing) for the default `describe`. Default: none. */
  billing?(json: Json): BillingConditions | undefined;
  /**
   * Input tokens of the images and documents a metered request to endpoint `known` names by
   * reference, on `model` (RequestInfo.referencedInputTokens), for the default `describe`;
   * 0 when none. Default: none.
   */
  referencedInputTokens?(json: Json, known: KnownEndpoint, model: string | null): number;
  /** Whether the provider goes on with a request to endpoint `known` after its client leaves (RequestInfo.runsDetached) for the default `describe`. Default: never. */
  runsDetached?(json: Json, known: KnownEndpoint): boolean;
  /** The body field that limits the output of a text request (kinds in TEXT_KINDS; ProviderAdapter.outputLimitParam). Default: `max_tokens`. */
  outputLimitParam?(info: RequestInfo): string;
  /** Replaces the default path-table `describe` (e.g. when the model is in the path). */
  describe?: ProviderAdapter['describe'];
  stripUnmeterableQuery?: ProviderAdapter['stripUnmeterableQuery'];
  /** Default: never rewrites the request. */
  prepare?: ProviderAdapter['prepare'];
  usageFromJson: ProviderAdapter['usageFromJson'];
  /** Default: every answer is parsed whole. */
  usageJsonKeys?: ProviderAdapter['usageJsonKeys'];
  /** Default: cannot say for any answer (an estimate counts the request's allowance). */
  answerTextLength?: ProviderAdapter['answerTextLength'];
  /** A stream observer per endpoint kind, made from the request's preparation and description; streams of other kinds are passed through unobserved. */
  streams?: Partial<Record<EndpointKind, (prepared: PreparedRequest, info: RequestInfo) => StreamAccumulator>>;
  /** The error in the provider's shape; `renderError` adds the status, JSON content type and the error's headers. */
  errorShape(error: ProxyError): ErrorShape;
  streamErrorFrame?: ProviderAdapter['streamErrorFrame'];
  pending?: PendingWork;
}

const noRewrite = (): PreparedRequest => ({ stripInjectedUsage: false });

/** Endpoint kinds whose APIs read an output limit (the others: embeddings, speech, transcriptions, images, OCR, unmetered). */
const TEXT_KINDS: ReadonlySet<EndpointKind> = new Set(['chat', 'responses', 'completions', 'messages']);

/** Builds a ProviderAdapter from a spec, filling in the shared defaults (see AdapterSpec). */
export function defineAdapter(spec: AdapterSpec): ProviderAdapter {
  const endpoints = spec.endpoints ?? {};
  const stripV1 = spec.stripV1 ?? false;
  const maxOutputTokens = spec.maxOutputTokens ?? ((json: Json) => count(json.max_tokens) ?? null);
  const outputChoices = spec.outputChoices ?? ((json: Json) => count(json.n));
  const streaming = spec.streaming ?? ((json: Json) => json.stream === true);
  const streams = spec.streams ?? {};

  const adapter: ProviderAdapter = {
    family: spec.family,

    clientKey: spec.clientKey ?? ((headers) => bearerToken(headers.authorization)),

    applyUpstreamAuth:
      spec.applyUpstreamAuth ??
      ((headers, _query, apiKey) => {
        headers.authorization = `Bearer ${apiKey}`;
      }),

    describe:
      spec.describe ??
      ((method, path, body): RequestInfo => {
        const json = objAt(body);
        const post = method.toUpperCase() === 'POST';
        const key = post ? normalisePath(path, stripV1) : '';
        const known = post ? endpoints[key] : undefined;
        const info: RequestInfo = {
          endpoint: known?.endpoint ?? 'other',
          kind: known?.kind ?? 'other',
          metered: known === undefined ? false : (known.metered ?? true),
          model: str(json.model) ?? (known === undefined ? undefined : (spec.defaultModel?.(json, known) ?? known.defaultModel)) ?? null,
          streaming: streaming(json, known),
          maxOutputTokens: maxOutputTokens(json, known),
        };
        if (known?.ndjsonStream === true && info.streaming) info.ndjsonStream = true;
        const refused = post && known === undefined ? spec.refusedPaths?.[key] : undefined;
        if (refused !== undefined) info.refused = refused;
        const choices = outputChoices(json, known);
        if (choices !== undefined && choices > 1) info.outputChoices = choices;
        const searches = spec.maxWebSearches?.(json);
        if (searches !== undefined && searches > 0) info.maxWebSearches = searches;
        if (spec.webSearchPreview?.(json) === true) info.webSearchPreview = true;
        if (spec.serverToolInput?.(json) === true) info.serverToolInput = true;
        const fileSearches = spec.maxFileSearches?.(json);
        if (fileSearches !== undefined && fileSearches > 0) info.maxFileSearches = fileSearches;
        const fallbacks = spec.fallbackModels?.(json);
        if (fallbacks !== undefined && fallbacks.length > 0) info.fallbackModels = fallbacks;
        const continues = known !== undefined ? spec.continues?.(json, known) : undefined;
        if (continues !== undefined) info.continues = continues;
        if (known !== undefined && spec.runsDetached?.(json, known) === true) info.runsDetached = true;
        const billing = known?.metered === false ? undefined : spec.billing?.(json);
        if (billing !== undefined) info.billing = billing;
        const advisors = known?.metered === false ? undefined : spec.advisorTools?.(json);
        if (advisors !== undefined) info.advisorTools = advisors;
        const images = known === undefined || known.metered === false ? undefined : spec.imageTools?.(json, known);
        if (images !== undefined) info.imageTools = images;
        const referenced = known === undefined || known.metered === false ? 0 : (spec.referencedInputTokens?.(json, known, info.model) ?? 0);
        if (referenced > 0) info.referencedInputTokens = referenced;
        return info;
      }),

    prepare: spec.prepare ?? noRewrite,

    usageFromJson: spec.usageFromJson,
    ...(spec.usageJsonKeys === undefined ? {} : { usageJsonKeys: spec.usageJsonKeys }),

    newStreamAccumulator(info, prepared): StreamAccumulator {
      const make = streams[info.kind];
      return make ? make(prepared, info) : passThrough();
    },

    renderError(error: ProxyError): RenderedError {
      const shape = spec.errorShape(error);
      return {
        status: shape.status ?? error.status,
        headers: { 'content-type': 'application/json', ...shape.headers, ...error.headers },
        body: JSON.stringify(shape.body),
      };
    },
  };
  const places = spec.clientKeyPlaces ?? (spec.clientKey === undefined ? 'Authorization: Bearer' : undefined);
  if (places !== undefined) adapter.clientKeyPlaces = places;
  if (spec.streamErrorFrame) adapter.streamErrorFrame = spec.streamErrorFrame;
  if (spec.pending) adapter.pending = spec.pending;
  if (spec.stripUnmeterableQuery) adapter.stripUnmeterableQuery = spec.stripUnmeterableQuery;
  if (spec.answerTextLength) adapter.answerTextLength = spec.answerTextLength;
  const limitParam = spec.outputLimitParam ?? (() => 'max_tokens');
  adapter.outputLimitParam = (info) => (TEXT_KINDS.has(info.kind) ? limitParam(info) : undefined);
  return adapter;
}
