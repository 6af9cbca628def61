import { count, isObj, objAt, str, type Json } from './json.js';
import { emptyUsage, type JsonPick, type Observed, type RequestInfo } from './types.js';

/**
 * Mistral OCR (`POST /v1/ocr`), billed per page of the document.
 *
 * Wire format (@mistralai/mistralai 2.7.0 models/components/ocrrequest.d.ts, ocrresponse.d.ts,
 * ocrusageinfo.d.ts): the request is JSON with `model`, `document` (a document_url,
 * image_url or file chunk), optionally `pages` (a list of 0-based page indexes, or a string
 * of indexes and ranges such as "0,2-4"), `document_annotation_format` and
 * `bbox_annotation_format`; the answer has `pages`, `model`, `document_annotation` and
 * `usage_info: {pages_processed, doc_size_bytes}`. No tokens: the pages processed are the bill.
 */

/**
 * Most pages Mistral OCR processes in one document: 1,000 (docs.mistral.ai, "Mistral OCR /
 * Document AI - PDF Chunking" cookbook: max page count ~1000 pages, max file size ~50 MB).
 * What a request that lists no `pages` is held at before the answer says how many.
 */
export const MAX_OCR_PAGES = 1000;

/** Whether the request asks for annotations (a document or a bounding-box annotation format). */
function asksForAnnotations(json: Json): boolean {
  return isObj(json.document_annotation_format) || isObj(json.bbox_annotation_format);
}

/**
 * Pages a `pages` value picks, at most MAX_OCR_PAGES: a list's length, or the indexes and
 * inclusive ranges of a string ("0,2-4" = 4). An overlap is counted twice (still a bound);
 * null when there is no usable value (absent, empty, malformed): the document's maximum.
 */
function pickedPages(pages: unknown): number | null {
  if (Array.isArray(pages)) return pages.length === 0 ? null : Math.min(pages.length, MAX_OCR_PAGES);
  if (typeof pages !== 'string') return null;
  let total = 0;
  for (const part of pages.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (m === null) return null;
    const first = Number(m[1]);
    const last = m[2] === undefined ? first : Number(m[2]);
    if (last < first) return null;
    total += last - first + 1;
    if (total >= MAX_OCR_PAGES) return MAX_OCR_PAGES;
  }
  return total === 0 ? null : total;
}

/**
 * Whether the document is one image: an `image_url` chunk (ImageURLChunk, sent as
 * `{type: 'image_url', image_url: url | {url}}`; its `type` is optional in the SDK's input
 * type, so a chunk without one that carries `image_url` counts too). A `file` chunk names only
 * a `file_id`, which does not say whether the file is an image: not one here.
 */
function isImage(document: Json): boolean {
  return document.type === 'image_url' || (document.type === undefined && document.image_url !== undefined);
}

/**
 * The pages an OCR request can be billed for (RequestInfo.documentPages): 1 for an image,
 * else the pages it lists, else the documented maximum; and whether each is billed as
 * annotated.
 */
export function ocrPageBound(body: unknown): { max: number; annotated: boolean } {
  const json = objAt(body);
  const max = isImage(objAt(json.document)) ? 1 : (pickedPages(json.pages) ?? MAX_OCR_PAGES);
  return { max, annotated: asksForAnnotations(json) };
}

/**
 * The members of an OCR answer `observeMistralOcr` reads (ProviderAdapter.usageJsonKeys): its
 * `pages` (markdown and, with `include_image_base64`, the page images) only for how many.
 */
export const OCR_USAGE_KEYS: JsonPick = { keys: ['model', 'usage_info'], counted: ['pages'] };

/**
 * An OCR answer's usage: no tokens, `documentPages` = `usage_info.pages_processed`, and when
 * the request asked for annotations (`info.documentPages.annotated`) every processed page
 * annotated too, the upper bound (the answer does not say how many pages an annotation read).
 * Without a page count, the pages the answer returns (`pages`, one entry per page processed)
 * are the usage, flagged estimated; an answer with neither has usage null, and the call is
 * then estimated from the request's page bound (proxy/recorded-usage.ts).
 */
export function observeMistralOcr(json: Json, info: RequestInfo): Observed {
  const model = str(json.model);
  const reported = count(objAt(json.usage_info).pages_processed);
  const returned = Array.isArray(json.pages) && json.pages.length > 0 ? json.pages.length : undefined;
  const pages = reported ?? returned;
  if (pages === undefined) return { usage: null, model };
  const usage = { ...emptyUsage(), documentPages: pages };
  const observed: Observed = { usage: info.documentPages?.annotated === true ? { ...usage, annotatedPages: pages } : usage, model };
  if (reported === undefined) observed.estimated = true;
  return observed;
}
