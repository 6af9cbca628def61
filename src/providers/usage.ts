import type { NanoUsd } from '../lib/money.js';

/**
 * Token usage of one call, normalised once by the provider's adapter.
 *
 * Inclusion rules (the adapter converts each provider to these):
 * - `inputTokens` is the TOTAL prompt: uncached + cache reads + cache writes.
 *   (OpenAI's prompt_tokens already is; for Anthropic the adapter adds
 *   input_tokens + cache_read_input_tokens + cache_creation_input_tokens.)
 * - `cacheReadTokens` and `cacheWrite5mTokens + cacheWrite1hTokens` are subsets of `inputTokens`.
 * - `outputTokens` is everything billed as output, INCLUDING `reasoningTokens`
 *   (for Gemini the adapter adds thoughtsTokenCount to candidatesTokenCount).
 * - `inputAudioTokens` / `outputAudioTokens`, `inputImageTokens` / `outputImageTokens` are subsets of input / output.
 * All counts are non-negative integers.
 */
export interface Usage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  /** Cache writes with the default (5-minute) lifetime; OpenAI-style cache_write_tokens land here. */
  cacheWrite5mTokens: number;
  /** Cache writes with the 1-hour lifetime (Anthropic), priced higher. */
  cacheWrite1hTokens: number;
  reasoningTokens: number;
  inputAudioTokens?: number;
  /**
   * Audio tokens among the cache reads (Gemini `cacheTokensDetails`), a subset of both
   * `cacheReadTokens` and `inputAudioTokens`. Absent: derived from how much the cache and
   * audio counts overlap (pricing/compute.ts).
   */
  cacheAudioReadTokens?: number;
  outputAudioTokens?: number;
  /**
   * Image tokens among the input (OpenAI Images `usage.input_tokens_details.image_tokens`:
   * the images an edit uploads; Gemini's uncached `promptTokensDetails` IMAGE), a subset of
   * `inputTokens` and never cached ones. Priced at the model's image input price (catalog
   * `input_image_mtok`) when it has one, else as any input token (pricing/compute.ts).
   */
  inputImageTokens?: number;
  /** Image tokens generated (Gemini `candidatesTokensDetails` IMAGE), a subset of `outputTokens`. */
  outputImageTokens?: number;
  /**
   * Web searches the provider ran for the call and bills per search (Anthropic
   * `usage.server_tool_use.web_search_requests`, OpenAI Responses `web_search_call` items).
   * A count, not tokens.
   */
  webSearches?: number;
  /**
   * True when the call's web searches ran on OpenAI's `web_search_preview` tool (or its dated
   * `web_search_preview_2025_03_11`): every web search tool the answer's `tools` name is one.
   * OpenAI bills those at $25 per 1,000 on non-reasoning models instead of $10
   * (pricing/web-search-fees.ts). Absent without searches, on the GA `web_search` tool, and
   * when both kinds were offered (the item does not say which ran: the $10 fee, a lower bound).
   * Stored as calls.web_search_preview (1 or NULL).
   */
  webSearchPreview?: boolean;
  /**
   * File search tool calls the provider ran for the call and bills per call (OpenAI
   * Responses `file_search_call` items, one per call however many queries it ran). A count,
   * not tokens; the retrieved text the model read is already in `inputTokens`.
   */
  fileSearches?: number;
  /**
   * Seconds of input audio (fractional, >= 0): what the provider bills by duration instead
   * of tokens (an OpenAI transcription's usage `{type: "duration", seconds}`, whisper-1), or
   * the uploaded audio's length an estimate read from its headers (proxy/recorded-usage.ts).
   * Priced at the model's per-hour price (catalog `audio_hours`, config `audio_hour`):
   * seconds × USD per hour / 3600 (pricing/compute.ts); a model priced by tokens ignores them,
   * and a usage of seconds alone for a model with no per-hour price is unpriced, not $0
   * (pricer.ts). Stored as calls.audio_seconds (schema v21, PostgreSQL v16).
   */
  audioSeconds?: number;
  /**
   * Pages of a document the provider processed and bills per page (Mistral OCR
   * `usage_info.pages_processed`): a count, not tokens. Priced at the model's price per 1,000
   * pages (catalog `input_document_kpages`); a usage of pages alone for a model with no page
   * price is unpriced, not $0 (pricer.ts). Stored as calls.document_pages (schema v23,
   * PostgreSQL v18).
   */
  documentPages?: number;
  /**
   * Pages among `documentPages` that were also annotated (a Mistral OCR request with a
   * `document_annotation_format` or `bbox_annotation_format`: every page processed, the upper
   * bound), billed at the annotated page price (`input_annotated_document_kpages`) INSTEAD of
   * the page price, at the page price when the model has none (pricing/compute.ts,
   * docs/prices.md). Never more than `documentPages`. Stored as calls.annotated_pages.
   */
  annotatedPages?: number;
  /** What the provider itself reported as the call's cost (OpenRouter usage.cost, xAI ticks), if any. */
  providerCostNano?: NanoUsd;
  /** Service tier the provider reported (OpenAI service_tier, Anthropic usage.service_tier). */
  serviceTier?: string;
  /** Where inference ran, as Anthropic reported it (`usage.inference_geo`: `global`, `us`); US-only is billed 1.1× (pricing/modifiers.ts). */
  inferenceGeo?: string;
  /** Inference speed Anthropic reported (`usage.speed`: `standard`, `fast`); fast mode is billed at a multiple (pricing/modifiers.ts). */
  speed?: string;
  /**
   * Sub-inferences run on other models and billed at their rates, one entry each in order; in
   * no count above. Absent when none. Anthropic advisor tool `advisor_message` iterations; the
   * images an OpenAI Responses `image_generation` tool made (openai-image-tool.ts), each an
   * entry of its image model with its image output tokens.
   */
  advisors?: AdvisorUsage[];
  /**
   * Sampling steps of the call's own model that the provider bills as requests of their own,
   * one entry each in order: Anthropic server-side compaction iterations. Their tokens ARE in
   * the counts above (reports show what the call consumed); the rest of those counts is the
   * call's own last step. Each step is priced on its own, at the call's model and modifiers:
   * a long-context tier applies to one step's input, never to the sum (pricing/compaction-steps.ts).
   * Absent when none.
   */
  compactions?: StepUsage[];
}

/**
 * One sampling step's tokens (a compaction iteration), in Usage's inclusion rules (input =
 * uncached + cache reads + writes; output includes thinking). Non-negative integers.
 */
export interface StepUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWrite5mTokens: number;
  cacheWrite1hTokens: number;
}

/**
 * One sub-inference's tokens (an advisor consultation, an image of the image generation tool),
 * in Usage's inclusion rules (input = uncached + cache reads + writes; output includes thinking
 * and `outputImageTokens`). Non-negative integers.
 */
export interface AdvisorUsage extends StepUsage {
  /** As reported (`iterations[].model`); '' when the answer named none (its tokens are then left out of the cost, with a note). */
  model: string;
  /** Image tokens among `outputTokens` (an image tool's image: all of them), priced at the model's image output price; absent: none. */
  outputImageTokens?: number;
}

/**
 * The conditions a provider multiplies a model's list price by (pricing/modifiers.ts), as
 * the provider names them: from an answer's usage, or what a request asks for
 * (RequestInfo.billing).
 */
export type BillingConditions = Pick<Usage, 'serviceTier' | 'inferenceGeo' | 'speed'>;

/** A usage with every count 0. */
export function emptyUsage(): Usage {
  return { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, reasoningTokens: 0 };
}
