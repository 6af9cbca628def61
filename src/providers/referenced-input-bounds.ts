/**
 * How many input tokens a provider can bill for one image or document a request names by
 * reference (a URL or a file id), whose bytes the request body does not carry: the bounds the
 * budget reservation holds for them (referenced-inputs.ts finds them in a request). Each bound
 * is the most the provider documents for one such input on the model; where the documents are
 * unclear, the larger reading. Pure constants and functions of the model name: no I/O.
 */

/** A model that bills a high-detail image as `base` tokens plus `tile` per 512-px tile (OpenAI's gpt-4o style). */
interface TileRule {
  base: number;
  tile: number;
}

/**
 * Most 512-px tiles of one high-detail image on a tile-billed OpenAI model: the image is scaled
 * to fit 2,048 × 2,048, then its short side to 768 px (only ever down), so at most 768 × 2,048:
 * 2 × 4 tiles.
 */
export const OPENAI_MAX_TILES = 8;

/** Most 32-px patches of one image on a patch-billed OpenAI model (larger images are scaled down to fit). */
export const OPENAI_MAX_PATCHES = 1_536;

/** gpt-4o, gpt-4.5, gpt-4-turbo, chatgpt-4o: 85 + 170 a tile (1,445 at most). */
const GPT_4O: TileRule = { base: 85, tile: 170 };
/** gpt-4o-mini bills images at multiplied counts (its tokens are cheap): 2,833 + 5,667 a tile (48,169 at most). */
const GPT_4O_MINI: TileRule = { base: 2_833, tile: 5_667 };
/** gpt-5 and its point releases (not -mini, -nano): 70 + 140 a tile. */
const GPT_5: TileRule = { base: 70, tile: 140 };
/** o1, o1-pro, o3, o3-pro: 75 + 150 a tile. */
const O_SERIES: TileRule = { base: 75, tile: 150 };
/** computer-use-preview: 65 + 129 a tile. */
const COMPUTER_USE: TileRule = { base: 65, tile: 129 };

/**
 * Patch-billed models: patches (at most OPENAI_MAX_PATCHES) × a multiplier, whatever the
 * detail (OpenAI documents no low-detail rule for them). gpt-4.1 itself is documented both as
 * tiled like gpt-4o (1,445 at most) and as 1 token a patch (1,536): the larger is held.
 */
const PATCH_MULTIPLIERS: ReadonlyArray<readonly [RegExp, number]> = [
  // Any -nano or -mini of gpt-4.1 and gpt-5, whatever comes between (gpt-5.1-codex-mini).
  [/^gpt-(?:4\.1|5)\S*-nano/, 2.46],
  [/^gpt-(?:4\.1|5)\S*-mini/, 1.62],
  [/^o4-mini/, 1.72],
  [/^gpt-4\.1/, 1],
];

const TILE_RULES: ReadonlyArray<readonly [RegExp, TileRule]> = [
  [/^gpt-4o-mini/, GPT_4O_MINI],
  [/^gpt-5/, GPT_5],
  [/^o[13](?:-pro)?(?:$|-\d{4}-)/, O_SERIES],
  [/^computer-use/, COMPUTER_USE],
  [/^(?:chatgpt-)?gpt-4(?:o|\.5|-turbo|-vision)|^chatgpt-4o/, GPT_4O],
];

/**
 * One image on a model no rule above names (an OpenAI-compatible vendor's, a new OpenAI
 * model), at any detail: the largest bound of the rules other than gpt-4o-mini's, whose
 * multiplied counts only its low price makes sense of: 1,536 patches × 2.46 = 3,779.
 */
export const OPENAI_UNKNOWN_IMAGE_TOKENS = Math.ceil(OPENAI_MAX_PATCHES * 2.46);

/** `model` without a vendor prefix (`openai/gpt-4o` on OpenRouter), lower case. */
function bareModel(model: string | null): string {
  if (model === null) return '';
  const slash = model.lastIndexOf('/');
  return (slash < 0 ? model : model.slice(slash + 1)).toLowerCase();
}

/**
 * Most input tokens OpenAI bills for one image given by reference on `model`, at `detail`
 * (`low`; `high`, `auto`, unset or anything else as high): a tile-billed model's base alone at
 * low, else base + OPENAI_MAX_TILES tiles (gpt-4o: 1,445); a patch-billed model's
 * ceil(OPENAI_MAX_PATCHES × multiplier) at any detail (gpt-4.1-mini: 2,489); an unknown model's
 * OPENAI_UNKNOWN_IMAGE_TOKENS.
 */
