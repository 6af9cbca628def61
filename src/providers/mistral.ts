import type { ErrorKind, ProxyError } from '../lib/errors.js';
import { normaliseMistralUsage } from './mistral-usage.js';
import type { Observed, ProviderAdapter, SseFrame, StreamAccumulator, Usage } from './types.js';
import { isObj, objAt, str, count, parseJson } from './json.js';
import { defineAdapter, type KnownEndpoint } from './define-adapter.js';
import { isOneJsonDataLine, mayCarryKey, USAGE_KEY } from './frame-bytes.js';
import { CONVERSATION_ROUTE, ConversationStream, continuedConversation, conversationRoute, observeConversation } from './mistral-conversations.js';
import { OCR_USAGE_KEYS, observeMistralOcr, ocrPageBound } from './mistral-ocr.js';
import { MistralTranscriptionStream, observeMistralTranscription } from './mistral-transcriptions.js';
import { mistralAnswerText } from './answer-text.js';

/**
 * Metered Mistral endpoints, keyed by path without the `/v1` prefix. The Mistral SDK sends
 * `/v1/chat/completions`; an OpenAI SDK pointed at Mistral sends `/chat/completions`.
 * Agents completions answer with the chat completion body and chunks (the SDK's
 * ChatCompletionResponse and CompletionEvent) and bill the agent model's tokens the same
 * way; their request names `agent_id`, so the model priced is the answer's `model`.
 */
const ENDPOINTS: Readonly<Record<string, KnownEndpoint>> = {
  '/chat/completions': { endpoint: 'chat.completions', kind: 'chat' },
  '/agents/completions': { endpoint: 'agents.completions', kind: 'chat' },
  // Every turn of a conversation (start, append, restart: mistral-conversations.ts), as one
  // stateful call like an OpenAI Responses one.
  [CONVERSATION_ROUTE]: { endpoint: 'conversations', kind: 'responses' },
  '/fim/completions': { endpoint: 'fim.completions', kind: 'completions' },
  '/embeddings': { endpoint: 'embeddings', kind: 'embeddings' },
  // A multipart form upload: its `model` and `stream` are form fields (proxy/form-fields.ts);
  // the audio's seconds are billed (mistral-transcriptions.ts).
  '/audio/transcriptions': { endpoint: 'audio.transcriptions', kind: 'transcriptions' },
  // Billed per page of the document, not per token (mistral-ocr.ts).
  '/ocr': { endpoint: 'ocr', kind: 'ocr' },
};

/**
 * A Mistral chat or FIM stream: `data:`-only chunks ending with `data: [DONE]`. Usage comes
 * unasked on the last chunk, either next to `finish_reason` or in a chunk of its own; the
 * last usage seen wins. Nothing is ever removed from the client's stream.
 */
class MistralStream implements StreamAccumulator {
  private usage: Usage | null = null;
  private model: string | null = null;

  /** `onFrame`'s skip on bytes, once the model is known: one JSON data line with no usage (a `"usage": null` observes nothing either). */
  passes(raw: Uint8Array): boolean {
    return this.model !== null && isOneJsonDataLine(raw) && !mayCarryKey(raw, USAGE_KEY);
  }

  onFrame(frame: SseFrame): boolean {
    const data = frame.data;
    if (data.length === 0 || data === '[DONE]') return true;
    // Every chunk repeats the model: parse the first one, then only chunks that mention usage.
    if (this.model !== null && !data.includes('"usage"')) return true;
    const json = parseJson(data);
    if (!isObj(json)) return true;
    this.model ??= str(json.model);
    const usage = normaliseMistralUsage(json.usage);
    if (usage) this.usage = usage;
    return true;
  }

  finish(): Observed {
    return { usage: this.usage, model: this.model };
  }
}

