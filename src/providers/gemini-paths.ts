/**
 * The model paths of the gemini provider: the Gemini API's and Vertex AI's (a gemini provider
 * whose base_url is aiplatform.googleapis.com or a regional `LOCATION-aiplatform` host).
 *
 * Shapes (@google/genai 2.x: tModel turns a bare model id into `models/ID` on the Gemini API
 * and `publishers/google/models/ID` on Vertex; shouldPrependVertexProjectPath adds
 * `projects/P/locations/L/` when the client has a project and location, not in express mode):
 * - Gemini API: `/{v1|v1beta|v1alpha}/models/ID:method`, `/{…}/tunedModels/ID:method`;
 * - Vertex AI: `/{v1|v1beta1}/publishers/google/models/ID:method` (express mode) and
 *   `/{v1|v1beta1}/projects/P/locations/L/publishers/google/models/ID:method`.
 * Both answer the same GenerateContentResponse (usageMetadata), so both are metered alike.
 */

import type { EndpointKind } from './types.js';

/** A method on a model the adapter knows: the endpoint recorded, its kind, and whether it is metered. */
export interface ModelMethod {
  readonly endpoint: string;
  readonly kind: EndpointKind;
  readonly metered: boolean;
}

/** Methods on a model (POST only) the adapter knows; any other path or method is `other`. */
const METHODS: Readonly<Record<string, ModelMethod>> = {
  generateContent: { endpoint: 'generateContent', kind: 'chat', metered: true },
  // Same endpoint name as the non-streamed call; the row's `streamed` flag tells them apart.
  streamGenerateContent: { endpoint: 'generateContent', kind: 'chat', metered: true },
  embedContent: { endpoint: 'embedContent', kind: 'embeddings', metered: true },
  batchEmbedContents: { endpoint: 'batchEmbedContents', kind: 'embeddings', metered: true },
  // A token count only: forwarded and recorded, never priced.
  countTokens: { endpoint: 'countTokens', kind: 'other', metered: false },
  // Vertex AI's token count with the tokens listed (not billed either).
  computeTokens: { endpoint: 'computeTokens', kind: 'other', metered: false },
};

/**
 * Vertex AI's text embedding models, whose `:predict` takes `instances[].content` and answers
 * `predictions[].embeddings.statistics.token_count` (@google/genai's embedContent on Vertex
 * for gemini-embedding-001 and text-embedding-*; tIsVertexEmbedContentModel).
 */
const VERTEX_TEXT_EMBEDDING_MODEL = /^(gemini-embedding|text-embedding|text-multilingual-embedding)-/;

/** Vertex AI `:predict` of a text embedding model. */
const PREDICT_EMBEDDINGS: ModelMethod = { endpoint: 'predict', kind: 'embeddings', metered: true };

/** A model path: the model as stored and priced, and the method after the colon. */
export interface ModelPath {
  /** `gemini-2.5-pro` for `models/…` and `publishers/google/models/…`; `tunedModels/<id>` for a Gemini API tuned model. */
  readonly model: string;
  /** The method after the colon, e.g. `generateContent`, `streamGenerateContent`. */
  readonly action: string;
  /** True for a Vertex AI path (`publishers/google/models/…`). */
  readonly vertex: boolean;
}

/** `/v1beta/models/gemini-2.5-flash:generateContent` → version, resource, model id, method. */
const GEMINI_API_MODEL = /^\/(?:v1|v1beta|v1alpha)\/(models|tunedModels)\/([^/:]+):([A-Za-z]+)$/;

/** Vertex AI: `/v1beta1/[projects/P/locations/L/]publishers/PUBLISHER/models/ID:method` → publisher, model id, method. */
const VERTEX_PUBLISHER_MODEL = /^\/(?:v1|v1beta1)\/(?:projects\/[^/]+\/locations\/[^/]+\/)?publishers\/([^/]+)\/models\/([^/:]+):([A-Za-z]+)$/;

/**
 * Vertex AI resources that name no model tokometer can price: a deployed or tuned model
 * (`endpoints/ID:method`, `models/ID:method` of the Model Registry) and the OpenAI-compatible
 * layer (`endpoints/openapi/chat/completions`).
 */
const VERTEX_ENDPOINT = /^\/(?:v1|v1beta1)\/projects\/[^/]+\/locations\/[^/]+\/(?:endpoints|models)\/[^/:]+(?::[A-Za-z]+|\/.+)$/;

/** What the gemini provider meters on Vertex AI, said in every refusal. */
const METERED_ON_VERTEX =
  'The gemini provider meters Vertex AI calls to publishers/google/models/MODEL:generateContent, :streamGenerateContent and :embedContent (as on the Gemini API) and :predict of the text embedding models (gemini-embedding-*, text-embedding-*, text-multilingual-embedding-*), and forwards :countTokens and :computeTokens unmetered.';

/**
 * The model and method a path names (Gemini API or Vertex AI Google model), or null when it
 * names none. A partner publisher's model (`publishers/anthropic/…`) is not one: its wire
 * format is the partner's.
 */
export function parseModelPath(path: string): ModelPath | null {
  const gemini = GEMINI_API_MODEL.exec(path);
  if (gemini) {
    const [, resource, id, action] = gemini as unknown as [string, string, string, string];
    return { model: resource === 'models' ? id : `${resource}/${id}`, action, vertex: false };
  }
  const vertex = VERTEX_PUBLISHER_MODEL.exec(path);
  if (vertex && vertex[1] === 'google') return { model: vertex[2] as string, action: vertex[3] as string, vertex: true };
  return null;
}

/**
 * The method a POST to `path` calls, when the adapter knows it: those of METHODS on either
 * API, and on Vertex AI `:predict` of a text embedding model. Undefined for any other.
 */
export function knownMethod(path: ModelPath): ModelMethod | undefined {
  const method = METHODS[path.action];
  if (method !== undefined) return method;
  if (path.vertex && path.action === 'predict' && VERTEX_TEXT_EMBEDDING_MODEL.test(path.model)) return PREDICT_EMBEDDINGS;
  return undefined;
}

/**
 * Why a POST to `path` (no query) is refused, for a Vertex AI path the adapter does not meter
 * (call it only when the method is not one it knows): undefined for any other path, which is
 * forwarded as before. Refused rather than forwarded as an unmetered `other` call, which would
 * be recorded at $0 and never settle against a budget.
 */
export function vertexRefusal(path: string): string | undefined {
  if (VERTEX_ENDPOINT.test(path)) {
    return `This Vertex AI endpoint (a deployed or tuned model under endpoints/ or models/, or the OpenAI-compatible endpoints/openapi) is not metered by the gemini provider: the path names no model tokometer can price. ${METERED_ON_VERTEX}`;
  }
  const vertex = VERTEX_PUBLISHER_MODEL.exec(path);
  if (vertex === null) return undefined;
  if (vertex[1] !== 'google') {
    return `Vertex AI partner models (publishers/${vertex[1]}/…) are not metered by the gemini provider: their answers are in the partner's format. ${METERED_ON_VERTEX}`;
  }
  return `Vertex AI :${vertex[3]} of ${vertex[2]} is not metered by the gemini provider (its answer carries no token usage tokometer reads: images, multimodal embeddings, a long-running operation). ${METERED_ON_VERTEX}`;
}
