import type { AdvisorUsage, Observed, SseFrame, StepUsage, StreamAccumulator, Usage } from './types.js';
import { type Json, isObj, objAt, str, count, parseJson } from './json.js';
import { asciiBytes, isJsonEventNotStartingWith, startsWithBytes } from './frame-bytes.js';
import { deltaTextBytes, deltaTextBytesOfData } from './anthropic-delta-text.js';
import { estimateTokensOfLength } from './estimate.js';

/**
 * Normalises an Anthropic `usage` object (Messages response, `message_start.message.usage`,
 * or a merged stream usage) to `Usage`, or null when it carries neither input nor output
 * tokens.
 *
 * Anthropic's `input_tokens` EXCLUDES both cache buckets, so
 * inputTokens = input_tokens + cache_read_input_tokens + cache_creation_input_tokens.
 * Cache writes are split by lifetime from `cache_creation.{ephemeral_5m,ephemeral_1h}_input_tokens`:
 * the 1-hour part (clamped to the total writes) is 1h, the rest is 5m; without the
 * breakdown every write is 5m. `output_tokens` already includes thinking;
 * `output_tokens_details.thinking_tokens` becomes reasoningTokens (clamped to output).
 * `server_tool_use.web_search_requests` becomes webSearches (billed per search).
 * `service_tier`, `inference_geo` and `speed` are kept as reported (serviceTier,
 * inferenceGeo, speed): the last two multiply the price (pricing/modifiers.ts).
 *
 * Server-side compaction adds a billed sampling step that the top-level counts leave out
 * (compaction guide: "The top-level input_tokens and output_tokens do not include compaction
 * iteration usage … sum across all entries in the usage.iterations array"): the tokens of
 * every `iterations[]` entry of type `compaction` (input, cache buckets, output) are added
 * to the top-level ones, and each is also kept as a step of its own (`compactions`, in
 * order): a step is its own sampling request, so its long-context tier is chosen by its own
 * input, never by the sum (pricing/compaction-steps.ts).
 *
 * The advisor tool (beta `advisor-tool-2026-03-01`) runs sub-inferences on a second model;
 * each is an `iterations[]` entry of type `advisor_message` with its own `model` and counts
 * (SDK BetaAdvisorMessageIterationUsage), left out of the top-level counts (the executor's)
 * and billed at the advisor model's rates. They become `advisors`, one entry per
 * sub-inference in order (each is priced on its own: a long-context tier applies to one
 * consultation's input, never to their sum); the top-level counts stay the executor's. Other iterations (`message`) are already in the top level.
 *
 * A server-side fallback turn (fallbackServingModel) ends with a `fallback_message` entry:
 * the serving hop's counts, which the top-level counts already are; its declined hops'
 * `message` entries are not counted (docs/prices.md, Server-side fallback).
 */
export function normaliseAnthropicUsage(raw: unknown): Usage | null {
  if (!isObj(raw)) return null;
  if (count(raw.input_tokens) === undefined && count(raw.output_tokens) === undefined) return null;
  const sum = tokensOf(raw);
  let advisors: AdvisorUsage[] | undefined;
  let compactions: StepUsage[] | undefined;
  if (Array.isArray(raw.iterations)) {
    for (const it of raw.iterations) {
      if (!isObj(it)) continue;
      if (it.type === 'compaction') {
        const step = tokensOf(it);
        addTokens(sum, step);
        (compactions ??= []).push(stepUsage(step));
      } else if (it.type === 'advisor_message') (advisors ??= []).push(advisorUsage(str(it.model) ?? '', tokensOf(it)));
    }
  }
  const usage: Usage = {
    inputTokens: sum.uncached + sum.cacheRead + sum.write5m + sum.write1h,
    outputTokens: sum.output,
    cacheReadTokens: sum.cacheRead,
    cacheWrite5mTokens: sum.write5m,
    cacheWrite1hTokens: sum.write1h,
    reasoningTokens: Math.min(count(objAt(raw.output_tokens_details).thinking_tokens) ?? 0, sum.output),
  };
  if (advisors) usage.advisors = advisors;
  if (compactions) usage.compactions = compactions;
  const searches = count(objAt(raw.server_tool_use).web_search_requests) ?? 0;
  if (searches > 0) usage.webSearches = searches;
  const tier = str(raw.service_tier);
  if (tier) usage.serviceTier = tier;
  const geo = str(raw.inference_geo);
  if (geo) usage.inferenceGeo = geo;
  const speed = str(raw.speed);
  if (speed) usage.speed = speed;
  return usage;
}

