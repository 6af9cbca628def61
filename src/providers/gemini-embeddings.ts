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

/**
 * Input tokens of a Gemini embedding request, estimated from its texts (estimateTokens,
 * ~4 characters per token, rounded up per text), because the Gemini API returns no
 * usage for embeddings. `:embedContent` bodies are one request; `:batchEmbedContents`
 * bodies hold `requests[]`. Undefined when the body is not a JSON object.
 */
export function estimateEmbeddingInput(action: string, body: unknown): number | undefined {
  if (!isObj(body)) return undefined;
  if (action !== 'batchEmbedContents') return requestTokens(body);
  if (!Array.isArray(body.requests)) return 0;
  let tokens = 0;
  for (const request of body.requests) tokens += requestTokens(request);
  return tokens;
}

/** Token count Vertex-style responses report per embedding (`statistics.tokenCount`); undefined when absent. */
function statisticsTokens(json: Json): number | undefined {
  const embeddings = isObj(json.embedding) ? [json.embedding] : Array.isArray(json.embeddings) ? json.embeddings : [];
  let total: number | undefined;
  for (const e of embeddings) {
    const n = isObj(e) && isObj(e.statistics) ? count(e.statistics.tokenCount) : undefined;
    if (n !== undefined) total = (total ?? 0) + n;
  }
  return total;
}

/**
 * Usage of an embedContent / batchEmbedContents response. A count the response reports
 * (`usageMetadata`, or Vertex `statistics.tokenCount`) is used as reported; otherwise a
 * successful embedding response (`embedding` or `embeddings[]`) gets the request's
 * estimate, marked `estimated`. Anything else (an error body) has no usage.
 */
export function observeEmbedding(info: RequestInfo, json: unknown): Observed {
  const none: Observed = { usage: null, model: null };
  if (!isObj(json)) return none;
  const reported = normaliseGeminiUsage(json.usageMetadata);
  if (reported) return { usage: reported, model: null };
  const statistics = statisticsTokens(json);
  if (statistics !== undefined) return { usage: { ...emptyUsage(), inputTokens: statistics }, model: null };
  const isEmbedding = isObj(json.embedding) || Array.isArray(json.embeddings);
  if (!isEmbedding || info.estimatedInputTokens === undefined) return none;
  return { usage: { ...emptyUsage(), inputTokens: info.estimatedInputTokens }, model: null, estimated: true };
}
