import type { Observed, SseFrame, StreamAccumulator, Usage } from './types.js';
import { type Json, isObj, str, count, parseJson } from './json.js';
import { estimateTokensOfLength } from './estimate.js';
import { stringValuesLength } from './json-string-values.js';

/** Sum of `tokenCount` over the `{modality, tokenCount}` entries of one modality. */
function modalityTokens(details: unknown, modality: string): number {
  if (!Array.isArray(details)) return 0;
  let total = 0;
  for (const d of details) if (isObj(d) && d.modality === modality) total += count(d.tokenCount) ?? 0;
  return total;
}

/**
 * Normalises a Gemini `usageMetadata` object to `Usage`, or null when it has no prompt,
 * candidates or thoughts count.
 *
 * - inputTokens = promptTokenCount (which already INCLUDES cached content) + toolUsePromptTokenCount
 * - cacheReadTokens = cachedContentTokenCount (a subset; clamped to input)
 * - outputTokens = candidatesTokenCount + thoughtsTokenCount (candidates EXCLUDE thinking),
 *   reasoningTokens = thoughtsTokenCount
 * - audio input/output from the `AUDIO` entries of the `*TokensDetails` arrays (subsets),
 *   cached audio from `cacheTokensDetails`' (clamped to both cache reads and audio input)
 * - image input from the `IMAGE` entries of `promptTokensDetails` and
 *   `toolUsePromptTokensDetails`, less the cached ones (`cacheTokensDetails` IMAGE: they stay
 *   cache reads, no price tells cached image apart), clamped to the uncached prompt left
 *   beside the uncached audio, so image + uncached audio + cache reads never exceed the input
 * - image output from the `IMAGE` entries of `candidatesTokensDetails` (priced apart for
 *   image models; clamped to the candidates)
 * - serviceTier = Vertex `trafficType` when present.
 * Gemini has no cache writes (explicit caches are billed as storage, outside the call).
 */
export function normaliseGeminiUsage(raw: unknown): Usage | null {
  if (!isObj(raw)) return null;
  const prompt = count(raw.promptTokenCount);
  const candidates = count(raw.candidatesTokenCount);
  const thoughts = count(raw.thoughtsTokenCount);
  if (prompt === undefined && candidates === undefined && thoughts === undefined) return null;
  const inputTokens = (prompt ?? 0) + (count(raw.toolUsePromptTokenCount) ?? 0);
  const reasoningTokens = thoughts ?? 0;
  const outputTokens = (candidates ?? 0) + reasoningTokens;
  const usage: Usage = {
    inputTokens,
    outputTokens,
    cacheReadTokens: Math.min(count(raw.cachedContentTokenCount) ?? 0, inputTokens),
    cacheWrite5mTokens: 0,
    cacheWrite1hTokens: 0,
    reasoningTokens,
  };
  const inAudio = modalityTokens(raw.promptTokensDetails, 'AUDIO') + modalityTokens(raw.toolUsePromptTokensDetails, 'AUDIO');
  const outAudio = modalityTokens(raw.candidatesTokensDetails, 'AUDIO');
  const outImage = modalityTokens(raw.candidatesTokensDetails, 'IMAGE');
  if (inAudio > 0) {
    usage.inputAudioTokens = Math.min(inAudio, inputTokens);
    const cachedAudio = Math.min(modalityTokens(raw.cacheTokensDetails, 'AUDIO'), usage.inputAudioTokens, usage.cacheReadTokens);
    if (cachedAudio > 0) usage.cacheAudioReadTokens = cachedAudio;
  }
  const inImage = modalityTokens(raw.promptTokensDetails, 'IMAGE') + modalityTokens(raw.toolUsePromptTokensDetails, 'IMAGE') - modalityTokens(raw.cacheTokensDetails, 'IMAGE');
  const uncachedRoom = inputTokens - usage.cacheReadTokens - ((usage.inputAudioTokens ?? 0) - (usage.cacheAudioReadTokens ?? 0));
  if (inImage > 0 && uncachedRoom > 0) usage.inputImageTokens = Math.min(inImage, uncachedRoom);
  if (outAudio > 0) usage.outputAudioTokens = Math.min(outAudio, candidates ?? 0);
  if (outImage > 0) usage.outputImageTokens = Math.min(outImage, (candidates ?? 0) - (usage.outputAudioTokens ?? 0));
  const tier = str(raw.trafficType);
  if (tier) usage.serviceTier = tier;
  return usage;
}