/** Mistral's OpenAI-like error `type` and `code` per tokometer error kind. */
const ERROR_SHAPES: Readonly<Record<ErrorKind, readonly [type: string, code: string]>> = {
  bad_request: ['invalid_request_error', 'invalid_request'],
  unauthorized: ['unauthorized', 'invalid_api_key'],
  forbidden: ['forbidden', 'permission_denied'],
  not_found: ['not_found', 'not_found'],
  method_not_allowed: ['invalid_request_error', 'method_not_allowed'],
  payload_too_large: ['invalid_request_error', 'request_too_large'],
  unsupported_media_type: ['invalid_request_error', 'unsupported_content_encoding'],
  budget_exceeded: ['budget_exceeded', 'budget_exceeded'],
  budget_busy: ['budget_busy', 'budget_busy'],
  unavailable: ['service_unavailable', 'store_unavailable'],
  upstream_unreachable: ['upstream_error', 'upstream_unreachable'],
  upstream_timeout: ['timeout', 'timeout'],
  internal: ['internal_error', 'internal_error'],
};

/**
 * The adapter for Mistral's API (`https://api.mistral.ai`): chat, agents and FIM
 * completions, conversation turns, embeddings, audio transcriptions and OCR are metered; every
 * other path is forwarded unmetered.
 * Paths are those after `/proxy/<provider>`, with or without the leading `/v1`.
 *
 * Mistral streams carry usage by default, so requests are never rewritten. Errors are
 * rendered as Mistral's OpenAI-like `{"object":"error","message","type","param","code"}`;
 * the Mistral SDK raises `SDKError` (message "… Status <code> … Body: <raw>") for any
 * 4xx/5xx but 422, which tokometer never sends.
 */
export function createMistralAdapter(family = 'mistral'): ProviderAdapter {
  const adapter = defineAdapter({
    family,
    endpoints: ENDPOINTS,
    stripV1: true,
    // A conversation turn sets its output limit in completion_args; embeddings, transcriptions and OCR have none.
    // A conversation turn (kind responses) sets its limit inside completion_args.
    outputLimitParam: (info) => (info.kind === 'responses' ? 'completion_args.max_tokens' : 'max_tokens'),
    maxOutputTokens: (json, known) => (known?.kind === 'embeddings' || known?.kind === 'transcriptions' || known?.kind === 'ocr' ? null : (count((known?.kind === 'responses' ? objAt(json.completion_args) : json).max_tokens) ?? null)),
    // A transcription's form writes the boolean as text (the SDK's appendForm: String(true)).
    streaming: (json, known) => json.stream === true || (known?.kind === 'transcriptions' && json.stream === 'true'),

    usageFromJson(info, json): Observed {
      if (!isObj(json)) return { usage: null, model: null };
      if (info.kind === 'responses') return observeConversation(json, info.continues === undefined);
      if (info.kind === 'transcriptions') return observeMistralTranscription(json);
      if (info.kind === 'ocr') return observeMistralOcr(json, info);
      return { usage: normaliseMistralUsage(json.usage), model: str(json.model) };
    },

    // An OCR answer is pages of markdown (and base64 images) around its usage: only counted.
    usageJsonKeys: (info) => (info.kind === 'ocr' ? OCR_USAGE_KEYS : undefined),
    answerTextLength: mistralAnswerText,

    streams: {
      chat: () => new MistralStream(),
      completions: () => new MistralStream(),
      responses: (_prepared, info) => new ConversationStream(info.continues === undefined),
      transcriptions: () => new MistralTranscriptionStream(),
    },

    errorShape(error: ProxyError) {
      const [type, code] = ERROR_SHAPES[error.kind];
      return { body: { object: 'error', message: error.message, type, param: null, code, ...error.details } };
    },
  });
  // Conversation paths carry the conversation's id: each is looked up as the one route, and
  // an append or restart continues that conversation (its history billed again as input).
  const byTable = adapter.describe;
  const describe: ProviderAdapter['describe'] = (method, path, body) => {
    const route = conversationRoute(path);
    if (route === null) {
      const info = byTable(method, path, body);
      // An OCR request: the most pages it can be billed for, held by the budget reservation.
      if (info.kind === 'ocr') info.documentPages = ocrPageBound(body);
      return info;
    }
    const info = byTable(method, route, body);
    const continues = info.metered ? continuedConversation(path) : undefined;
    if (continues !== undefined) info.continues = continues;
    return info;
  };
  return { ...adapter, describe };
}
