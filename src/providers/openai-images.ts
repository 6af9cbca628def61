import { asciiBytes, isJsonEventNamed } from './frame-bytes.js';
import { count, isObj, objAt, str, type Json } from './json.js';
import type { KnownEndpoint } from './define-adapter.js';
import { UsageEventStream } from './openai-event-stream.js';
import { normaliseOpenAiUsage, providerReportedCost } from './openai-usage.js';
import { emptyUsage, type Observed, type SseFrame, type Usage } from './types.js';

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
const GPT_IMAGE_QUALITIES: ReadonlySet<string> = new Set(['low', 'medium', 'high']);

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

/** A count from JSON (a number) or a form field (decimal digits); undefined otherwise. */
export function formCount(v: unknown): number | undefined {
  if (typeof v === 'string') return /^\d{1,6}$/.test(v.trim()) ? Number(v.trim()) : undefined;
  return count(v);
}

/**
 * Output tokens of one image by size and quality: gpt-image-1's (and gpt-image-1-mini's and
 * gpt-image-1.5's), from OpenAI's image
 * generation guide ("Cost and latency"; as collected in community.openai.com/t/1275254).
 */
const OUTPUT_TOKENS: Readonly<Record<string, Readonly<Record<'low' | 'medium' | 'high', number>>>> = {
  '1024x1024': { low: 272, medium: 1056, high: 4160 },
  '1024x1536': { low: 408, medium: 1584, high: 6240 },
  '1536x1024': { low: 400, medium: 1568, high: 6208 },
};

/** Each quality's dearest entry (tokens) and dearest tokens per pixel over the table's sizes. */
const DEAREST = (['low', 'medium', 'high'] as const).map((quality) => {
  let tokens = 0;
  let perPixel = 0;
  for (const [size, row] of Object.entries(OUTPUT_TOKENS)) {
    const [w, h] = size.split('x').map(Number) as [number, number];
    tokens = Math.max(tokens, row[quality]);
    perPixel = Math.max(perPixel, row[quality] / (w * h));
  }
  return { quality, tokens, perPixel };
});

/** Output tokens each partial image of a stream adds (OpenAI's image generation guide; 100 a preview in community.openai.com/t/1275254). */
export const PARTIAL_IMAGE_TOKENS = 100;

/**
 * The most output tokens one image of the request to `model` is billed (its
 * RequestInfo.maxOutputTokens; `n` images are its outputChoices), plus 100 per partial image
 * (`partial_images`). A quality outside low/medium/high (`auto`, unset, dall-e-3's `standard`
 * or `hd`) counts as high, the dearest. By model: gpt-image-2 by its rule (gptImage2Tokens);
 * the gpt-image-1 family (gpt-image-1, -mini, 1.5) and a model billed per image (dall-e) by
 * gpt-image-1's table (gptImage1Tokens); any other GPT image model (chatgpt-image-latest, a
 * newer one) by the larger of the two.
 */
export function imageOutputTokens(json: Json, model: string | null): number {
  const quality = typeof json.quality === 'string' && GPT_IMAGE_QUALITIES.has(json.quality) ? (json.quality as Quality) : 'high';
  const size = typeof json.size === 'string' ? json.size.trim().toLowerCase() : '';
  const partials = Math.min(formCount(json.partial_images) ?? 0, 3);
  return oneImage(model, size, quality) + PARTIAL_IMAGE_TOKENS * partials;
}

type Quality = 'low' | 'medium' | 'high';

function oneImage(model: string | null, size: string, quality: Quality): number {
  if (model !== null && GPT_IMAGE_2.test(model)) return gptImage2Tokens(size, quality);
  if (model === null || GPT_IMAGE_1_FAMILY.test(model) || !isTokenBilledImageModel(model)) return gptImage1Tokens(size, quality);
  return Math.max(gptImage1Tokens(size, quality), gptImage2Tokens(size, quality));
}

const GPT_IMAGE_2 = /(^|\/)gpt-image-2(\b|[-.])/;
const GPT_IMAGE_1_FAMILY = /(^|\/)gpt-image-1(\b|[-.])/;

/**
 * gpt-image-1's output tokens for one image: the table's entry; a size outside it (`auto`,
 * unset, a free `WIDTHxHEIGHT`, dall-e sizes) at the quality's dearest entry, or, when larger,
 * its pixels at the table's dearest tokens per pixel (the docs give no rule for other sizes:
 * this scales the table, rounded up).
 */
function gptImage1Tokens(size: string, quality: Quality): number {
  const listed = OUTPUT_TOKENS[size]?.[quality];
  if (listed !== undefined) return listed;
  const dearest = DEAREST.find((d) => d.quality === quality)!;
  const m = /^(\d{1,5})x(\d{1,5})$/.exec(size);
  if (m === null) return dearest.tokens;
  return Math.max(dearest.tokens, Math.ceil(Number(m[1]) * Number(m[2]) * dearest.perPixel));
}

/** gpt-image-2's quality factor q (community.openai.com/t/1382699 `quality_axis_factors`). */
const GPT_IMAGE_2_QUALITY: Readonly<Record<Quality, number>> = { low: 16, medium: 48, high: 96 };

/**
 * The size an `auto` or unset size is held at for gpt-image-2: its dearest allowed size. The
 * model takes edges in steps of 16 px, at most 3,840 px, a ratio of at most 3:1 and 655,360 to
 * 8,294,400 px (community.openai.com/t/1382699 `size_limits`); the rule below is dearest for
 * the most pixels in a square, 2880x2880 (8,294,400 px): 23,719 tokens at high.
 */
const GPT_IMAGE_2_DEAREST_SIZE = { width: 2880, height: 2880 } as const;

/**
 * gpt-image-2's output tokens for one image of `size` (WIDTHxHEIGHT; anything else is held at
 * GPT_IMAGE_2_DEAREST_SIZE): ceil(q × floor((2q × short + long) / (2 × long)) × (2,000,000 +
 * w × h) / 4,000,000), q = 16, 48, 96 for low, medium, high. OpenAI documents only a
 * calculator; this rule (community.openai.com/t/1382699, "the algorithm behind cost
 * calculations for gpt-image-2") reproduces its figures at high: 1024x1024 7,024, 1536x1024
 * 5,488, 1792x1024 5,063, 3584x2048 12,329 (community.openai.com/t/1379464).
 */
function gptImage2Tokens(size: string, quality: Quality): number {
  const m = /^(\d{1,5})x(\d{1,5})$/.exec(size);
  const width = m === null ? GPT_IMAGE_2_DEAREST_SIZE.width : Number(m[1]);
  const height = m === null ? GPT_IMAGE_2_DEAREST_SIZE.height : Number(m[2]);
  const long = Math.max(width, height);
  const short = Math.min(width, height);
  if (long === 0) return 0;
  const q = GPT_IMAGE_2_QUALITY[quality];
  const shortFactor = Math.floor((2 * q * short + long) / (2 * long));
  return Math.ceil((q * shortFactor * (2_000_000 + width * height)) / 4_000_000);
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
export const IMAGES_USAGE_KEYS: readonly string[] = ['usage'];

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
    if (usage !== null) this.usage = this.usage === null ? usage : addUsage(this.usage, usage);
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

/** A GPT image model (gpt-image-*, chatgpt-image-*, a vendor prefix allowed): billed by tokens. */
export function isTokenBilledImageModel(model: string | null): boolean {
  return model !== null && /(^|\/)(chat)?gpt-image/.test(model);
}
