/**
 * Response bodies of the simulated provider in each API family's wire format
 * (shared/PROVIDERS.md §2–4): OpenAI Chat Completions and Embeddings, Anthropic Messages,
 * Gemini generateContent / streamGenerateContent / embedContent. Pure functions: an
 * answer in, JSON text or SSE frames out.
 */

/** API families the simulated provider speaks. */
export type SimFamily = 'openai' | 'anthropic' | 'gemini';

/** One simulated completion. Token counts are non-negative integers. */
export interface SimAnswer {
  id: string;
  /** Model as answered (a dated snapshot where the real provider answers one). */
  model: string;
  /** Seconds since the epoch (simulated time). */
  created: number;
  /** Whole prompt, cached part included. */
  promptTokens: number;
  /** Part of promptTokens read from the provider's prompt cache. */
  cachedTokens: number;
  outputTokens: number;
  /** True when the answer stopped at the request's max output tokens. */
  truncated: boolean;
  /** The answer text, cut into the pieces a stream sends. */
  chunks: string[];
}

const sse = (data: unknown, event?: string): string => `${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n\n`;

function openAiUsage(a: SimAnswer): Record<string, unknown> {
  return {
    prompt_tokens: a.promptTokens,
    completion_tokens: a.outputTokens,
    total_tokens: a.promptTokens + a.outputTokens,
    prompt_tokens_details: { cached_tokens: a.cachedTokens, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

export function openAiChatJson(a: SimAnswer): string {
  return JSON.stringify({
    id: a.id,
    object: 'chat.completion',
    created: a.created,
    model: a.model,
    choices: [{ index: 0, message: { role: 'assistant', content: a.chunks.join(''), refusal: null, annotations: [] }, logprobs: null, finish_reason: a.truncated ? 'length' : 'stop' }],
    usage: openAiUsage(a),
    service_tier: 'default',
  });
}

/** Chat Completions stream; the usage-only chunk comes only when the client asked for it. */
export function openAiChatStream(a: SimAnswer, includeUsage: boolean): string[] {
  const base = { id: a.id, object: 'chat.completion.chunk', created: a.created, model: a.model, service_tier: 'default' };
  const chunk = (delta: Record<string, unknown>, finish: string | null) => sse({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...(includeUsage ? { usage: null } : {}) });
  const frames = [chunk({ role: 'assistant', content: '', refusal: null }, null)];
  for (const text of a.chunks) frames.push(chunk({ content: text }, null));
  frames.push(chunk({}, a.truncated ? 'length' : 'stop'));
  if (includeUsage) frames.push(sse({ ...base, choices: [], usage: openAiUsage(a) }));
  frames.push('data: [DONE]\n\n');
  return frames;
}

/** `values` per input, kept short (8 dimensions) so the demo moves little data. */
export function openAiEmbeddingsJson(model: string, inputs: number, tokens: number, base64: boolean): string {
  const vector = [0.0123, -0.0456, 0.0789, -0.0111, 0.0222, -0.0333, 0.0444, -0.0555];
  const encoded = base64 ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector;
  return JSON.stringify({
    object: 'list',
    data: Array.from({ length: inputs }, (_, index) => ({ object: 'embedding', index, embedding: encoded })),
    model,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  });
}

/** Anthropic usage: `input_tokens` excludes both cache buckets (PROVIDERS.md §3). */
function anthropicUsage(a: SimAnswer, outputTokens: number): Record<string, unknown> {
  return {
    input_tokens: a.promptTokens - a.cachedTokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: a.cachedTokens,
    cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
    output_tokens: outputTokens,
    service_tier: 'standard',
  };
}

export function anthropicJson(a: SimAnswer): string {
  return JSON.stringify({
    id: a.id,
    type: 'message',
    role: 'assistant',
    model: a.model,
    content: [{ type: 'text', text: a.chunks.join('') }],
    stop_reason: a.truncated ? 'max_tokens' : 'end_turn',
    stop_sequence: null,
    usage: anthropicUsage(a, a.outputTokens),
  });
}

/** Messages stream: usage starts in message_start and ends as a running total in message_delta. */
export function anthropicStream(a: SimAnswer): string[] {
  const frames = [
    sse({ type: 'message_start', message: { id: a.id, type: 'message', role: 'assistant', content: [], model: a.model, stop_reason: null, stop_sequence: null, usage: anthropicUsage(a, 1) } }, 'message_start'),
    sse({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }, 'content_block_start'),
    sse({ type: 'ping' }, 'ping'),
  ];
  for (const text of a.chunks) frames.push(sse({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } }, 'content_block_delta'));
  frames.push(
    sse({ type: 'content_block_stop', index: 0 }, 'content_block_stop'),
    sse({ type: 'message_delta', delta: { stop_reason: a.truncated ? 'max_tokens' : 'end_turn', stop_sequence: null }, usage: { output_tokens: a.outputTokens } }, 'message_delta'),
    sse({ type: 'message_stop' }, 'message_stop'),
  );
  return frames;
}

function geminiUsage(a: SimAnswer, final: boolean): Record<string, unknown> {
  const prompt = { promptTokenCount: a.promptTokens, promptTokensDetails: [{ modality: 'TEXT', tokenCount: a.promptTokens }] };
  if (!final) return { ...prompt, totalTokenCount: a.promptTokens };
  return {
    ...prompt,
    candidatesTokenCount: a.outputTokens,
    totalTokenCount: a.promptTokens + a.outputTokens,
    ...(a.cachedTokens > 0 ? { cachedContentTokenCount: a.cachedTokens, cacheTokensDetails: [{ modality: 'TEXT', tokenCount: a.cachedTokens }] } : {}),
  };
}

function geminiChunk(a: SimAnswer, text: string, final: boolean): Record<string, unknown> {
  return {
    candidates: [{ content: { parts: [{ text }], role: 'model' }, ...(final ? { finishReason: a.truncated ? 'MAX_TOKENS' : 'STOP' } : {}), index: 0 }],
    usageMetadata: geminiUsage(a, final),
    modelVersion: a.model,
    responseId: a.id,
  };
}

export function geminiJson(a: SimAnswer): string {
  return JSON.stringify(geminiChunk(a, a.chunks.join(''), true));
}

/** `alt=sse` stream: every chunk carries usageMetadata; only the last one has the output count. */
export function geminiStream(a: SimAnswer): string[] {
  const texts = a.chunks.length > 0 ? a.chunks : [''];
  return texts.map((text, i) => sse(geminiChunk(a, text, i === texts.length - 1)));
}

/** `:embedContent` (one vector) or `:batchEmbedContents` (one per request); Gemini reports no usage. */
export function geminiEmbeddingsJson(batch: number | null): string {
  const values = [0.0123, -0.0456, 0.0789, -0.0111, 0.0222, -0.0333, 0.0444, -0.0555];
  return JSON.stringify(batch === null ? { embedding: { values } } : { embeddings: Array.from({ length: batch }, () => ({ values })) });
}

const OPENAI_ERRORS: Record<number, [string, string]> = {
  400: ['invalid_request_error', 'invalid_request'],
  401: ['invalid_request_error', 'invalid_api_key'],
  404: ['invalid_request_error', 'not_found'],
  429: ['requests', 'rate_limit_exceeded'],
};
const ANTHROPIC_ERRORS: Record<number, string> = { 400: 'invalid_request_error', 401: 'authentication_error', 404: 'not_found_error', 429: 'rate_limit_error', 529: 'overloaded_error' };
const GEMINI_STATUS: Record<number, string> = { 400: 'INVALID_ARGUMENT', 401: 'UNAUTHENTICATED', 404: 'NOT_FOUND', 429: 'RESOURCE_EXHAUSTED', 503: 'UNAVAILABLE' };

/** An error body in the family's own shape for `status`. */
export function errorBody(family: SimFamily, status: number, message: string): string {
  if (family === 'anthropic') {
    return JSON.stringify({ type: 'error', error: { type: ANTHROPIC_ERRORS[status] ?? 'api_error', message }, request_id: 'req_simulated' });
  }
  if (family === 'gemini') return JSON.stringify({ error: { code: status, message, status: GEMINI_STATUS[status] ?? 'INTERNAL' } });
  const [type, code] = OPENAI_ERRORS[status] ?? ['server_error', 'server_error'];
  return JSON.stringify({ error: { message, type, param: null, code } });
}