/**
 * The model that served an Anthropic server-side fallback turn (beta
 * `server-side-fallback-2026-06-01`, request `fallbacks`), from a raw `usage`: the `model`
 * of its `iterations[]` entry of type `fallback_message` (the last one, should there be
 * several), or null when there is none, i.e. the requested model answered.
 *
 * SDK BetaFallbackMessageIterationUsage: the entry is "the terminal entry of a
 * fallback-served turn" and "whether a fallback model served the response is signalled by
 * the presence of this entry"; the top-level `model` cannot say it for a stream, whose
 * `message_start` was sent by the requested model before it declined. The top-level counts
 * are the serving hop's (the SDK's refusal-fallback middleware, which mirrors the server's
 * wire shape, sets them to the serving request's usage); each declined hop is a `message`
 * entry left out of them, not billed when it declined before any output (docs/prices.md).
 */
export function fallbackServingModel(raw: unknown): string | null {
  if (!isObj(raw) || !Array.isArray(raw.iterations)) return null;
  let model: string | null = null;
  for (const it of raw.iterations) {
    if (isObj(it) && it.type === 'fallback_message') model = str(it.model) ?? model;
  }
  return model;
}

/** Token counts of one usage object (the top level or one iteration), in tokens. */
interface Tokens {
  /** `input_tokens`: input outside both cache buckets. */
  uncached: number;
  cacheRead: number;
  write5m: number;
  write1h: number;
  output: number;
}

/**
 * The counts of one Anthropic usage object: cache writes split by lifetime from
 * `cache_creation` (the 1-hour part, clamped to the total writes, is 1h; the rest 5m;
 * without the breakdown every write is 5m). Absent or invalid counts are 0.
 */
function tokensOf(raw: Json): Tokens {
  const breakdown = objAt(raw.cache_creation);
  const write5m = count(breakdown.ephemeral_5m_input_tokens) ?? 0;
  const write1h = count(breakdown.ephemeral_1h_input_tokens) ?? 0;
  const writes = count(raw.cache_creation_input_tokens) ?? write5m + write1h;
  const cacheWrite1h = Math.min(write1h, writes);
  return {
    uncached: count(raw.input_tokens) ?? 0,
    cacheRead: count(raw.cache_read_input_tokens) ?? 0,
    write5m: writes - cacheWrite1h,
    write1h: cacheWrite1h,
    output: count(raw.output_tokens) ?? 0,
  };
}

/** Adds `part` to `into`, count by count. */
function addTokens(into: Tokens, part: Tokens): void {
  into.uncached += part.uncached;
  into.cacheRead += part.cacheRead;
  into.write5m += part.write5m;
  into.write1h += part.write1h;
  into.output += part.output;
}

/** One sampling step's counts in Usage's inclusion rules (input = uncached + cache reads + writes). */
function stepUsage(t: Tokens): StepUsage {
  return {
    inputTokens: t.uncached + t.cacheRead + t.write5m + t.write1h,
    outputTokens: t.output,
    cacheReadTokens: t.cacheRead,
    cacheWrite5mTokens: t.write5m,
    cacheWrite1hTokens: t.write1h,
  };
}

/** One advisor sub-inference's counts, on its `model`. */
function advisorUsage(model: string, t: Tokens): AdvisorUsage {
  return { model, ...stepUsage(t) };
}

/** Usage fields only `message_start` carries; `message_delta` never re-sends them. */
const START_ONLY_FIELDS = new Set(['cache_creation', 'service_tier']);

/**
 * Applies one `message_delta.usage` to the running raw usage. Delta usage holds
 * cumulative whole-message totals: every non-null field OVERWRITES the running value
 * (never added), and the start-only fields are kept from `message_start`.
 */
export function mergeDeltaUsage(running: Json, delta: unknown): void {
  if (!isObj(delta)) return;
  for (const [name, value] of Object.entries(delta)) {
    if (value !== null && value !== undefined && !START_ONLY_FIELDS.has(name)) running[name] = value;
  }
}

