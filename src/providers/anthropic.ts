import type { ErrorKind, ProxyError } from '../lib/errors.js';
import { fallbackServingModel, MessagesStream, normaliseAnthropicUsage } from './anthropic-usage.js';
import type { BillingConditions, FallbackBound, Observed, ProviderAdapter } from './types.js';
import { type Json, count, isObj, str } from './json.js';
import { bearerToken } from './bearer.js';
import { defineAdapter, type KnownEndpoint } from './define-adapter.js';
import { anthropicAdvisorTools } from './advisor-tools.js';
import { anthropicMaxWebSearches, anthropicServerToolInput } from './search-bounds.js';
import { anthropicAnswerText } from './answer-text.js';
import { anthropicReferencedTokens } from './referenced-inputs.js';

/** Paths (after `/proxy/<provider>`, POST only, `/v1` kept) the adapter knows; everything else is `other`. */
const ENDPOINTS: Readonly<Record<string, KnownEndpoint>> = {
  '/v1/messages': { endpoint: 'messages', kind: 'messages', metered: true },
  // A token count, documented as free: forwarded and recorded, never priced as inference.
  '/v1/messages/count_tokens': { endpoint: 'messages.count_tokens', kind: 'other', metered: false },
};

/** Paths Anthropic bills that this adapter does not read: its OpenAI-compatible layer (platform.claude.com/docs/en/api/openai-sdk). */
const REFUSED_PATHS: Readonly<Record<string, string>> = {
  '/v1/chat/completions':
    "Anthropic's OpenAI-compatible layer (/v1/chat/completions) is not metered by the anthropic provider. Use the Messages API (/v1/messages), or configure a provider of kind openai-compatible with base_url https://api.anthropic.com/v1 for it.",
};

/** Anthropic `error.type` per tokometer error kind (status comes from the kind). */
const ERROR_TYPES: Readonly<Record<ErrorKind, string>> = {
  bad_request: 'invalid_request_error',
  unauthorized: 'authentication_error',
  forbidden: 'permission_error',
  not_found: 'not_found_error',
  method_not_allowed: 'invalid_request_error',
  payload_too_large: 'request_too_large',
  unsupported_media_type: 'invalid_request_error',
  budget_exceeded: 'rate_limit_error',
  budget_busy: 'rate_limit_error',
  unavailable: 'overloaded_error',
  upstream_unreachable: 'api_error',
  upstream_timeout: 'timeout_error',
  internal: 'api_error',
};

/**
 * The price modifiers a Messages request asks for: `speed` (`fast`: fast mode) and
 * `inference_geo` (`us`: US-only inference), as the SDK's MessageCreateParams name them.
 * Undefined when it sets neither (a workspace's default_inference_geo is not known here).
 */
function requestedBilling(json: Json): BillingConditions | undefined {
  const speed = str(json.speed);
  const geo = str(json.inference_geo);
  if (speed === null && geo === null) return undefined;
  const billing: BillingConditions = {};
  if (speed !== null) billing.speed = speed;
  if (geo !== null) billing.inferenceGeo = geo;
  return billing;
}

/**
 * The models a Messages request lets the API run instead of `model` when it declines
 * (beta `fallbacks`, SDK BetaFallbacksParam), in order, each with what its attempt sets in
 * place of the request's (SDK BetaFallbackParam): `max_tokens` (left out or null: the
 * request's) and `speed` (left out: the request's; null: `standard`). `"default"` is one
 * model the API picks by the refusal's category ({model: null}, the request's bounds). An
 * entry naming no model is {model: null}. Undefined when the request sets none. The
 * allow-list checks the models and the budget reservation holds the dearest attempt
 * (RequestInfo.fallbackModels).
 */
function requestedFallbacks(json: Json): readonly FallbackBound[] | undefined {
  const fallbacks = json.fallbacks;
  if (fallbacks === 'default') return [{ model: null }];
  if (!Array.isArray(fallbacks) || fallbacks.length === 0) return undefined;
  return fallbacks.map((entry: unknown): FallbackBound => {
    if (!isObj(entry)) return { model: null };
    const bound: FallbackBound = { model: str(entry.model) };
    const maxTokens = count(entry.max_tokens);
    if (maxTokens !== undefined) bound.maxOutputTokens = maxTokens;
    if (entry.speed === null) bound.speed = 'standard';
    else if (typeof entry.speed === 'string') bound.speed = entry.speed;
    return bound;
  });
}

/** A request id in Anthropic's `req_…` style, marked as tokometer's own. */
function newRequestId(): string {
  return `req_tokometer_${globalThis.crypto.randomUUID().replaceAll('-', '')}`;
}

/**
 * The adapter for the Anthropic Messages API (`https://api.anthropic.com`; paths keep
 * their `/v1`). The client's key arrives as `x-api-key` or `Authorization: Bearer`;
 * upstream gets `x-api-key` with the real key, and `anthropic-version` /
 * `anthropic-beta` pass through as sent (beta flags can change billing).
 * Requests and streams are forwarded byte for byte: nothing is injected or stripped.
 */
export function createAnthropicAdapter(): ProviderAdapter {
  return defineAdapter({
    family: 'anthropic',

    clientKey(headers) {
      const apiKey = (headers['x-api-key'] ?? '').trim();
      if (apiKey.length > 0) return apiKey;
      return bearerToken(headers.authorization);
    },

    applyUpstreamAuth(headers, _query, apiKey) {
      headers['x-api-key'] = apiKey;
      delete headers.authorization;
    },

    endpoints: ENDPOINTS,
    refusedPaths: REFUSED_PATHS,
    maxWebSearches: anthropicMaxWebSearches,
    serverToolInput: anthropicServerToolInput,
    billing: requestedBilling,
    fallbackModels: requestedFallbacks,
    advisorTools: anthropicAdvisorTools,
    // Images and documents by URL or file id: billed, but not in the body's bytes.
    referencedInputTokens: (json, known) => (known.kind === 'messages' ? anthropicReferencedTokens(json) : 0),

    usageFromJson(_info, json): Observed {
      if (!isObj(json) || json.type === 'error') return { usage: null, model: null };
      const stop = str(json.stop_reason);
      // A fallback-served answer is recorded as (and priced at) the model that served it.
      const model = fallbackServingModel(json.usage) ?? str(json.model);
      return { usage: normaliseAnthropicUsage(json.usage), model, ...(stop ? { finishReasons: [stop] } : {}) };
    },

    answerTextLength: anthropicAnswerText,

    streams: { messages: () => new MessagesStream() },

    streamErrorFrame(error: ProxyError): string {
      // The SDK raises an `error` event as an APIError (PROVIDERS.md §3).
      return `event: error\ndata: ${JSON.stringify({ type: 'error', error: { type: ERROR_TYPES[error.kind], message: error.message } })}\n\n`;
    },

    errorShape(error: ProxyError) {
      const requestId = newRequestId();
      return {
        body: { type: 'error', error: { type: ERROR_TYPES[error.kind], message: error.message, ...error.details }, request_id: requestId },
        headers: { 'request-id': requestId },
      };
    },
  });
}
