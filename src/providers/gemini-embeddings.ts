import { estimateTokens } from './estimate.js';
import { normaliseGeminiUsage } from './gemini-usage.js';
import { emptyUsage, type Observed, type RequestInfo } from './types.js';
import { type Json, isObj, count } from './json.js';

/** Estimated tokens of one EmbedContentRequest: each `content.parts[].text`, plus its `title`. */
function requestTokens(request: unknown): number {
  if (!isObj(request)) return 0;
  let tokens = typeof request.title === 'string' ? estimateTokens(request.title) : 0;
  const parts = isObj(request.content) ? request.content.parts : undefined;
  if (Array.isArray(parts)) {
    for (const part of parts) if (isObj(part) && typeof part.text === 'string') tokens += estimateTokens(part.text);
  }
  return tokens;
}

/** Estimated tokens of one Vertex `:predict` instance of a text embedding model: its `content` text, plus its `title`. */
function instanceTokens(instance: unknown): number {
  if (!isObj(instance)) return 0;
  let tokens = typeof instance.title === 'string' ? estimateTokens(instance.title) : 0;
  if (typeof instance.content === 'string') tokens += estimateTokens(instance.content);
  return tokens;
}

/**
 * Input tokens of a Gemini embedding request, estimated from its texts (estimateTokens,
 * ~4 characters per token, rounded up per text), because the Gemini API returns no
 * usage for embeddings. `:embedContent` bodies are one request; `:batchEmbedContents`
 * bodies hold `requests[]`; Vertex `:predict` bodies hold `instances[]` of
 * `{content, title}` strings. Undefined when the body is not a JSON object.
 */
export function estimateEmbeddingInput(action: string, body: unknown): number | undefined {
  if (!isObj(body)) return undefined;
  if (action === 'predict') {
    let tokens = 0;
    if (Array.isArray(body.instances)) for (const instance of body.instances) tokens += instanceTokens(instance);
    return tokens;
  }
  if (action !== 'batchEmbedContents') return requestTokens(body);
  if (!Array.isArray(body.requests)) return 0;
  let tokens = 0;
  for (const request of body.requests) tokens += requestTokens(request);
  return tokens;
}

/** The embeddings of a response: `embedding`, `embeddings[]`, or a Vertex `:predict` answer's `predictions[].embeddings`. */
function embeddingsOf(json: Json): unknown[] {
  if (isObj(json.embedding)) return [json.embedding];
  if (Array.isArray(json.embeddings)) return json.embeddings;
  if (Array.isArray(json.predictions)) return json.predictions.map((p) => (isObj(p) ? p.embeddings : undefined));
  return [];
}

/**
 * Token count Vertex-style responses report per embedding (`statistics.tokenCount`; the
 * `:predict` answer of a text embedding model says `statistics.token_count`); undefined when absent.
 */
function statisticsTokens(json: Json): number | undefined {
  let total: number | undefined;
  for (const e of embeddingsOf(json)) {
    const n = isObj(e) && isObj(e.statistics) ? count(e.statistics.tokenCount ?? e.statistics.token_count) : undefined;
    if (n !== undefined) total = (total ?? 0) + n;
  }
  return total;
}

/**
 * Usage of an embedContent / batchEmbedContents / Vertex `:predict` response. A count the
 * response reports (`usageMetadata`, or Vertex `statistics.tokenCount` / `token_count`) is used
 * as reported; otherwise a successful embedding response (`embedding`, `embeddings[]` or
 * `predictions[].embeddings`) gets the request's
 * estimate, marked `estimated`. Anything else (an error body) has no usage.
 */
export function observeEmbedding(info: RequestInfo, json: unknown): Observed {
  const none: Observed = { usage: null, model: null };
  if (!isObj(json)) return none;
  const reported = normaliseGeminiUsage(json.usageMetadata);
  if (reported) return { usage: reported, model: null };
  const statistics = statisticsTokens(json);
  if (statistics !== undefined) return { usage: { ...emptyUsage(), inputTokens: statistics }, model: null };
  const isEmbedding = embeddingsOf(json).some(isObj);
  if (!isEmbedding || info.estimatedInputTokens === undefined) return none;
  return { usage: { ...emptyUsage(), inputTokens: info.estimatedInputTokens }, model: null, estimated: true };
}