/** The two event types that carry usage; every other frame is relayed without parsing. */
const USAGE_EVENTS = new Set(['message_start', 'message_delta']);
/** Both usage events start with it (so do `message_stop` frames, decoded to be safe). */
const MESSAGE_EVENT_PREFIX = asciiBytes('message_');
/** A mid-stream failure (`overloaded_error`…): decoded, so the call is recorded as failed. */
const ERROR_EVENT = asciiBytes('event: error\n');
/** A content delta: counted (each is one output token or more), and its text measured, for a stream cut before its final usage. */
const DELTA_EVENT = asciiBytes('event: content_block_delta\n');

/**
 * Observes an Anthropic Messages stream. Usage starts from `message_start.message.usage`
 * and is overwritten field by field by each `message_delta.usage` (the last wins); the
 * result is normalised once, at `finish()`, so a stream cut after `message_start` still
 * yields the usage seen so far. Cut before any `message_delta`, its output is estimated
 * (flagged) as the larger of the content deltas it carried and their text at CHARS_PER_TOKEN,
 * when that is more than `message_start` said. Frames are never removed: `event:` lines,
 * `ping` and `error` frames reach the client untouched (tokometer injects nothing here).
 */
export class MessagesStream implements StreamAccumulator {
  private running: Json | null = null;
  private model: string | null = null;
  private stop: string | null = null;
  /** Why the stream failed, from its `error` event. */
  private failed: string | null = null;
  /** Content deltas seen, and whether a `message_delta` gave the output so far (message_start's `output_tokens` is a placeholder). */
  private deltas = 0;
  /** Bytes of text the content deltas carried (anthropic-delta-text.ts: approximate, high). */
  private deltaBytes = 0;
  private outputReported = false;

  /** `onFrame`'s skip on bytes: a named event other than the usage events and `error`, with one JSON data line. */
  passes(raw: Uint8Array): boolean {
    const passes = isJsonEventNotStartingWith(raw, MESSAGE_EVENT_PREFIX) && !startsWithBytes(raw, ERROR_EVENT);
    if (passes && startsWithBytes(raw, DELTA_EVENT)) {
      this.deltas++;
      this.deltaBytes += deltaTextBytes(raw);
    }
    return passes;
  }

  onFrame(frame: SseFrame): boolean {
    const { event, data } = frame;
    if (data.length === 0) return true;
    if (event === 'content_block_delta') {
      this.deltas++;
      this.deltaBytes += deltaTextBytesOfData(data);
    }
    if (event === 'error') {
      const error = objAt(objAtJson(data).error);
      this.failed = `stream error: ${str(error.type) ?? 'error'}${str(error.message) ? ` (${str(error.message)})` : ''}`;
      return true;
    }
    // Frames normally name their type in `event:`; without one, a substring check avoids parsing text deltas.
    if (event !== '' ? !USAGE_EVENTS.has(event) : !data.includes('"message_')) return true;
    const json = parseJson(data);
    if (!isObj(json)) return true;
    if (json.type === 'message_start' && isObj(json.message)) {
      this.model = str(json.message.model) ?? this.model;
      if (isObj(json.message.usage)) this.running = { ...json.message.usage };
    } else if (json.type === 'message_delta' && isObj(json.usage)) {
      this.running ??= {};
      mergeDeltaUsage(this.running, json.usage);
      this.outputReported = true;
    }
    if (json.type === 'message_delta') this.stop = str(objAt(json.delta).stop_reason) ?? this.stop;
    return true;
  }

  finish(): Observed {
    // A fallback-served stream names its serving model only in the last message_delta's usage.
    const observed: Observed = { usage: normaliseAnthropicUsage(this.running), model: fallbackServingModel(this.running) ?? this.model };
    // Cut before any message_delta: the provider bills at least the output the deltas carried,
    // one token or more each, their text at CHARS_PER_TOKEN.
    const carried = Math.max(this.deltas, estimateTokensOfLength(this.deltaBytes));
    if (!this.outputReported && observed.usage !== null && carried > observed.usage.outputTokens) {
      observed.usage.outputTokens = carried;
      observed.estimated = true;
    }
    // No usage at all (message_start without it): the recorder estimates, from this.
    if (observed.usage === null && carried > 0) observed.carriedOutputTokens = carried;
    if (this.stop) observed.finishReasons = [this.stop];
    if (this.failed !== null) observed.failed = this.failed;
    return observed;
  }
}

/** `data` parsed when it is a JSON object, else an empty one. */
function objAtJson(data: string): Json {
  const json = parseJson(data);
  return isObj(json) ? json : {};
}
