import type { ErrorKind, ProxyError } from '../lib/errors.js';
import { usdToNano } from '../lib/money.js';
import type { Observed, PreparedRequest, ProviderAdapter, SseFrame, StreamAccumulator, Usage } from './types.js';
import { type Json, isObj, objAt, str, isAmount, count, parseJson } from './json.js';
import { defineAdapter, type KnownEndpoint } from './define-adapter.js';
import { asciiBytes, isOneJsonDataLine, mayCarryKey } from './frame-bytes.js';

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
}

/** 1 USD = 1e10 xAI ticks = 1e9 nano-USD. */
const TICKS_PER_NANO = 10;

/**
 * Normalises an OpenAI-family usage object to `Usage` (see its inclusion rules), or null
 * when it carries no token counts. Accepts both shapes:
 * Chat/Completions/Embeddings (`prompt_tokens`, `completion_tokens`, `*_tokens_details`)
 * and Responses (`input_tokens`, `output_tokens`, `*_tokens_details`), plus vendor extras:
 * DeepSeek `prompt_cache_hit_tokens`, OpenRouter `cost` (USD credits), xAI
 * `cost_in_usd_ticks`. Cache and reasoning counts are clamped to stay subsets.
 */
export function normaliseOpenAiUsage(raw: unknown): Usage | null {
  if (!isObj(raw)) return null;
  const chat = count(raw.prompt_tokens) !== undefined || count(raw.completion_tokens) !== undefined;
  const input = count(chat ? raw.prompt_tokens : raw.input_tokens);
  const output = count(chat ? raw.completion_tokens : raw.output_tokens);
  if (input === undefined && output === undefined) return null;
  const inDetails = objAt(chat ? raw.prompt_tokens_details : raw.input_tokens_details);
  const outDetails = objAt(chat ? raw.completion_tokens_details : raw.output_tokens_details);

  const inputTokens = input ?? 0;
  let outputTokens = output ?? 0;
  const reasoning = count(outDetails.reasoning_tokens) ?? 0;
  // xAI counts reasoning on top of completion_tokens (total = prompt + completion + reasoning);
  // OpenAI counts it inside. The reported total tells the two apart.
  if (reasoning > 0 && count(raw.total_tokens) === inputTokens + outputTokens + reasoning) outputTokens += reasoning;

  const cacheRead = Math.min(count(inDetails.cached_tokens) ?? count(raw.prompt_cache_hit_tokens) ?? 0, inputTokens);
  const cacheWrite = Math.min(count(inDetails.cache_write_tokens) ?? 0, inputTokens - cacheRead);
  const usage: Usage = {
    inputTokens,
    outputTokens,
    cacheReadTokens: cacheRead,
    cacheWrite5mTokens: cacheWrite,
    cacheWrite1hTokens: 0,
    reasoningTokens: Math.min(reasoning, outputTokens),
  };
  const inAudio = count(inDetails.audio_tokens) ?? 0;
  const outAudio = count(outDetails.audio_tokens) ?? 0;
  if (inAudio > 0) usage.inputAudioTokens = Math.min(inAudio, inputTokens);
  if (outAudio > 0) usage.outputAudioTokens = Math.min(outAudio, outputTokens);

  const ticks = raw.cost_in_usd_ticks;
  const credits = raw.cost;
  if (isAmount(ticks)) usage.providerCostNano = Math.round(ticks / TICKS_PER_NANO);
  else if (isAmount(credits)) usage.providerCostNano = usdToNano(credits);
  return usage;
}

/**
 * Usage and model from one response object (a Chat/Completions/Embeddings body, a
 * stream chunk, or a Responses `response`). Usage comes from `usage`, else Groq's
 * `x_groq.usage`; `service_tier` is attached to it.
 */
function observe(json: Json): Observed {
  const usage = normaliseOpenAiUsage(json.usage) ?? normaliseOpenAiUsage(objAt(json.x_groq).usage);
  const tier = str(json.service_tier);
  if (usage && tier) usage.serviceTier = tier;
  const observed: Observed = { usage, model: str(json.model) };
  const reasons = finishReasons(json.choices);
  if (reasons) observed.finishReasons = reasons;
  return observed;
}

/** `choices[].finish_reason` in choice order (stream chunks name their choice by `index`); undefined when none is set. */
function finishReasons(choices: unknown, into: string[] = []): string[] | undefined {
  if (!Array.isArray(choices)) return undefined;
  let found = false;
  choices.forEach((choice, i) => {
    const reason = isObj(choice) ? str(choice.finish_reason) : null;
    if (!reason) return;
    into[count(choice.index) ?? i] = reason;
    found = true;
  });
  return found ? into : undefined;
}

/** True when some `key` (quoted, e.g. `"usage"`) in the JSON text is not followed by `null` (cheap pre-check). */
function mayCarry(data: string, key: string): boolean {
  let i = data.indexOf(key);
  while (i !== -1) {
    let j = i + key.length;
    while (j < data.length && (data[j] === ' ' || data[j] === ':' || data[j] === '\t')) j++;
    if (!data.startsWith('null', j)) return true;
    i = data.indexOf(key, j);
  }
  return false;
}

function mayCarryUsage(data: string): boolean {
  return mayCarry(data, '"usage"');
}

const USAGE_KEY = asciiBytes('"usage"');
const FINISH_REASON_KEY = asciiBytes('"finish_reason"');

/** Chat Completions and legacy Completions streams (`data:`-only chunks, `[DONE]`). */
class ChatStream implements StreamAccumulator {
  private usage: Usage | null = null;
  private model: string | null = null;
  private tier: string | null = null;
  private reasons: string[] = [];