/** `{modality, tokens}` entries of an Interactions usage (lower-case modalities) as `{modality, tokenCount}` ones (upper-case). */
function asModalityCounts(entries: unknown): Array<{ modality: string; tokenCount: number }> | undefined {
  if (!Array.isArray(entries)) return undefined;
  const out: Array<{ modality: string; tokenCount: number }> = [];
  for (const e of entries) {
    const modality = isObj(e) ? str(e.modality) : null;
    const tokens = isObj(e) ? count(e.tokens) : undefined;
    if (modality !== null && tokens !== undefined) out.push({ modality: modality.toUpperCase(), tokenCount: tokens });
  }
  return out;
}

/**
 * Normalises an Interactions API `usage` (js-genai 2.32.0 dist/genai.d.ts:18655) to `Usage`,
 * or null when it has no input, output or thoughts total. Its totals are generateContent's
 * usageMetadata counts under other names (each documented in the words of the field it
 * mirrors), so they are read through `normaliseGeminiUsage` and its inclusion rules:
 *
 * - total_input_tokens = promptTokenCount (INCLUDES total_cached_tokens = cachedContentTokenCount)
 * - total_tool_use_tokens = toolUsePromptTokenCount (input, beside the prompt)
 * - total_output_tokens = candidatesTokenCount (EXCLUDES thoughts), total_thought_tokens =
 *   thoughtsTokenCount: total_tokens is "prompt + responses + other internal tokens" (a
 *   published answer: 9 input + 779 output + 912 thoughts = 1,700). When total_tokens equals
 *   input + tool use + output exactly, the thoughts are inside the output and not added again.
 * - `*_tokens_by_modality` ({modality: "audio", tokens}) = the `*TokensDetails` arrays.
 * `grounding_tool_count` (Search grounding uses) is a per-use fee tokometer does not price.
 */
export function normaliseInteractionUsage(raw: unknown): Usage | null {
  if (!isObj(raw)) return null;
  const input = count(raw.total_input_tokens);
  const output = count(raw.total_output_tokens);
  const thoughts = count(raw.total_thought_tokens);
  const toolUse = count(raw.total_tool_use_tokens);
  const total = count(raw.total_tokens);
  const thoughtsInside = thoughts !== undefined && thoughts > 0 && output !== undefined && total === (input ?? 0) + (toolUse ?? 0) + output;
  return normaliseGeminiUsage({
    promptTokenCount: input,
    candidatesTokenCount: thoughtsInside ? Math.max(0, (output ?? 0) - (thoughts ?? 0)) : output,
    thoughtsTokenCount: thoughts,
    toolUsePromptTokenCount: toolUse,
    cachedContentTokenCount: raw.total_cached_tokens,
    promptTokensDetails: asModalityCounts(raw.input_tokens_by_modality),
    toolUsePromptTokensDetails: asModalityCounts(raw.tool_use_tokens_by_modality),
    cacheTokensDetails: asModalityCounts(raw.cached_tokens_by_modality),
    candidatesTokensDetails: asModalityCounts(raw.output_tokens_by_modality),
  });
}

/** Usage (`usageMetadata`) and answered model (`modelVersion`) of one GenerateContentResponse. */
export function observeResponse(json: Json): Observed {
  const observed: Observed = { usage: normaliseGeminiUsage(json.usageMetadata), model: str(json.modelVersion) };
  const reasons = Array.isArray(json.candidates) ? json.candidates.map((c) => (isObj(c) ? str(c.finishReason) : null)).filter((r): r is string => r !== null) : [];
  if (reasons.length > 0) observed.finishReasons = reasons;
  return observed;
}

