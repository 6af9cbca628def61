import { usdToNano } from '../lib/money.js';
import { asciiBytes, isOneJsonDataLine, mayCarryKey, USAGE_KEY } from './frame-bytes.js';
import { type Json, isObj, objAt, str, isAmount, count, parseJson } from './json.js';
import { streamError } from './openai-event-stream.js';
import { pickJsonKeysOfText } from './json-keys.js';
import { imageCallUsage, imageGenerationTool, isBilledImageCall } from './openai-image-tool.js';
import { previewSearchesOnly } from './search-bounds.js';
import type { AdvisorUsage, FrameRewrite, Observed, SseFrame, StreamAccumulator, Usage } from './types.js';

/** 1 USD = 1e10 xAI ticks = 1e9 nano-USD. */
const TICKS_PER_NANO = 10;

/**
 * Normalises an OpenAI-family usage object to `Usage` (see its inclusion rules), or null
 * when it carries no token counts. Accepts both shapes:
 * Chat/Completions/Embeddings (`prompt_tokens`, `completion_tokens`, `*_tokens_details`)
 * and Responses (`input_tokens`, `output_tokens`, `*_tokens_details`), plus vendor extras:
 * DeepSeek `prompt_cache_hit_tokens`, OpenRouter `cost` (USD credits), xAI
 * `cost_in_usd_ticks`. Cache and reasoning counts are clamped to stay subsets. The input
 * details are also read under `input_token_details` (audio transcriptions' name for them).
 */
export function normaliseOpenAiUsage(raw: unknown): Usage | null {
  if (!isObj(raw)) return null;
  const chat = count(raw.prompt_tokens) !== undefined || count(raw.completion_tokens) !== undefined;
  const input = count(chat ? raw.prompt_tokens : raw.input_tokens);
  const output = count(chat ? raw.completion_tokens : raw.output_tokens);
  if (input === undefined && output === undefined) return null;
  // Audio transcriptions (and Realtime) say `input_token_details`, singular.
  const inDetails = objAt(chat ? raw.prompt_tokens_details : (raw.input_tokens_details ?? raw.input_token_details));
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

  const cost = providerReportedCost(raw);
  if (cost !== undefined) usage.providerCostNano = cost;
  return usage;
}

/**
 * The cost a vendor reports in an OpenAI-shaped usage (nano-USD), or undefined: xAI's
 * `cost_in_usd_ticks` (1 USD = 10^10 ticks), else OpenRouter's `cost` (USD credits).
 */
export function providerReportedCost(raw: Json): number | undefined {
  const ticks = raw.cost_in_usd_ticks;
  const credits = raw.cost;
  if (isAmount(ticks)) return Math.round(ticks / TICKS_PER_NANO);
  return isAmount(credits) ? usdToNano(credits) : undefined;
}

/**
 * The built-in tool calls of a Responses `output` that OpenAI bills per use, in one pass:
 * - `webSearches`: the `web_search_call` items whose `action` is a `search` (not an
 *   `open_page` or a `find`; items before actions existed were searches). Searches the tool
 *   runs without an item (support's "internal sub-searches") cannot be seen, so this is a
 *   lower bound of the billed count.
 * - `fileSearches`: the `file_search_call` items (openai SDK ResponseFileSearchToolCall), one
 *   per call of the file search tool, which OpenAI bills per call ("File search tool call
 *   $2.50 / 1k calls"), not per query: an item that ran several `queries` counts once,
 *   whatever its `status`.
 * - `images`: the `image_generation_call` items that made an image (openai-image-tool.ts), each
 *   a sub-inference of the tool's image model (the answer's echoed `tools` name it), with the
 *   partial images `partials` counted for it.
 */
function billedToolCalls(response: Json, partials: PartialImages | undefined): BilledToolCalls {
  const calls: BilledToolCalls = { webSearches: 0, fileSearches: 0, images: undefined };
  const output = response.output;
  if (!Array.isArray(output)) return calls;
  for (const item of output) {
    if (!isObj(item)) continue;
    if (item.type === 'file_search_call') calls.fileSearches++;
    else if (item.type === 'web_search_call') {
      const action = str(objAt(item.action).type);
      if (action === null || action === 'search') calls.webSearches++;
    } else if (isBilledImageCall(item)) {
      (calls.images ??= []).push(imageCallUsage(item, imageGenerationTool(response.tools), partials?.get(str(item.id) ?? '') ?? 0));
    }
  }
  return calls;
}

