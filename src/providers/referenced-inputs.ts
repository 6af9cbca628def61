import { isObj, type Json } from './json.js';
import { ANTHROPIC_DOCUMENT_TOKENS, ANTHROPIC_IMAGE_TOKENS, geminiFileTokens, openAiDocumentTokens, openAiImageTokens } from './referenced-input-bounds.js';

/**
 * The images and documents a request names by reference (a URL or a provider file id) rather
 * than carrying their bytes, and the input tokens the provider may bill for them
 * (RequestInfo.referencedInputTokens), each at its bound (referenced-input-bounds.ts). An input
 * sent inline (a `data:` URL, base64 data) is not counted here: its bytes are the body's, which
 * the reservation already holds as prompt. Each function walks the request's already parsed
 * JSON once, in indexed loops (no iterators): a text-only request (string contents) allocates nothing. 0 when
 * the request names none.
 */

/** A URL that carries its bytes (`data:…;base64,…`), already counted as the body's. */
function isInline(url: string): boolean {
  return url.startsWith('data:');
}

/** Whether `v` is a non-empty string (a URL or an id). */
function named(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0;
}

/**
 * One OpenAI content part: a Chat `image_url` ({url, detail} or a URL string) or `file`
 * ({file_id}: a file given by id; `file_data` is inline), a Responses `input_image`
 * (`image_url` or `file_id`, with `detail`) or `input_file` (`file_id` or `file_url`;
 * `file_data` is inline).
 */
function openAiPartTokens(part: unknown, model: string | null): number {
  if (!isObj(part)) return 0;
  switch (part.type) {
    case 'image_url': {
      const image = part.image_url;
      if (named(image)) return isInline(image) ? 0 : openAiImageTokens(model, undefined);
      return isObj(image) && named(image.url) && !isInline(image.url) ? openAiImageTokens(model, image.detail) : 0;
    }
    case 'input_image': {
      if (named(part.image_url)) return isInline(part.image_url) ? 0 : openAiImageTokens(model, part.detail);
      return named(part.file_id) ? openAiImageTokens(model, part.detail) : 0;
    }
    case 'file': {
      const file = part.file;
      return isObj(file) && named(file.file_id) && file.file_data === undefined ? openAiDocumentTokens(model) : 0;
    }
    case 'input_file':
      return part.file_data === undefined && (named(part.file_id) || named(part.file_url)) ? openAiDocumentTokens(model) : 0;
    default:
      return 0;
  }
}

/** The parts of `content` when it is an array of them (a string content names nothing). */
function openAiContentTokens(content: unknown, model: string | null): number {
  if (!Array.isArray(content)) return 0;
  let tokens = 0;
  for (let i = 0; i < content.length; i++) tokens += openAiPartTokens(content[i], model);
  return tokens;
}

/**
 * An OpenAI Chat request's (`messages[].content[]`) or Responses request's (`input`: its
 * items, their `content`, and a tool call's `output` given as content parts) referenced
 * images and files, on `model`.
 */
export function openAiReferencedTokens(json: Json, model: string | null): number {
  const items = Array.isArray(json.messages) ? json.messages : json.input;
  if (!Array.isArray(items)) return 0;
  let tokens = 0;
  for (let i = 0; i < items.length; i++) {
    const item: unknown = items[i];
    if (!isObj(item)) continue;
    tokens += openAiPartTokens(item, model) + openAiContentTokens(item.content, model) + openAiContentTokens(item.output, model);
  }
  return tokens;
}

/** One Anthropic content block: an `image` or `document` whose `source` is a `url` or a `file` (an id); a `tool_result`'s own blocks. */
function anthropicBlockTokens(block: unknown, nested: boolean): number {
  if (!isObj(block)) return 0;
  if (block.type === 'image' || block.type === 'document') {
    const source = block.source;
    const byReference = isObj(source) && (source.type === 'url' || source.type === 'file');
    if (!byReference) return 0;
    return block.type === 'image' ? ANTHROPIC_IMAGE_TOKENS : ANTHROPIC_DOCUMENT_TOKENS;
  }
  if (block.type === 'tool_result' && !nested && Array.isArray(block.content)) {
    let tokens = 0;
    for (let i = 0; i < block.content.length; i++) tokens += anthropicBlockTokens(block.content[i], true);
    return tokens;
  }
  return 0;
}

/** An Anthropic Messages request's referenced images and documents (`messages[].content[]`, tool results included). */
export function anthropicReferencedTokens(json: Json): number {
  return nestedTokens(json.messages, 'content', anthropicTopBlockTokens);
}

/** A block of a message's own content (not one inside a tool result). */
const anthropicTopBlockTokens = (block: unknown): number => anthropicBlockTokens(block, false);

/** A Gemini part's `fileData` (or proto-JSON `file_data`): a file by URI, by its MIME type. */
function geminiPartTokens(part: unknown): number {
  if (!isObj(part)) return 0;
  const file = isObj(part.fileData) ? part.fileData : isObj(part.file_data) ? part.file_data : undefined;
  if (file === undefined) return 0;
  return geminiFileTokens(file.mimeType ?? file.mime_type);
}

/** A Gemini generateContent request's files by URI (`contents[].parts[]`); `inlineData` is the body's. */
export function geminiReferencedTokens(json: Json): number {
  return nestedTokens(json.contents, 'parts', geminiPartTokens);
}

/**
 * The sum of `tokensOf` over every `list[i][key][j]` (Anthropic `messages[].content[]`, Gemini
 * `contents[].parts[]`); an item that is not an object, or whose `key` is not an array, adds 0,
 * and so does a `list` that is not an array. Indexed loops: nothing is allocated.
 */
function nestedTokens(list: unknown, key: 'content' | 'parts', tokensOf: (part: unknown) => number): number {
  if (!Array.isArray(list)) return 0;
  let tokens = 0;
  for (let i = 0; i < list.length; i++) {
    const item: unknown = list[i];
    if (!isObj(item)) continue;
    const parts = item[key];
    if (!Array.isArray(parts)) continue;
    for (let j = 0; j < parts.length; j++) tokens += tokensOf(parts[j]);
  }
  return tokens;
}
