import { isTokenBilledImageModel } from '../domain/billing-units.js';
import { asciiBytes, isJsonEventNamed } from './frame-bytes.js';
import { count, isObj, objAt, str, type Json } from './json.js';
import { GPT_IMAGE_QUALITIES } from './image-request-counts.js';
import type { KnownEndpoint } from './define-adapter.js';
import { UsageEventStream } from './openai-event-stream.js';
import { normaliseOpenAiUsage, providerReportedCost } from './openai-usage.js';
import { emptyUsage, type JsonPick, type Observed, type SseFrame, type Usage } from './types.js';

/**
 * OpenAI's Images API (openai 6.49.0 resources/images.d.ts): generations (JSON), edits and
 * variations (multipart forms, whose fields are text: proxy/form-fields.ts). Answers name no
 * model: the call's is the one its request asked for, or the one the API defaults to.
 */

/** The Images API paths (keyed as the adapter's endpoints). */
export const IMAGE_ENDPOINTS: Readonly<Record<string, KnownEndpoint>> = {
  '/images/generations': { endpoint: 'images.generations', kind: 'images' },
  // Multipart form uploads: `model`, `n`, `size`, `quality`, `stream` are form fields.
  '/images/edits': { endpoint: 'images.edits', kind: 'images', defaultModel: 'gpt-image-1.5' },
  // dall-e-2 only (ImageCreateVariationParams.model), answered without usage.
  '/images/variations': { endpoint: 'images.variations', kind: 'images', defaultModel: 'dall-e-2' },
};

/**
 * Parameters only the GPT image models take (ImageGenerateParamsBase): a generation naming
 * no model runs dall-e-2 "unless a parameter specific to the GPT image models is used".
 */
const GPT_IMAGE_ONLY = ['background', 'moderation', 'output_compression', 'output_format', 'partial_images'] as const;

/**
 * The model a generation without `model` runs: dall-e-2, unless it sets a parameter only
 * the GPT image models take (those above, `stream`, a quality of low, medium or high); then
 * gpt-image-1.5, the edits endpoint's documented default (the docs name no GPT model for
 * this case). Edits and variations have a fixed default (IMAGE_ENDPOINTS).
 */
export function defaultImageModel(json: Json, known: KnownEndpoint): string | undefined {
  if (known.endpoint !== 'images.generations') return known.defaultModel;
  const gptOnly = GPT_IMAGE_ONLY.some((name) => json[name] !== undefined && json[name] !== null) || isTrue(json.stream) || GPT_IMAGE_QUALITIES.has(String(json.quality));
  return gptOnly ? 'gpt-image-1.5' : 'dall-e-2';
}

/** A JSON `true`, or a form field `true`. */
function isTrue(v: unknown): boolean {
  return v === true || v === 'true';
}

/**
 * Image input tokens held for each file an edit uploads (the images and the mask): OpenAI
 * documents no rule for the GPT image models' input images. gpt-image-1 bills an image as
 * 512-px tiles of 129 tokens plus 65 (194 for a square; up to 581 for a long one:
 * community.openai.com/t/1281361), and `input_fidelity: high` adds about $0.062 an image at
 * $10 per 1M, some 6,200 tokens (community.openai.com/t/1275254): 7,000 bounds both.
 */
export const IMAGE_INPUT_TOKENS_BOUND = 7_000;

/** The image input tokens held for an edit's or variation's uploaded files (RequestInfo.upload.imageTokens). */
export function uploadedImageTokens(files: readonly Uint8Array[]): number {
  return files.length * IMAGE_INPUT_TOKENS_BOUND;
}

/**
 * The image input tokens held for the images a JSON edit names by reference (OpenAI API
 * reference, EditImageBodyJsonParam: `images: [{file_id | image_url}]` and `mask`), each as an
 * uploaded file is; 0 when it names none (a generation).
 */
export function referencedImageTokens(json: Json): number {
  const images = (Array.isArray(json.images) ? json.images.length : 0) + (isObj(json.mask) ? 1 : 0);
  return images * IMAGE_INPUT_TOKENS_BOUND;
}

/**
 * The usage of an Images answer or completed event (ImagesResponse.Usage): input tokens,
 * of which `input_tokens_details.image_tokens` are images (Usage.inputImageTokens, at most
 * the input not read from cache), and
 * output tokens, of which `output_tokens_details.image_tokens` are images when given, else
 * all of them (the SDK documents output_tokens as "the number of image tokens in the output
 * image"). Without token counts, the vendor's reported cost alone (vendorCostOnly); null
 * when absent.
 */
export function imagesUsage(raw: unknown): Usage | null {
  if (!isObj(raw)) return null;
  const usage = normaliseOpenAiUsage(raw);
  if (usage === null) return vendorCostOnly(raw);
  const inImage = count(objAt(raw.input_tokens_details).image_tokens) ?? 0;
  // Cached tokens are priced as cache reads (none is reported as a cached image token apart):
  // the image tokens are at most the uncached input, as gemini-usage.ts clamps them.
  const uncached = usage.inputTokens - usage.cacheReadTokens;
  if (inImage > 0 && uncached > 0) usage.inputImageTokens = Math.min(inImage, uncached);
  const outDetails = raw.output_tokens_details;
  const outImage = isObj(outDetails) ? (count(outDetails.image_tokens) ?? 0) : usage.outputTokens;
  if (outImage > 0) usage.outputImageTokens = Math.min(outImage, usage.outputTokens);
  return usage;
}

/**
 * A usage with no token counts but the cost its vendor billed (Usage.providerCostNano), or
 * null without one: xAI answers an image generation with `usage.cost_in_usd_ticks` ("An image
 * generation with cost_in_usd_ticks: 200000000 cost $0.02", docs.x.ai/developers/cost-tracking).
 * The call is recorded at that cost (proxy/recorded-usage.ts).
 */
