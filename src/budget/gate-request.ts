import type { AdvisorToolBound, BillingConditions, FallbackBound, ImageToolBound } from '../providers/types.js';

/** What the gate reads from the proxy's budget request (proxy/deps.ts `BudgetRequest`). */
export interface GateRequest {
  keyName: string | null;
  /** Effective tags (fixed key tags already applied). */
  tags: Readonly<Record<string, string>>;
  provider: string;
  model: string | null;
  /** Other models the provider may run and bill instead of `model`, with each attempt's own max output and speed (RequestInfo.fallbackModels; a null model: one it picks itself). Absent: none. */
  fallbackModels?: readonly FallbackBound[] | undefined;
  /** Whether the call is priced (RequestInfo.metered): a metered one naming no model still bills one. Absent: false. */
  metered?: boolean;
  /** Request body size in bytes; for a file upload (multipart form), its text fields' bytes only (RequestInfo.upload.textBytes). */
  promptBytes: number;
  /** Client's max output tokens, or an image request's output tokens per image (by model, size and quality); null when unset. */
  maxOutputTokens: number | null;
  /**
   * The body field that limits the answer's output in the provider's API (`max_tokens`,
   * `max_completion_tokens`, `max_output_tokens`, `generationConfig.maxOutputTokens`), named by
   * a busy refusal's hint when the request set none (ProviderAdapter.outputLimitParam); absent
   * when the API reads no output limit (embeddings, speech…): the hint is left out.
   */
  outputLimitParam?: string | undefined;
  /** Answers the request asks for, each up to that maximum and all billed (RequestInfo.outputChoices); absent means one. */
  outputChoices?: number;
  /** Most web searches the request allows, each billed per use (RequestInfo.maxWebSearches); absent: none reserved. */
  maxWebSearches?: number | undefined;
  /** The request offers OpenAI's web search preview tool (RequestInfo.webSearchPreview): its searches are held at the preview fee (EstimateRates.webSearchPreviewPicoPerUse). */
  webSearchPreview?: boolean | undefined;
  /** Most file search tool calls the request allows, each billed per call (RequestInfo.maxFileSearches); absent: none reserved. */
  maxFileSearches?: number | undefined;
  /**
   * Input tokens the body's bytes do not count, reserved at the dearest input price: the
   * provider-side state the request continues (RequestInfo.continues), when known, an
   * audio upload's audio (RequestInfo.upload.audioTokens), and an image edit's or
   * variation's uploaded files, each at its bound of image input tokens
   * (RequestInfo.upload.imageTokens); absent: none reserved.
   */
  contextTokens?: number | undefined;
  /**
   * Input tokens of the images and documents the request names by reference, each at its bound
   * (RequestInfo.referencedInputTokens), reserved at the dearest input price, at most the
   * model's context window (a prompt longer than that is refused, never billed); absent: none.
   */
  referencedInputTokens?: number | undefined;
  /**
   * Prompt tokens of a provider-side cache the request reads (a Gemini `cachedContent`:
   * proxy/cached-content-sizes.ts), reserved at the model's cache-read rate of the tier the
   * whole prompt reaches (estimate-prices.ts cacheReadRate: the cached tokens, the body's
   * bytes, a token being at least one byte, and `contextTokens`); absent: none.
   */
  cachedPromptTokens?: number | undefined;
  /**
   * The request has a server-side tool whose results the provider bills as input tokens the
   * body does not carry (RequestInfo.serverToolInput: Anthropic `web_search`, `web_fetch`); in
   * `budget_output_hold: window` mode its input is held up to the model's context window
   * (output-hold.ts heldUnseenInput). Absent: none.
   */
  serverToolInput?: boolean | undefined;
  /** Price modifiers and service tier the request asks for (RequestInfo.billing: Anthropic `speed`, `inference_geo`; OpenAI `service_tier`); absent: none. */
  billing?: BillingConditions | undefined;
  /** The request's advisor tools (RequestInfo.advisorTools: Anthropic `advisor_20260301`), each consultation billed at its model's rates; absent: none. */
  advisorTools?: readonly AdvisorToolBound[] | undefined;
  /** The request's image generation tools (RequestInfo.imageTools: OpenAI Responses `image_generation`), each image billed at its image model's rates; absent: none. */
  imageTools?: readonly ImageToolBound[] | undefined;
  /**
   * Seconds of uploaded audio (RequestInfo.upload.audioSeconds), held at the model's price
   * per hour of audio when it is billed by duration (whisper-1); absent: none.
   */
  audioSeconds?: number | undefined;
  /**
   * The most pages of a document the request can be billed for, and whether each is billed as
   * annotated too (RequestInfo.documentPages: Mistral OCR), held at the model's page prices;
   * absent: none.
   */
  documentPages?: { max: number; annotated: boolean } | undefined;
  /** ms since the epoch. */
  at: number;
}
