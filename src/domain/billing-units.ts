/**
 * Calls billed by a unit no token price counts, by model name and endpoint. Images: OpenAI's
 * GPT image models (gpt-image-1, gpt-image-1-mini, gpt-image-1.5, gpt-image-2,
 * chatgpt-image-latest) bill the Images API by tokens, which tokometer prices; every other
 * image model (dall-e-2, dall-e-3, a vendor's own such as grok-2-image) bills per image, which
 * it does not: such a call is recorded without tokens and unpriced (providers/openai-images.ts).
 * Documents billed per page (Mistral OCR) and speech billed per input character (OpenAI's
 * tts-1 and tts-1-hd: isPerCharacterSpeechModel) are the other kinds no token price counts.
 * Shared by the recorder, the audit, serve's unpriced-on-budget warning and the unpriced
 * lists, which must not tell a user to add a token price for them. Imports nothing.
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
  return untokenedUnit(endpoint, inputTokens, outputTokens) === 'image';
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
 * OpenAI's speech models billed per input character ($15 and $30 per 1M: OpenAI's pricing
 * page): tts-1 and tts-1-hd, and their dated snapshots (`tts-1-1106`, `tts-1-hd-1106`).
 */
const PER_CHARACTER_SPEECH_MODEL = /^tts-1(?:-hd)?(?:-\d{4})?$/;

/** True for tts-1, tts-1-hd and their dated snapshots: billed per input character, not by tokens. */
export function isPerCharacterSpeechModel(model: string | null): boolean {
  return model !== null && PER_CHARACTER_SPEECH_MODEL.test(model);
}

/** A unit a call is billed by that no token price counts. */
export type UntokenedUnit = 'image' | 'character' | 'page';

/**
 * The unit a call recorded without tokens is billed by, which no token price can count:
 * `image` (an Images call, endpoint `images.*`), `character` (a text-to-speech call, `audio.speech`:
 * tts-1, or another vendor's speech model, recorded so by providers/openai-speech.ts), `page`
 * (an OCR call); null for any call with tokens, or another endpoint.
 */
export function untokenedUnit(endpoint: string, inputTokens: number, outputTokens: number): UntokenedUnit | null {
  if (inputTokens !== 0 || outputTokens !== 0) return null;
  if (endpoint.startsWith('images.')) return 'image';
  if (endpoint === 'audio.speech') return 'character';
  return endpoint === 'ocr' ? 'page' : null;
}

/** What the unpriced lists and serve's warning say of a model billed by `unit`, after "; MODEL is" or "are". */
export const NOT_TOKEN_BILLED: Readonly<Record<UntokenedUnit, string>> = {
  image: 'billed per image, which tokometer cannot price (docs/prices.md, "OpenAI Images API")',
  character: 'billed per input character, which tokometer cannot price (docs/prices.md, "Text-to-speech")',
  page: 'billed per page, which prices: cannot set yet (docs/prices.md, "Documents billed per page")',
};

/**
 * The clause the unpriced lists add after "add their prices under `prices:`" when some of
 * `models` are not billed by tokens: `; dall-e-3 is billed per image, which tokometer cannot
 * price (…)` (looksBilledPerImage), `; mistral-ocr-2606 is billed per page, which prices: cannot
 * set yet (…)` (looksBilledPerPage), `; tts-1 is billed per input character, which tokometer
 * cannot price (…)` (isPerCharacterSpeechModel, or one of `untokenedSpeech`: models whose
 * text-to-speech calls were recorded without tokens, as the store tells: another vendor's
 * `playai-tts`); '' when none is.
 */
export function notTokenBilledClause(models: readonly string[], untokenedSpeech: readonly string[] = []): string {
  const named = (list: string[]) => `${list.join(', ')} ${list.length === 1 ? 'is' : 'are'}`;
  const speech = new Set(untokenedSpeech);
  const perCharacter = [...new Set(models.filter((m) => isPerCharacterSpeechModel(m) || speech.has(m)))];
  const others = models.filter((m) => !perCharacter.includes(m));
  const perImage = [...new Set(others.filter(looksBilledPerImage))];
  const perPage = [...new Set(others.filter((m) => looksBilledPerPage(m) && !looksBilledPerImage(m)))];
  let clause = '';
  if (perImage.length > 0) clause += `; ${named(perImage)} ${NOT_TOKEN_BILLED.image}`;
  if (perPage.length > 0) clause += `; ${named(perPage)} ${NOT_TOKEN_BILLED.page}`;
  if (perCharacter.length > 0) clause += `; ${named(perCharacter)} ${NOT_TOKEN_BILLED.character}`;
  return clause;
}
