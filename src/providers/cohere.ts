import { randomUUID } from 'node:crypto';
import type { ProxyError } from '../lib/errors.js';
import { normaliseCohereUsage } from './cohere-usage.js';
import type { Observed, ProviderAdapter, SseFrame, StreamAccumulator, Usage } from './types.js';
import { isObj, count, parseJson, str } from './json.js';
import { defineAdapter, type KnownEndpoint } from './define-adapter.js';
import { cohereAnswerText } from './answer-text.js';

const V1_CHAT = 'v1.chat';

/**
 * The model Cohere runs for a v1 chat that names none: docs.cohere.com/v1/reference/chat,
 * body `model`, "Defaults to command-r-plus-08-2024" (the same on /reference/chat-stream;
 * checked 2026-12-06). The answer never names its model, so this is the one priced.
 */
const V1_CHAT_DEFAULT_MODEL = 'command-r-plus-08-2024';

/**
 * Metered Cohere endpoints: v2 chat and embed, and the v1 chat and embed that cohere-ai's
 * default `CohereClient` calls (its `chat`, `chatStream`, `embed`). A v1 chat stream is
 * newline-delimited JSON unless the client asks for SSE (`Accepts: text/event-stream`).
 * The other v1 endpoints (generate, rerank, classify, summarize, …) are forwarded unmetered.
 */
const ENDPOINTS: Readonly<Record<string, KnownEndpoint>> = {
  '/v2/chat': { endpoint: 'chat', kind: 'chat' },
  '/v2/embed': { endpoint: 'embed', kind: 'embeddings' },
  '/v1/chat': { endpoint: V1_CHAT, kind: 'chat', defaultModel: V1_CHAT_DEFAULT_MODEL, ndjsonStream: true },
  // A v1 embed names no default model in cohere-ai (EmbedRequest.model optional, no default
  // documented there): one that names none is recorded with its usage, unpriced.
  '/v1/embed': { endpoint: 'v1.embed', kind: 'embeddings' },
};

/** Cohere's OpenAI-compatible Compatibility API (docs.cohere.com/docs/compatibility-api): billed, not read by this adapter. */
const COMPATIBILITY_REFUSED =
  "Cohere's OpenAI-compatible Compatibility API (/compatibility/v1/…) is not metered by the cohere provider. Use the v2 API (/v2/chat, /v2/embed), or configure a provider of kind openai-compatible with base_url https://api.cohere.ai/compatibility/v1 for it.";
const REFUSED_PATHS: Readonly<Record<string, string>> = {
  '/compatibility/v1/chat/completions': COMPATIBILITY_REFUSED,
  '/compatibility/v1/embeddings': COMPATIBILITY_REFUSED,
};

const MESSAGE_END = 'message-end';

/**
 * A Cohere v2 chat stream: frames `event: <type>` + `data: {"type":"<type>",…}`, no
 * `[DONE]`. Usage is only in `message-end.delta.usage`; only that frame is parsed (found by
 * its `event:` name, or by its data when a frame has no `event:` line). Cohere streams do
 * not name the model, so the requested one is priced. Nothing is removed from the stream.
 */
class CohereChatStream implements StreamAccumulator {
  private usage: Usage | null = null;
  /** Why the generation failed: `message-end` with finish_reason ERROR (and its `delta.error`). */
  private failed: string | null = null;

  onFrame(frame: SseFrame): boolean {
    const { event, data } = frame;
    if (data.length === 0) return true;
    if (event !== '' ? event !== MESSAGE_END : !data.includes(`"${MESSAGE_END}"`)) return true;
    const json = parseJson(data);
    if (!isObj(json) || json.type !== MESSAGE_END || !isObj(json.delta)) return true;
    const usage = normaliseCohereUsage(json.delta.usage);
    if (usage) this.usage = usage;
    const error = str(json.delta.error);
    if (json.delta.finish_reason === 'ERROR' || error !== null) this.failed = `stream error: ${error ?? 'finish_reason ERROR'}`;
    return true;
  }

  finish(): Observed {
    return this.failed === null ? { usage: this.usage, model: null } : { usage: this.usage, model: null, failed: this.failed };
  }
}

const STREAM_END = 'stream-end';

