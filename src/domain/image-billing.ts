/**
 * How image generation is billed, by model name: OpenAI's GPT image models (gpt-image-1,
 * gpt-image-1-mini, gpt-image-1.5, gpt-image-2, chatgpt-image-latest) bill the Images API by
 * tokens, which tokometer prices; every other image model (dall-e-2, dall-e-3, a vendor's
 * own such as grok-2-image) bills per image, which it does not: such a call is recorded
 * without tokens and unpriced (providers/openai-images.ts). Documents billed per page (Mistral
 * OCR) are the other kind no token price counts (looksBilledPerPage). Shared by the recorder,
 * the audit and the unpriced lists, which must not tell a user to add a token price for them.
 * Imports nothing.
 */

const TOKEN_BILLED_IMAGE_MODEL = /(^|\/)(chat)?gpt-image/;

/** True for a GPT image model, billed by tokens (`vendor/gpt-image-1` too); false for none. */
export function isTokenBilledImageModel(model: string | null): boolean {
  return model !== null && TOKEN_BILLED_IMAGE_MODEL.test(model);
}

/**
 * True for an Images API call (endpoint `images.*`) answered without token counts: billed
 * per image. Counts in tokens.
 */
export function isPerImageCall(endpoint: string, inputTokens: number, outputTokens: number): boolean {
  return endpoint.startsWith('images.') && inputTokens === 0 && outputTokens === 0;
}

/**
 * For lists that know only a model's name (`prices unpriced`, the report's footer): true when
 * it names an image model billed per image (`dall-e…`, or "image" in a name that is not a GPT
 * image model). A hint, not a rule: a chat model with "image" in its name also matches.
 */
export function looksBilledPerImage(model: string): boolean {
  return /dall-e/i.test(model) || (/image/i.test(model) && !isTokenBilledImageModel(model) && !/gemini/i.test(model));
}

/** Same, for a document model billed per page (Mistral OCR: `mistral-ocr…`, "ocr" in the name). */
export function looksBilledPerPage(model: string): boolean {
  return /ocr/i.test(model);
}

/**
 * The clause the unpriced lists add after "add their prices under `prices:`" when some of
 * `models` are not billed by tokens: `; dall-e-3 is billed per image, which tokometer cannot
 * price (…)` (looksBilledPerImage), `; mistral-ocr-2606 is billed per page, which prices: cannot
 * set yet (…)` (looksBilledPerPage); '' when none is.
 */
export function notTokenBilledClause(models: readonly string[]): string {
  const named = (list: string[]) => `${list.join(', ')} ${list.length === 1 ? 'is' : 'are'}`;
  const perImage = [...new Set(models.filter(looksBilledPerImage))];
  const perPage = [...new Set(models.filter((m) => looksBilledPerPage(m) && !looksBilledPerImage(m)))];
  let clause = '';
  if (perImage.length > 0) clause += `; ${named(perImage)} billed per image, which tokometer cannot price (docs/prices.md, "OpenAI Images API")`;
  if (perPage.length > 0) clause += `; ${named(perPage)} billed per page, which prices: cannot set yet (docs/prices.md, "Documents billed per page")`;
  return clause;
}
