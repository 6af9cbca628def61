import { isTokenBilledImageModel } from '../domain/billing-units.js';
import type { Json } from './json.js';
import { GPT_IMAGE_QUALITIES, MAX_PARTIAL_IMAGES, heldCount } from './image-request-counts.js';

/**
 * How many output tokens one image of an Images request can be billed, by model, size and
 * quality: the budget reservation's bound (RequestInfo.maxOutputTokens; `n` images are its
 * outputChoices). OpenAI bills the GPT image models' images as output image tokens; it
 * documents the counts only as tables and a calculator, collected here with their sources.
 */

type Quality = 'low' | 'medium' | 'high';
/** Output tokens of one image by size (WIDTHxHEIGHT) and quality. */
type TokenTable = Readonly<Record<string, Readonly<Record<Quality, number>>>>;

/**
 * Output tokens of one image by size and quality: gpt-image-1's (and gpt-image-1.5's), from
 * OpenAI's image generation guide ("Cost and latency"; as collected in
 * community.openai.com/t/1275254).
 */
const GPT_IMAGE_1_TOKENS: TokenTable = {
  '1024x1024': { low: 272, medium: 1056, high: 4160 },
  '1024x1536': { low: 408, medium: 1584, high: 6240 },
  '1536x1024': { low: 400, medium: 1568, high: 6208 },
};

/**
 * gpt-image-1-mini's: its published prices per image (OpenAI's pricing page: 1024x1024 low
 * $0.005, medium $0.011, high $0.036; 1024x1536 and 1536x1024 $0.006, $0.015, $0.052) at its
 * $8 per 1M output tokens, above gpt-image-1's table: the hold pays for what the page charges.
 */
const GPT_IMAGE_1_MINI_TOKENS: TokenTable = {
  '1024x1024': { low: 625, medium: 1375, high: 4500 },
  '1024x1536': { low: 750, medium: 1875, high: 6500 },
  '1536x1024': { low: 750, medium: 1875, high: 6500 },
};

/** A table with each quality's dearest entry (tokens) and dearest tokens per pixel over its sizes. */
function withDearest(table: TokenTable): { table: TokenTable; dearest: Readonly<Record<Quality, { tokens: number; perPixel: number }>> } {
  const dearest = { low: { tokens: 0, perPixel: 0 }, medium: { tokens: 0, perPixel: 0 }, high: { tokens: 0, perPixel: 0 } };
  for (const [size, row] of Object.entries(table)) {
    const [w, h] = size.split('x').map(Number) as [number, number];
    for (const quality of ['low', 'medium', 'high'] as const) {
      dearest[quality].tokens = Math.max(dearest[quality].tokens, row[quality]);
      dearest[quality].perPixel = Math.max(dearest[quality].perPixel, row[quality] / (w * h));
    }
  }
  return { table, dearest };
}

const GPT_IMAGE_1 = withDearest(GPT_IMAGE_1_TOKENS);
const GPT_IMAGE_1_MINI = withDearest(GPT_IMAGE_1_MINI_TOKENS);

/** Output tokens each partial image of a stream adds (OpenAI's image generation guide; 100 a preview in community.openai.com/t/1275254). */
export const PARTIAL_IMAGE_TOKENS = 100;

/**
 * The most output tokens one image of the request to `model` is billed (its
 * RequestInfo.maxOutputTokens; `n` images are its outputChoices), plus 100 per partial image
 * (`partial_images`). A quality outside low/medium/high (`auto`, unset, dall-e-3's `standard`
 * or `hd`) counts as high, the dearest. By model: gpt-image-2 by its rule (gptImage2Tokens);
 * gpt-image-1-mini by its own table; gpt-image-1, gpt-image-1.5 and a model billed per image
 * (dall-e) by gpt-image-1's table (tableTokens); any other GPT image model
 * (chatgpt-image-latest, a newer one) by the larger of gpt-image-1's and gpt-image-2's.
 */
export function imageOutputTokens(json: Json, model: string | null): number {
  const quality = typeof json.quality === 'string' && GPT_IMAGE_QUALITIES.has(json.quality) ? (json.quality as Quality) : 'high';
  const size = typeof json.size === 'string' ? json.size.trim().toLowerCase() : '';
  const partials = heldCount(json.partial_images, MAX_PARTIAL_IMAGES) ?? 0;
  return oneImage(model, size, quality) + PARTIAL_IMAGE_TOKENS * partials;
}

function oneImage(model: string | null, size: string, quality: Quality): number {
  if (model !== null && GPT_IMAGE_2.test(model)) return gptImage2Tokens(size, quality);
  if (model !== null && GPT_IMAGE_1_MINI_NAME.test(model)) return tableTokens(GPT_IMAGE_1_MINI, size, quality);
  if (model === null || GPT_IMAGE_1_FAMILY.test(model) || !isTokenBilledImageModel(model)) return tableTokens(GPT_IMAGE_1, size, quality);
  return Math.max(tableTokens(GPT_IMAGE_1, size, quality), gptImage2Tokens(size, quality));
}

const GPT_IMAGE_2 = /(^|\/)gpt-image-2(\b|[-.])/;
const GPT_IMAGE_1_FAMILY = /(^|\/)gpt-image-1(\b|[-.])/;
const GPT_IMAGE_1_MINI_NAME = /(^|\/)gpt-image-1-mini(\b|[-.])/;

/**
 * Output tokens for one image by a table (gpt-image-1's, gpt-image-1-mini's): the table's
 * entry; a size outside it (`auto`, unset, a free `WIDTHxHEIGHT`, dall-e sizes) at the
 * quality's dearest entry, or, when larger, its pixels at the table's dearest tokens per pixel
 * (the docs give no rule for other sizes: this scales the table, rounded up).
 */
function tableTokens({ table, dearest }: ReturnType<typeof withDearest>, size: string, quality: Quality): number {
  const listed = table[size]?.[quality];
  if (listed !== undefined) return listed;
  const d = dearest[quality];
  const m = /^(\d{1,5})x(\d{1,5})$/.exec(size);
  if (m === null) return d.tokens;
  return Math.max(d.tokens, Math.ceil(Number(m[1]) * Number(m[2]) * d.perPixel));
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