/** What billedToolCalls found; `images` undefined when the output made none (no list allocated). */
interface BilledToolCalls {
  webSearches: number;
  fileSearches: number;
  images: AdvisorUsage[] | undefined;
}

/** Partial images a Responses stream sent, by the `item_id` of the image generation call they preview. */
export type PartialImages = ReadonlyMap<string, number>;

/**
 * Usage and model from one response object (a Chat/Completions/Embeddings body, a
 * stream chunk, or a Responses `response`). Usage comes from `usage`, else Groq's
 * `x_groq.usage`; `service_tier` is attached to it, and a Responses answer's
 * `web_search_call` and `file_search_call` items are counted as its web and file searches (the
 * web ones marked `webSearchPreview` when its echoed `tools` are the preview tool), and
 * its `image_generation_call` items become sub-inferences of the image model (`usage.advisors`),
 * with the partial images a stream sent for each (`partials`, by item id).
 */
export function observeOpenAi(json: Json, partials?: PartialImages): Observed {
  const usage = normaliseOpenAiUsage(json.usage) ?? normaliseOpenAiUsage(objAt(json.x_groq).usage);
  const tier = str(json.service_tier);
  if (usage && tier) usage.serviceTier = tier;
  if (usage) {
    const { webSearches, fileSearches, images } = billedToolCalls(json, partials);
    if (webSearches > 0) usage.webSearches = webSearches;
    // The tool that ran them decides OpenAI's fee (pricing/web-search-fees.ts); the answer echoes the request's tools.
    if (webSearches > 0 && previewSearchesOnly(json.tools)) usage.webSearchPreview = true;
    if (fileSearches > 0) usage.fileSearches = fileSearches;
    if (images !== undefined) usage.advisors = images;
  }
  const observed: Observed = { usage, model: str(json.model) };
  if (json.object === 'response') {
    const id = str(json.id);
    if (id !== null) observed.responseId = id;
    if (json.status === 'failed') observed.failed = `response failed: ${str(objAt(json.error).message) ?? 'no reason given'}`;
  }
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

const FINISH_REASON_KEY = asciiBytes('"finish_reason"');
const ERROR_KEY = asciiBytes('"error"');

/** Chat Completions and legacy Completions streams (`data:`-only chunks, `[DONE]`). */
export class ChatStream implements StreamAccumulator {
  private usage: Usage | null = null;
  private model: string | null = null;
  private tier: string | null = null;
  private reasons: string[] = [];
  /** Why the stream failed: a chunk carrying an `error` object (the openai SDK raises it as an APIError). */
  private failed: string | undefined;

  constructor(private readonly strip: boolean) {}

  /** The same skip as `onFrame`'s, on bytes: one JSON data line with no usage, finish reason or error, once the model is known. */
  passes(raw: Uint8Array): boolean {
    return this.model !== null && isOneJsonDataLine(raw) && !mayCarryKey(raw, USAGE_KEY) && !mayCarryKey(raw, FINISH_REASON_KEY) && !mayCarryKey(raw, ERROR_KEY);
  }

  onFrame(frame: SseFrame): boolean | FrameRewrite {
    const data = frame.data;
    if (data.length === 0 || data === '[DONE]') return true;
    // Every chunk repeats the model: parse the first one, then only chunks that may carry usage or a finish reason.
    if (this.model !== null && !mayCarryUsage(data) && !mayCarry(data, '"finish_reason"') && !mayCarry(data, '"error"')) return true;
    const json = parseJson(data);
    if (!isObj(json)) return true;
    if (isObj(json.error)) this.failed = streamError(json.error);
    finishReasons(json.choices, this.reasons);
    const seen = observeOpenAi(json);
    this.model = seen.model ?? this.model;
    this.tier = str(json.service_tier) ?? this.tier;
    if (seen.usage) this.usage = seen.usage;
    if (!this.strip || !isObj(json.usage)) return true;
    // The usage tokometer asked for, which the client did not: a usage-only chunk is dropped
    // whole; on a chunk with choices (DeepSeek, PROVIDERS.md §7) only `usage` is removed.
    if (Array.isArray(json.choices) && json.choices.length === 0) return false;
    const { usage: _injected, ...rest } = json;
    return { data: JSON.stringify(rest) };
  }

  finish(): Observed {
    if (this.usage && this.tier) this.usage.serviceTier = this.tier;
    const reasons = this.reasons.filter((r) => r !== undefined);
    const observed: Observed = reasons.length > 0 ? { usage: this.usage, model: this.model, finishReasons: reasons } : { usage: this.usage, model: this.model };
    if (this.failed !== undefined) observed.failed = this.failed;
    return observed;
  }
}

const TERMINAL_EVENTS = new Set(['response.completed', 'response.incomplete', 'response.failed']);
const PARTIAL_IMAGE_EVENT = 'response.image_generation_call.partial_image';
const ITEM_ID_KEYS = ['item_id'] as const;
const MODEL_EVENTS = new Set(['response.created', 'response.in_progress']);

/**
 * Responses API streams: usage only in the terminal event's `.response.usage`. A background
 * response (`response.created` with `background: true`) keeps running when its stream is
 * cut before a terminal event: `finish` then names it (`pendingId`) so it can be read later.
 */
export class ResponsesStream implements StreamAccumulator {
  private usage: Usage | null = null;
  private model: string | null = null;
  /** The background response's id until a terminal event ends it. */
  private pendingId: string | null = null;
  /** The id of the response the terminal event carried. */
  private responseId: string | undefined;
  /** Why the response failed (its `response.failed` event). */
  private failed: string | undefined;
  /** Partial images seen per image generation call (item id); null until the first. */
  private partials: Map<string, number> | null = null;

  onFrame(frame: SseFrame): boolean {
    const { event, data } = frame;
    if (data.length === 0) return true;
    if (event === PARTIAL_IMAGE_EVENT) return this.countPartial(data);
    const wanted =
      event !== '' ? TERMINAL_EVENTS.has(event) || event === 'error' || (this.model === null && MODEL_EVENTS.has(event)) : this.model === null || mayCarryUsage(data) || data.includes('"error"');
    if (!wanted) return true;
    const json = parseJson(data);
    // A stream-level error (`event: error`, data `{"type":"error","code","message"}`): the response failed.
    if (isObj(json) && json.type === 'error') this.failed ??= streamError(json);
    if (!isObj(json) || typeof json.type !== 'string' || !isObj(json.response)) return true;
    const seen = observeOpenAi(json.response, this.partials ?? undefined);
    if (TERMINAL_EVENTS.has(json.type)) {
      if (seen.usage) this.usage = seen.usage;
      this.model = seen.model ?? this.model;
      this.responseId = seen.responseId;
      this.pendingId = null;
      if (json.type === 'response.failed') this.failed = seen.failed ?? `response failed: ${str(objAt(json.response.error).message) ?? 'no reason given'}`;
    } else if (MODEL_EVENTS.has(json.type)) {
      this.model = this.model ?? seen.model;
      if (json.response.background === true && this.usage === null) this.pendingId = str(json.response.id);
    }
    return true;
  }

  /**
   * Counts a partial image (each is billed 100 image output tokens: openai-image-tool.ts) for
   * its call's `item_id`. The event carries the preview's base64: only `item_id` is parsed
   * (json-keys.ts), the image is jumped over.
   */
  private countPartial(data: string): boolean {
    const id = str(pickJsonKeysOfText(data, ITEM_ID_KEYS)?.item_id);
    if (id === null) return true;
    this.partials ??= new Map();
    this.partials.set(id, (this.partials.get(id) ?? 0) + 1);
    return true;
  }

  finish(): Observed {
    const observed: Observed = { usage: this.usage, model: this.model };
    if (this.pendingId !== null && this.usage === null) observed.pendingId = this.pendingId;
    if (this.responseId !== undefined) observed.responseId = this.responseId;
    if (this.failed !== undefined) observed.failed = this.failed;
    return observed;
  }
}