function vendorCostOnly(raw: Json): Usage | null {
  const cost = providerReportedCost(raw);
  return cost === undefined ? null : { ...emptyUsage(), providerCostNano: cost };
}

/** The members of an Images answer `observeImages` reads (ProviderAdapter.usageJsonKeys): the rest is images. */
export const IMAGES_USAGE_KEYS: JsonPick = { keys: ['usage'] };

/** Usage of a non-streamed Images answer; the model is the request's. */
export function observeImages(json: Json): Observed {
  return { usage: imagesUsage(json.usage), model: null };
}

/** Adds `b`'s counts to `a` (two completed events of one request). */
function addUsage(a: Usage, b: Usage): Usage {
  const sum: Usage = {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cacheReadTokens: a.cacheReadTokens + b.cacheReadTokens,
    cacheWrite5mTokens: a.cacheWrite5mTokens + b.cacheWrite5mTokens,
    cacheWrite1hTokens: a.cacheWrite1hTokens + b.cacheWrite1hTokens,
    reasoningTokens: a.reasoningTokens + b.reasoningTokens,
  };
  const inImage = (a.inputImageTokens ?? 0) + (b.inputImageTokens ?? 0);
  const outImage = (a.outputImageTokens ?? 0) + (b.outputImageTokens ?? 0);
  if (inImage > 0) sum.inputImageTokens = inImage;
  if (outImage > 0) sum.outputImageTokens = outImage;
  if (a.providerCostNano !== undefined || b.providerCostNano !== undefined) sum.providerCostNano = (a.providerCostNano ?? 0) + (b.providerCostNano ?? 0);
  return sum;
}

const PARTIAL_GENERATION = asciiBytes('image_generation.partial_image');
const PARTIAL_EDIT = asciiBytes('image_edit.partial_image');

/** The members of an Images stream event ImagesStream reads: its type, usage and what says why it failed (eventFailure). */
const IMAGE_EVENT_KEYS: readonly string[] = ['type', 'usage', 'error', 'message', 'code'];

/**
 * A streamed generation or edit (`stream: true`; ImageGenStreamEvent, ImageEditStreamEvent):
 * `*.partial_image` events (base64 images of up to megabytes, never parsed), then a
 * `*.completed` event with the final image and its usage. With `n` > 1 each image ends in
 * its own completed event, each billed: their usages are summed. An error event (a nested
 * `error` object or `{type: "error"}`: openai-event-stream.ts eventFailure) fails the call.
 */
export class ImagesStream extends UsageEventStream {
  /** Completed events seen with a usage: one per image. */
  private completed = 0;

  /**
   * @param images the images the request asks for (RequestInfo.outputChoices, default 1)
   * @param boundPerImage the output tokens one image is held at (RequestInfo.maxOutputTokens)
   */
  constructor(
    private readonly images: number,
    private readonly boundPerImage: number,
  ) {
    super();
  }

  /** A partial image frame (`event:` line, one data line) passes as bytes, never decoded. */
  passes(raw: Uint8Array): boolean {
    return isJsonEventNamed(raw, PARTIAL_GENERATION) || isJsonEventNamed(raw, PARTIAL_EDIT);
  }

  // Base64 holds no quote: a partial image without an `event:` line is skipped unparsed anyway.
  protected override skips(frame: SseFrame): boolean {
    return frame.event.endsWith('.partial_image');
  }

  // A completed event carries the final image (megabytes of base64) beside its usage.
  protected override eventKeys(): readonly string[] {
    return IMAGE_EVENT_KEYS;
  }

  protected onUsageEvent(json: Json): void {
    if (!(str(json.type) ?? '').endsWith('.completed')) return;
    const usage = imagesUsage(json.usage);
    if (usage === null) return;
    this.completed++;
    this.usage = this.usage === null ? usage : addUsage(this.usage, usage);
  }

  /**
   * The completed events' usages summed; when fewer images completed than the request asked
   * for (a stream cut between them), each missing one is added at its bound as image output
   * tokens and the usage flagged estimated: the provider may bill an image the client never
   * got. Not when the provider failed the stream with an error event: it stopped generating.
   * None completed: no usage (proxy/recorded-usage.ts estimates the whole call).
   */
  override finish(): Observed {
    const observed = super.finish();
    const missing = this.images - this.completed;
    // A stream the provider failed with an error event stopped generating: what did not complete is not billed.
    if (observed.usage === null || observed.failed !== undefined || missing <= 0 || this.boundPerImage <= 0) return observed;
    const extra = missing * this.boundPerImage;
    observed.usage = { ...observed.usage, outputTokens: observed.usage.outputTokens + extra, outputImageTokens: (observed.usage.outputImageTokens ?? 0) + extra };
    observed.estimated = true;
    return observed;
  }
}

/**
 * What an Images call whose answer carried no usage is recorded as (proxy/recorded-usage.ts):
 * a model billed per image (dall-e-2, dall-e-3, any model but the GPT image ones, and every
 * variation) has no tokens and no price; a GPT image call whose usage never arrived is
 * estimated at its reservation's bound (never from its base64 images). `perImage` tells
 * which; `note` says so on the record.
 */
export function usagelessImages(endpoint: string, model: string | null): { perImage: boolean; note: string } {
  const name = model ?? 'the model';
  if (endpoint === 'images.variations' || !isTokenBilledImageModel(model)) {
    return { perImage: true, note: `'${name}' is billed per image, and tokometer has no per-image price for it: recorded without tokens or cost` };
  }
  return {
    perImage: false,
    note: 'the answer carried no usage: usage estimated at the most the request can be billed (its prompt, uploaded images and the output tokens of its images), not read from its base64 images',
  };
}