/**
 * A Cohere v1 chat stream: one event per line (`{"event_type":"stream-start",…}`,
 * `text-generation`, …), or the same events as SSE data. Usage is only in the last event,
 * `stream-end`, as `response.meta.billed_units` (its `tokens` when those are null: cohere-usage.ts);
 * only a line or frame holding that name (or
 * an SSE frame with `event: stream-end`: the SSE form is not documented byte for byte) is
 * parsed. A `stream-end` with finish_reason ERROR failed (as a v2 `message-end` so ending).
 * The stream does not name the model, so the requested (or default) one is priced.
 */
class CohereV1ChatStream implements StreamAccumulator {
  private usage: Usage | null = null;
  private failed: string | null = null;

  onFrame(frame: SseFrame): boolean {
    const { event, data } = frame;
    // Named by its `event_type`, or (SSE only) by an `event:` line.
    const named = event === STREAM_END;
    if (!named && !data.includes(`"${STREAM_END}"`)) return true;
    const json = parseJson(data);
    if (!isObj(json) || (!named && json.event_type !== STREAM_END)) return true;
    const usage = isObj(json.response) ? normaliseCohereUsage(json.response.meta) : null;
    if (usage) this.usage = usage;
    if (json.finish_reason === 'ERROR') this.failed = 'stream error: finish_reason ERROR';
    return true;
  }

  finish(): Observed {
    return this.failed === null ? { usage: this.usage, model: null } : { usage: this.usage, model: null, failed: this.failed };
  }
}

/**
 * The adapter for Cohere's API (`https://api.cohere.com`): `/v2/chat` (JSON or SSE),
 * `/v2/embed`, `/v1/chat` (JSON, newline-delimited JSON or SSE) and `/v1/embed` are metered,
 * billed on `billed_units` (on the reported `tokens` only when those are absent or null:
 * cohere-usage.ts); everything else is forwarded unmetered. Requests are never
 * rewritten (streams of both versions always end with usage).
 *
 * Errors are rendered as `{"id":"<uuid>","message":"…"}` plus any details (budget,
 * reset_at) with the error's status; the cohere-ai SDK maps 400/401/403/404/429/500/503/504
 * to its typed errors (UnauthorizedError…) and any other status to CohereError, keeping the
 * body. Note: cohere-ai retries 429 and 5xx twice by default (Retry-After capped at 60 s).
 */
export function createCohereAdapter(family = 'cohere'): ProviderAdapter {
  return defineAdapter({
    family,
    endpoints: ENDPOINTS,
    refusedPaths: REFUSED_PATHS,
    // On /v2/embed, max_tokens truncates the input; it is not an output limit.
    maxOutputTokens: (json, known) => (known?.kind === 'chat' ? (count(json.max_tokens) ?? null) : null),

    usageFromJson(info, json): Observed {
      if (!isObj(json)) return { usage: null, model: null };
      // v2 chat reports usage in `usage`; embeds and v1 chat in `meta`, the same shape.
      const usage = normaliseCohereUsage(info.kind === 'embeddings' || info.endpoint === V1_CHAT ? json.meta : json.usage);
      // The generation failed inside a 200 (PROVIDERS.md §6): billed all the same, recorded upstream_failed.
      if (info.kind === 'chat' && json.finish_reason === 'ERROR') return { usage, model: null, failed: 'finish_reason ERROR' };
      return { usage, model: null };
    },

    answerTextLength: (info, json) => cohereAnswerText(info, json, info.endpoint === V1_CHAT),

    streams: { chat: (_prepared, info) => (info.endpoint === V1_CHAT ? new CohereV1ChatStream() : new CohereChatStream()) },

    errorShape(error: ProxyError) {
      return {
        body: { id: randomUUID(), message: error.message, ...error.details },
        // cohere-ai retries every 429 (ignoring x-should-retry, Retry-After capped at 60 s),
        // so a budget that cannot clear for days would stall the client for minutes.
        // Cohere's own billing-limit status, 402, is raised at once (every budget refusal,
        // budget_busy too: SPEC §11).
        status: error.kind === 'budget_exceeded' || error.kind === 'budget_busy' ? 402 : error.status,
      };
    },
  });
}