  constructor(private readonly strip: boolean) {}

  /** The same skip as `onFrame`'s, on bytes: one JSON data line with no usage or finish reason, once the model is known. */
  passes(raw: Uint8Array): boolean {
    return this.model !== null && isOneJsonDataLine(raw) && !mayCarryKey(raw, USAGE_KEY) && !mayCarryKey(raw, FINISH_REASON_KEY);
  }

  onFrame(frame: SseFrame): boolean {
    const data = frame.data;
    if (data.length === 0 || data === '[DONE]') return true;
    // Every chunk repeats the model: parse the first one, then only chunks that may carry usage or a finish reason.
    if (this.model !== null && !mayCarryUsage(data) && !mayCarry(data, '"finish_reason"')) return true;
    const json = parseJson(data);
    if (!isObj(json)) return true;
    finishReasons(json.choices, this.reasons);
    const seen = observe(json);
    this.model = seen.model ?? this.model;
    this.tier = str(json.service_tier) ?? this.tier;
    if (seen.usage) this.usage = seen.usage;
    const usageOnly = Array.isArray(json.choices) && json.choices.length === 0 && isObj(json.usage);
    return !(this.strip && usageOnly);
  }

  finish(): Observed {
    if (this.usage && this.tier) this.usage.serviceTier = this.tier;
    const reasons = this.reasons.filter((r) => r !== undefined);
    return reasons.length > 0 ? { usage: this.usage, model: this.model, finishReasons: reasons } : { usage: this.usage, model: this.model };
  }
}

const TERMINAL_EVENTS = new Set(['response.completed', 'response.incomplete', 'response.failed']);
const MODEL_EVENTS = new Set(['response.created', 'response.in_progress']);

/** Responses API streams: usage only in the terminal event's `.response.usage`. */
class ResponsesStream implements StreamAccumulator {
  private usage: Usage | null = null;
  private model: string | null = null;

  onFrame(frame: SseFrame): boolean {
    const { event, data } = frame;
    if (data.length === 0) return true;
    const wanted = event !== '' ? TERMINAL_EVENTS.has(event) || (this.model === null && MODEL_EVENTS.has(event)) : this.model === null || mayCarryUsage(data);
    if (!wanted) return true;
    const json = parseJson(data);
    if (!isObj(json) || typeof json.type !== 'string' || !isObj(json.response)) return true;
    const seen = observe(json.response);
    if (TERMINAL_EVENTS.has(json.type)) {
      if (seen.usage) this.usage = seen.usage;
      this.model = seen.model ?? this.model;
    } else if (MODEL_EVENTS.has(json.type)) {
      this.model = this.model ?? seen.model;
    }
    return true;
  }

  finish(): Observed {
    return { usage: this.usage, model: this.model };
  }
}

const ENDPOINTS: Readonly<Record<string, KnownEndpoint>> = {
  '/chat/completions': { endpoint: 'chat.completions', kind: 'chat' },
  '/responses': { endpoint: 'responses', kind: 'responses' },
  '/responses/compact': { endpoint: 'responses.compact', kind: 'responses' },
  '/embeddings': { endpoint: 'embeddings', kind: 'embeddings' },
  '/completions': { endpoint: 'completions', kind: 'completions' },
};

function maxOutputTokens(body: Json): number | null {
  return count(body.max_completion_tokens) ?? count(body.max_tokens) ?? count(body.max_output_tokens) ?? null;
}

const ERROR_SHAPES: Readonly<Record<ErrorKind, readonly [type: string, code: string]>> = {
  bad_request: ['invalid_request_error', 'invalid_request'],
  unauthorized: ['invalid_request_error', 'invalid_api_key'],
  forbidden: ['permission_denied', 'permission_denied'],
  not_found: ['not_found', 'not_found'],
  method_not_allowed: ['invalid_request_error', 'method_not_allowed'],
  payload_too_large: ['request_too_large', 'request_too_large'],
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

  return defineAdapter({
    family,

    applyUpstreamAuth(headers, _query, apiKey) {
      headers.authorization = `Bearer ${apiKey}`;
      delete headers['openai-organization'];
      delete headers['openai-project'];
      delete headers['api-key'];
    },

    endpoints: ENDPOINTS,
    stripV1: true,
    maxOutputTokens,

    prepare(info, body, rawBody): PreparedRequest {
      const untouched: PreparedRequest = { stripInjectedUsage: false };
      if (!inject || !info.streaming || (info.kind !== 'chat' && info.kind !== 'completions') || !isObj(body)) return untouched;
      const options = body.stream_options;
      if (options === undefined) {
        const spliced = spliceStreamOptions(rawBody);
        if (spliced) return { body: spliced, stripInjectedUsage: true };
      } else if (options !== null && !isObj(options)) {
        return untouched;
      } else if (isObj(options) && options.include_usage !== undefined && options.include_usage !== null) {
        return untouched;
      }
      const merged = { ...body, stream_options: { ...objAt(options), include_usage: true } };
      return { body: encoder.encode(JSON.stringify(merged)), stripInjectedUsage: true };
    },

    usageFromJson(_info, json): Observed {
      return isObj(json) ? observe(json) : { usage: null, model: null };
    },

    streams: {
      responses: () => new ResponsesStream(),
      chat: (prepared) => new ChatStream(prepared.stripInjectedUsage),
      completions: (prepared) => new ChatStream(prepared.stripInjectedUsage),
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
}