/**
 * Usage and model of a whole generateContent body: one GenerateContentResponse, or the
 * JSON array that `:streamGenerateContent` without `alt=sse` streams (`[{…},\r\n{…}]`).
 * In the array, as in an SSE stream, each element's usageMetadata REPLACES the previous
 * one (the last wins; never summed), and so does its modelVersion.
 */
export function observeBody(json: unknown): Observed {
  if (isObj(json)) return observeResponse(json);
  const out: Observed = { usage: null, model: null };
  if (!Array.isArray(json)) return out;
  for (const item of json) {
    if (!isObj(item)) continue;
    const seen = observeResponse(item);
    if (seen.usage) out.usage = seen.usage;
    out.model = seen.model ?? out.model;
    if (seen.finishReasons) out.finishReasons = seen.finishReasons;
  }
  return out;
}

/** The key of a part's text (and a thought's), quoted as it appears in the JSON. */
const TEXT_KEY = '"text"';

/**
 * Observes a `:streamGenerateContent?alt=sse` stream (`data:`-only frames, no `[DONE]`).
 * Every chunk may carry usageMetadata: early ones only the prompt count, the final one
 * (with `finishReason`) the totals, and the prompt count may change at the end. Each
 * chunk's usage REPLACES the previous one; the last wins. Frames are never removed.
 * Cut before the chunk with `finishReason`, its output is estimated (flagged) as the larger
 * of the chunks with candidates it carried and their `text` parts (thoughts too) at
 * CHARS_PER_TOKEN, when that is more than the last usage said.
 */
export class GenerateStream implements StreamAccumulator {
  private usage: Usage | null = null;
  private model: string | null = null;
  private reasons: string[] | null = null;
  /** Why the stream failed: a chunk carrying an `error` object (js-genai raises it as an ApiError). */
  private failed: string | null = null;
  /** Chunks with candidates: each carries one output token or more, for a stream cut before its final usage. */
  private chunks = 0;
  /** Characters of the `text` parts those chunks carried, as written (json-string-values.ts: escapes counted, so high, never low). */
  private textChars = 0;

  onFrame(frame: SseFrame): boolean {
    const data = frame.data;
    if (data.length === 0) return true;
    if (data.includes('"candidates"')) {
      this.chunks++;
      this.textChars += stringValuesLength(data, TEXT_KEY);
    }
    if (this.model !== null && !data.includes('"usageMetadata"') && !data.includes('"finishReason"') && !data.includes('"error"')) return true;
    const json = parseJson(data);
    if (!isObj(json)) return true;
    if (isObj(json.error)) {
      const error = json.error;
      this.failed = `stream error: ${str(error.status) ?? String(count(error.code) ?? 'error')}${str(error.message) ? ` (${str(error.message)})` : ''}`;
    }
    const seen = observeResponse(json);
    if (seen.usage) this.usage = seen.usage;
    this.model = seen.model ?? this.model;
    this.reasons = seen.finishReasons ?? this.reasons;
    return true;
  }

  finish(): Observed {
    const observed: Observed = this.reasons ? { usage: this.usage, model: this.model, finishReasons: this.reasons } : { usage: this.usage, model: this.model };
    // Cut before the chunk with finishReason (and the final counts): at least the output its chunks carried.
    const carried = Math.max(this.chunks, estimateTokensOfLength(this.textChars));
    if (this.reasons === null && this.usage !== null && carried > this.usage.outputTokens) {
      observed.usage = { ...this.usage, outputTokens: carried };
      observed.estimated = true;
    }
    // No usageMetadata in any chunk: the recorder estimates, from this.
    if (this.usage === null && carried > 0) observed.carriedOutputTokens = carried;
    if (this.failed !== null) observed.failed = this.failed;
    return observed;
  }
}
