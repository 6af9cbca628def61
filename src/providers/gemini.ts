import type { ErrorKind, ProxyError } from '../lib/errors.js';
import { cachedContentOf, describeCacheLifecycle, observeCreatedCache } from './gemini-cached-contents.js';
import { estimateEmbeddingInput, observeEmbedding } from './gemini-embeddings.js';
import { GenerateStream, observeBody } from './gemini-usage.js';
import { AGENT_INTERACTIONS_ENDPOINT, GEMINI_BACKGROUND, INTERACTIONS_ENDPOINT, INTERACTIONS_PATH, InteractionStream, describeInteraction, interactionErrorEvent, observeInteraction } from './gemini-interactions.js';
import type { Observed, ProviderAdapter, RequestInfo } from './types.js';
import { count, objAt } from './json.js';
import { defineAdapter } from './define-adapter.js';
import { GEMINI_MINTING_PATH, GEMINI_MINT_REFUSED } from './minted-credentials.js';
import { knownMethod, parseModelPath, vertexRefusal } from './gemini-paths.js';
import { geminiAnswerText } from './answer-text.js';
import { geminiReferencedTokens } from './referenced-inputs.js';

/** Gemini's OpenAI-compatible layer (ai.google.dev/api/compatibility): `/v1beta/openai/…` and `v1beta:chatCompletions`. */
const OPENAI_LAYER = /^\/(v1|v1beta|v1alpha)(\/openai\/|:chatCompletions$)/;
const OPENAI_LAYER_REFUSED =
  "Gemini's OpenAI-compatible layer is not metered by the gemini provider. Use generateContent / streamGenerateContent / embedContent, or configure a provider of kind openai-compatible with base_url https://generativelanguage.googleapis.com/v1beta/openai for it.";

/** The query names of Google's response field mask system parameter (docs.cloud.google.com/apis/docs/system-parameters). */
const FIELD_MASK_PARAMS = ['fields', '$fields'] as const;
/** The query names of the response format system parameter (json, sse, proto, media). */
const ALT_PARAMS = ['alt', '$alt'] as const;
/** The query names of the JSONP callback system parameter (the answer wrapped in a call). */
const CALLBACK_PARAMS = ['callback', '$callback'] as const;

/** A JSON string holding a number as proto3 JSON accepts it for an integer field. */
const NUMERIC = /^[0-9]+(\.[0-9]+)?([eE][+]?[0-9]+)?$/;

/**
 * The largest of some token counts (undefined when none is one). Gemini's JSON parser takes
 * a field by its camelCase name or its proto name (`maxOutputTokens`, `max_output_tokens`),
 * an int32 as a number or a string: a request may send any of them, and a bound must read all.
 */
function largest(...values: unknown[]): number | undefined {
  let most: number | undefined;
  for (const value of values) {
    // proto3 JSON takes an int32 as a number or a string ("65536"), exponent notation included.
    const n = count(typeof value === 'string' && NUMERIC.test(value) ? Number(value) : value);
    if (n !== undefined && (most === undefined || n > most)) most = n;
  }
  return most;
}

/** Google RPC `status` per tokometer error kind (the HTTP status and `code` come from the kind). */
const RPC_STATUS: Readonly<Record<ErrorKind, string>> = {
  bad_request: 'INVALID_ARGUMENT',
  unauthorized: 'UNAUTHENTICATED',
  forbidden: 'PERMISSION_DENIED',
  not_found: 'NOT_FOUND',
  method_not_allowed: 'INVALID_ARGUMENT',
  payload_too_large: 'INVALID_ARGUMENT',
  unsupported_media_type: 'INVALID_ARGUMENT',
  budget_exceeded: 'RESOURCE_EXHAUSTED',
  budget_busy: 'RESOURCE_EXHAUSTED',
  unavailable: 'UNAVAILABLE',
  upstream_unreachable: 'UNAVAILABLE',
  upstream_timeout: 'DEADLINE_EXCEEDED',
  internal: 'INTERNAL',
};

/**
 * The adapter for the Google Gemini API (`https://generativelanguage.googleapis.com`;
 * paths keep their `/v1beta` or `/v1`) and Vertex AI's Gemini paths (base_url
 * `https://aiplatform.googleapis.com`, paths `/v1beta1/…publishers/google/models/…`:
 * gemini-paths.ts, which also refuses the Vertex paths it cannot meter). The model comes
 * from the URL path; base models are stored by id (`gemini-2.5-flash`), Gemini API tuned
 * models as `tunedModels/<id>`.
 *
 * The client's key arrives as `x-goog-api-key` or `?key=`; the `key` query parameter
 * is always deleted before forwarding (the handler re-serialises the query when its
 * size changed) and upstream gets `x-goog-api-key` with the real key.
 *
 * The Interactions API (`POST {version}/interactions`, model in the body) is metered as
 * endpoint `interactions` of kind `responses`, agent interactions as `interactions.agent`
 * with no model, unpriced (gemini-interactions.ts).
 *
 * Streams: `?alt=sse` is relayed as SSE and observed frame by frame; without it Gemini
 * streams one JSON array, which the proxy relays as it arrives (JSON relay mode) and
 * parses once complete (`usageFromJson` accepts the array). Nothing is injected.
 */
