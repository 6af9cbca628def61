import { describe, expect, it } from 'vitest';
import { createMistralAdapter } from '../../src/providers/mistral.js';
import { pickJsonKeys } from '../../src/providers/json-keys.js';
import { MAX_OCR_PAGES, OCR_USAGE_KEYS, ocrPageBound } from '../../src/providers/mistral-ocr.js';
import { observeJson } from '../../src/proxy/body-steps.js';
import { newObservation } from '../../src/proxy/observation.js';

/**
 * Mistral OCR requests and answers (@mistralai/mistralai 2.7.0 OCRRequest: `pages` a list of
 * 0-based indexes or a string such as "0,2-4"; OCRResponse `usage_info.pages_processed`).
 */

const adapter = createMistralAdapter();
const SCHEMA = { type: 'json_schema', json_schema: { name: 'doc', schema_definition: { type: 'object' } } };

describe('Mistral OCR: the page bound of a request', () => {
  it('is the pages a list or a string of indexes and ranges picks', () => {
    expect(ocrPageBound({ pages: [0, 3, 9] })).toEqual({ max: 3, annotated: false });
    expect(ocrPageBound({ pages: '0,2-4' })).toEqual({ max: 4, annotated: false });
    expect(ocrPageBound({ pages: ' 5 - 14 ' })).toEqual({ max: 10, annotated: false });
  });

  it('is the documented maximum (1,000) without pages, with a malformed or empty value, and at most that', () => {
    expect(MAX_OCR_PAGES).toBe(1000);
    for (const pages of [undefined, null, [], '', '3-1', 'all', 7]) expect(ocrPageBound({ pages }).max).toBe(1000);
    expect(ocrPageBound({ pages: '0-99999' }).max).toBe(1000);
  });

  it('is annotated when the request asks for a document or a bounding-box annotation format', () => {
    expect(ocrPageBound({ document_annotation_format: SCHEMA }).annotated).toBe(true);
    expect(ocrPageBound({ bbox_annotation_format: SCHEMA, pages: [1] })).toEqual({ max: 1, annotated: true });
    expect(ocrPageBound({ document_annotation_format: null }).annotated).toBe(false);
  });

  // An image_url document (@mistralai/mistralai 2.7.0 ImageURLChunk, sent as {type: 'image_url',
  // image_url: url | {url}}) is one image: one page, whatever `pages` says. Was 1,000 without
  // `pages` (held $2 on mistral-ocr-2512 for a $0.002 image) and 3 with three listed.
  it('is one page for an image_url document, with or without pages', () => {
    expect(ocrPageBound({ document: { type: 'image_url', image_url: 'data:image/png;base64,iVBORw0' } })).toEqual({ max: 1, annotated: false });
    expect(ocrPageBound({ document: { type: 'image_url', image_url: { url: 'https://example.com/scan.jpg' } }, pages: [0, 1, 2], document_annotation_format: SCHEMA })).toEqual({ max: 1, annotated: true });
    // The SDK's input type leaves `type` optional: a chunk with only `image_url` is an image too.
    expect(ocrPageBound({ document: { image_url: 'https://example.com/scan.jpg' } }).max).toBe(1);
    // A document_url or a file chunk (only a file_id: nothing says it is an image) keeps the document bound.
    expect(ocrPageBound({ document: { type: 'document_url', document_url: 'https://example.com/report.pdf' } }).max).toBe(1000);
    expect(ocrPageBound({ document: { type: 'file', file_id: 'f-1' } }).max).toBe(1000);
    const info = adapter.describe('POST', '/v1/ocr', { model: 'mistral-ocr-2512', document: { type: 'image_url', image_url: 'https://example.com/scan.jpg' } });
    expect(info.documentPages).toEqual({ max: 1, annotated: false });
  });

  it('describe() sets it on an OCR request only, with no output limit', () => {
    const info = adapter.describe('POST', '/v1/ocr', { model: 'mistral-ocr-2512', pages: [0, 1], max_tokens: 50 });
    expect(info).toMatchObject({ endpoint: 'ocr', kind: 'ocr', metered: true, model: 'mistral-ocr-2512', maxOutputTokens: null, documentPages: { max: 2, annotated: false } });
    expect(adapter.describe('POST', '/v1/chat/completions', { model: 'mistral-small-latest' }).documentPages).toBeUndefined();
  });
});

describe('Mistral OCR: the usage of an answer', () => {
  const answer = { pages: [], model: 'mistral-ocr-2512', document_annotation: null, usage_info: { pages_processed: 12, doc_size_bytes: 734_003 } };

  it('is the pages processed, no tokens; every page annotated when the request asked for annotations', () => {
    const plain = adapter.describe('POST', '/v1/ocr', { model: 'mistral-ocr-2512' });
    expect(adapter.usageFromJson(plain, answer)).toEqual({
      usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, reasoningTokens: 0, documentPages: 12 },
      model: 'mistral-ocr-2512',
    });
    const annotated = adapter.describe('POST', '/v1/ocr', { model: 'mistral-ocr-2512', document_annotation_format: SCHEMA });
    expect(adapter.usageFromJson(annotated, answer).usage).toMatchObject({ documentPages: 12, annotatedPages: 12 });
  });

  it('is none when the answer reports no page count (the call is then estimated from the bound)', () => {
    const info = adapter.describe('POST', '/v1/ocr', { model: 'mistral-ocr-2512' });
    expect(adapter.usageFromJson(info, { model: 'mistral-ocr-2512', usage_info: {} })).toEqual({ usage: null, model: 'mistral-ocr-2512' });
  });
  // The proxy reads an OCR answer's model and usage_info and only counts its pages
  // (OCR_USAGE_KEYS): what it observes must be what a whole parse gives.
  it('is the same read from the bytes of the answer as from the whole parse, with and without usage_info', () => {
    const page = (index: number) => ({ index, markdown: `# Page ${index}\n| a | b |\n"]}`, images: [{ id: `img-${index}.jpeg`, image_base64: 'data:image/jpeg;base64,' + '/9j/'.repeat(20_000) }], dimensions: { dpi: 200, height: 2200, width: 1700 } });
    const pages = [0, 1, 2, 3, 4].map(page);
    const answers = [
      { pages, model: 'mistral-ocr-2512', document_annotation: '{"title":"x"}', usage_info: { pages_processed: 5, doc_size_bytes: 734_003 } },
      { pages, model: 'mistral-ocr-2512', usage_info: {} },
      { pages: [], model: 'mistral-ocr-2512' },
    ];
    for (const body of [{ model: 'mistral-ocr-2512' }, { model: 'mistral-ocr-2512', document_annotation_format: SCHEMA }]) {
      const info = adapter.describe('POST', '/v1/ocr', body);
      for (const answer of answers) {
        const bytes = new TextEncoder().encode(JSON.stringify(answer));
        // Read by the pick, not by its fallback to a whole parse.
        expect(pickJsonKeys(bytes, OCR_USAGE_KEYS.keys, OCR_USAGE_KEYS.counted)?.pages).toHaveLength(answer.pages.length);
        const seen = newObservation();
        observeJson(bytes, seen, adapter, info);
        expect(seen.observed).toEqual(adapter.usageFromJson(info, JSON.parse(JSON.stringify(answer))));
      }
    }
    const seen = newObservation();
    observeJson(new TextEncoder().encode(JSON.stringify(answers[1])), seen, adapter, adapter.describe('POST', '/v1/ocr', { model: 'mistral-ocr-2512' }));
    expect(seen.observed).toMatchObject({ usage: { documentPages: 5 }, estimated: true });
  });
});