export function openAiImageTokens(model: string | null, detail: unknown): number {
  const name = bareModel(model);
  for (const [pattern, multiplier] of PATCH_MULTIPLIERS) if (pattern.test(name)) return Math.ceil(OPENAI_MAX_PATCHES * multiplier);
  for (const [pattern, rule] of TILE_RULES) if (pattern.test(name)) return detail === 'low' ? rule.base : rule.base + OPENAI_MAX_TILES * rule.tile;
  return OPENAI_UNKNOWN_IMAGE_TOKENS;
}

/** Most pages of one document OpenAI reads (100 pages and 32 MB a request). */
export const OPENAI_DOCUMENT_PAGES = 100;

/**
 * Most text tokens one page of a PDF is billed for, beside its page image: pages typically run
 * 1,500 to 3,000 tokens of text (Anthropic's documentation; OpenAI gives no figure), the top
 * of that range.
 */
export const TEXT_TOKENS_PER_PAGE = 3_000;

/**
 * Most input tokens OpenAI bills for one file (a PDF: each page's extracted text and an image
 * of the page) given by file id or URL on `model`: OPENAI_DOCUMENT_PAGES pages × (text + one
 * high-detail image). gpt-4o: 100 × (3,000 + 1,445) = 444,500, more than its window, which
 * the reservation caps it at (budget/gate.ts).
 */
export function openAiDocumentTokens(model: string | null): number {
  return OPENAI_DOCUMENT_PAGES * (TEXT_TOKENS_PER_PAGE + openAiImageTokens(model, 'high'));
}

/**
 * Most input tokens Anthropic bills for one image: images are resized to at most about 1.15
 * megapixels (1,568 px on the long edge), and an image costs width × height / 750 tokens,
 * about 1,600 at most.
 */
export const ANTHROPIC_IMAGE_TOKENS = 1_600;

/** Most pages of a PDF Anthropic reads in one request (its documented limit for full PDF support). */
export const ANTHROPIC_DOCUMENT_PAGES = 100;

/**
 * Most input tokens Anthropic bills for one document given by URL or file id, whose pages are
 * unknown: a PDF of ANTHROPIC_DOCUMENT_PAGES pages, each billed as its text and an image of the
 * page: 100 × (3,000 + 1,600) = 460,000, capped at the model's window by the reservation.
 */
export const ANTHROPIC_DOCUMENT_TOKENS = ANTHROPIC_DOCUMENT_PAGES * (TEXT_TOKENS_PER_PAGE + ANTHROPIC_IMAGE_TOKENS);

/**
 * Most input tokens Gemini bills for one image file: 258 tokens a 768-px tile (an image up to
 * 384 px is one), with images scaled to fit 3,072 px: 4 × 4 tiles = 4,128. Gemini 3 bills an
 * image by its media resolution instead (1,120 at high), which this covers. Unsure how far a
 * large image tiles (the documents give no maximum): the larger reading.
 */
export const GEMINI_IMAGE_TOKENS = 16 * 258;

/**
 * Most input tokens Gemini bills for one PDF file: 1,000 pages (the documented maximum) × 560
 * tokens (Gemini 3's default page resolution, above 2.x's 258 a page) = 560,000.
 */
export const GEMINI_PDF_TOKENS = 1_000 * 560;

/**
 * A Gemini file that is neither an image nor a PDF (video, audio, text): its length is not
 * known, and an hour of video runs past a million tokens, so the largest window of the current
 * Gemini models, 1,048,576 tokens; the reservation caps it at the model's own window.
 */
export const GEMINI_OTHER_FILE_TOKENS = 1_048_576;

/** Most input tokens Gemini bills for one file of `mimeType` (an image, a PDF, anything else: see above). */
export function geminiFileTokens(mimeType: unknown): number {
  if (typeof mimeType === 'string') {
    if (mimeType.startsWith('image/')) return GEMINI_IMAGE_TOKENS;
    if (mimeType === 'application/pdf') return GEMINI_PDF_TOKENS;
  }
  return GEMINI_OTHER_FILE_TOKENS;
}
