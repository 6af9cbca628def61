import { count } from './json.js';

/**
 * The counts and qualities an image request states (the Images API's `n`, `partial_images`,
 * `quality`; the Responses image_generation tool's), read for the budget hold and for pricing
 * images by size and quality (image-output-tokens.ts). A leaf module: the Images adapter
 * (openai-images.ts) and the Responses image tool (openai-image-tool.ts) both read it.
 */

/** The qualities the GPT image models bill apart; any other (`auto`, dall-e's) is held as the dearest. */
export const GPT_IMAGE_QUALITIES: ReadonlySet<string> = new Set(['low', 'medium', 'high']);

/** A count from JSON (a number) or a form field (decimal digits); undefined otherwise. */
export function formCount(v: unknown): number | undefined {
  if (typeof v === 'string') return /^\d{1,6}$/.test(v.trim()) ? Number(v.trim()) : undefined;
  return count(v);
}

/** The most images one request generates (`n`: 1–10, ImageGenerateParams) and partial images one stream sends (`partial_images`: 0–3). */
export const MAX_IMAGES = 10;
export const MAX_PARTIAL_IMAGES = 3;

/**
 * A count the hold reads (`n`, `partial_images`), at most `max`: absent (undefined, null) is
 * undefined; one the proxy cannot read as a count ('+10', '1e1', seven digits) is `max`, since
 * the provider's parser may read it as a larger count than the proxy would guess.
 */
export function heldCount(v: unknown, max: number): number | undefined {
  if (v === undefined || v === null) return undefined;
  const n = formCount(v);
  return n === undefined ? max : Math.min(n, max);
}