export function createGeminiAdapter(): ProviderAdapter {
  return defineAdapter({
    family: 'gemini',

    // The Interactions API reads generation_config.max_output_tokens (gemini-interactions.ts).
    outputLimitParam: (info) => (info.endpoint === INTERACTIONS_ENDPOINT || info.endpoint === AGENT_INTERACTIONS_ENDPOINT ? 'generation_config.max_output_tokens' : 'generationConfig.maxOutputTokens'),

    clientKey(headers, query) {
      const header = (headers['x-goog-api-key'] ?? '').trim();
      if (header.length > 0) return header;
      const param = (query.get('key') ?? '').trim();
      return param.length > 0 ? param : null;
    },

    stripUnmeterableQuery(query) {
      // A response field mask (a Google system parameter) may leave usageMetadata out of an
      // answer the provider bills: dropped, so the client gets the whole answer (a superset of
      // what it asked for) and tokometer its usage. X-Goog-FieldMask is dropped by forward.ts.
      for (const name of FIELD_MASK_PARAMS) query.delete(name);
      // Answers in a format the relay cannot read (alt=proto or media, a JSONP callback) are
      // relayed raw, their usage never seen: asked for as JSON (or SSE) instead. Unmetered
      // requests keep theirs (the SDK downloads files with alt=media).
      for (const name of ALT_PARAMS) {
        const alt = query.get(name);
        if (alt !== null && alt !== 'sse' && alt !== 'json') query.delete(name);
      }
      for (const name of CALLBACK_PARAMS) query.delete(name);
    },

    applyUpstreamAuth(headers, query, apiKey) {
      query.delete('key');
      headers['x-goog-api-key'] = apiKey;
      delete headers.authorization;
    },

    describe(method, path, body): RequestInfo {
      const post = method.toUpperCase() === 'POST';
      const bare = path.split('?', 1)[0] ?? '';
      if (post && INTERACTIONS_PATH.test(bare)) {
        const config = objAt(objAt(body).generation_config);
        return describeInteraction(body, largest(config.max_output_tokens, config.maxOutputTokens) ?? null);
      }
      const match = parseModelPath(bare);
      if (match === null) {
        const cache = describeCacheLifecycle(method, bare);
        if (cache !== null) return cache;
      }
      const action = match?.action ?? '';
      const known = match && post ? knownMethod(match) : undefined;
      const model = match?.model ?? null;
      const json = objAt(body);
      // Either name may hold the config (proto JSON); with both, each bound is the larger one.
      const camel = objAt(json.generationConfig);
      const snake = objAt(json.generation_config);
      const info: RequestInfo = {
        endpoint: known?.endpoint ?? 'other',
        kind: known?.kind ?? 'other',
        metered: known?.metered ?? false,
        model,
        streaming: known !== undefined && action === 'streamGenerateContent',
        maxOutputTokens: largest(camel.maxOutputTokens, camel.max_output_tokens, snake.maxOutputTokens, snake.max_output_tokens) ?? null,
      };
      if (known === undefined && post) {
        if (OPENAI_LAYER.test(bare)) info.refused = OPENAI_LAYER_REFUSED;
        else if (GEMINI_MINTING_PATH.test(bare)) info.refused = GEMINI_MINT_REFUSED;
        else {
          const refused = vertexRefusal(bare);
          if (refused !== undefined) info.refused = refused;
        }
      }
      const candidates = largest(camel.candidateCount, camel.candidate_count, snake.candidateCount, snake.candidate_count);
      if (candidates !== undefined && candidates > 1) info.outputChoices = candidates;
      // A cached prompt is billed as input the body does not carry (gemini-cached-contents.ts).
      const cached = known?.kind === 'chat' ? cachedContentOf(json) : undefined;
      if (cached !== undefined) info.cachedContent = cached;
      // Files by URI (fileData): billed, but not in the body's bytes.
      const referenced = known?.kind === 'chat' ? geminiReferencedTokens(json) : 0;
      if (referenced > 0) info.referencedInputTokens = referenced;
      if (known?.kind === 'embeddings') {
        const estimate = estimateEmbeddingInput(action, body);
        if (estimate !== undefined) info.estimatedInputTokens = estimate;
      }
      return info;
    },

    usageFromJson(info, json): Observed {
      if (info.kind === 'embeddings') return observeEmbedding(info, json);
      if (info.kind === 'chat') return observeBody(json);
      if (info.kind === 'responses') return observeInteraction(info, json);
      if (info.cacheLifecycle?.op === 'create') return observeCreatedCache(json);
      return { usage: null, model: null };
    },

    answerTextLength: geminiAnswerText,

    streams: { chat: () => new GenerateStream(), responses: (_prepared, info) => new InteractionStream(info) },

    pending: GEMINI_BACKGROUND,

    errorShape(error: ProxyError) {
      return { body: { error: { code: error.status, message: error.message, status: RPC_STATUS[error.kind], ...error.details } } };
    },

    streamErrorFrame(error: ProxyError, info: RequestInfo): string {
      if (info.kind === 'responses') return interactionErrorEvent(RPC_STATUS[error.kind], error.message);
      // js-genai raises a chunk whose error.code is 400–599 as an ApiError with that status (PROVIDERS.md §4).
      return `data: ${JSON.stringify({ error: { code: error.status, message: error.message, status: RPC_STATUS[error.kind] } })}\r\n\r\n`;
    },
  });
}
