import { Mistral } from '@mistralai/mistralai';
import { describe, expect, it } from 'vitest';
import type { ReceivedRequest, Reply } from '../support/fake-upstream.js';
import { sdkHarness } from './sdk-harness.js';

/**
 * Mistral OCR as @mistralai/mistralai 2.7.0 posts it (funcs/ocrProcess.js): JSON to /v1/ocr,
 * `model`, `document` (a document_url, image_url or file chunk), optionally `pages` and the
 * annotation formats. The answer (models/components/ocrresponse.d.ts OCRResponse) has `pages`,
 * `model`, `document_annotation` and `usage_info` {pages_processed, doc_size_bytes}
 * (ocrusageinfo.d.ts): no tokens, the pages processed are what Mistral bills.
 */

/** One page of an answer, as OCRPageObject requires it. */
const page = (index: number) => ({ index, markdown: `# Page ${index + 1}`, images: [], dimensions: { dpi: 200, height: 2200, width: 1700 } });

function reply(req: ReceivedRequest): Reply | undefined {
  if (req.url !== '/v1/ocr' || req.method !== 'POST') return undefined;
  const body = req.json as { model: string; pages?: number[]; document_annotation_format?: unknown };
  // A 12-page document unless the request picks pages.
  const pages = body.pages ?? Array.from({ length: 12 }, (_, i) => i);
  return {
    body: JSON.stringify({
      pages: pages.map(page),
      model: body.model,
      document_annotation: body.document_annotation_format === undefined ? null : '{"title":"Annual report"}',
      usage_info: { pages_processed: pages.length, doc_size_bytes: 734_003 },
    }),
  };
}

const DOCUMENT = { type: 'document_url', documentUrl: 'https://example.com/report.pdf' } as const;
const ANNOTATION = { type: 'json_schema', jsonSchema: { name: 'report', schemaDefinition: { type: 'object', properties: { title: { type: 'string' } } } } } as const;

// Pinned catalog (genai-prices 0.1.8), mistral-ocr-2512: input_document_kpages 2 ($2 per 1,000
// pages = 2,000,000 nano-USD a page), input_annotated_document_kpages 3 (3,000,000 a page).
// Before: endpoint `other`, not metered, $0.
describe('Mistral SDK OCR through tokometer', () => {
  const h = sdkHarness({ upstream: { reply }, provider: 'mistral' }, (started) => new Mistral({ apiKey: started.secret, serverURL: started.baseUrl('mistral'), retryConfig: { strategy: 'none' } }));

  it('meters 12 pages of mistral-ocr-2512 at $2 per 1,000 pages: 24,000,000 nano-USD, the pages stored', async () => {
    const res = await h.client.ocr.process({ model: 'mistral-ocr-2512', document: DOCUMENT });
    expect(res.usageInfo.pagesProcessed).toBe(12);
    expect(res.pages).toHaveLength(12);
    expect(h.lastRow()).toMatchObject({
      provider: 'mistral',
      endpoint: 'ocr',
      model_requested: 'mistral-ocr-2512',
      model: 'mistral-ocr-2512',
      streamed: 0,
      input_tokens: 0,
      output_tokens: 0,
      document_pages: 12,
      annotated_pages: null,
      usage_source: 'reported',
      cost_nano: 24_000_000,
    });
  });

  // An annotated page is billed at the annotated price instead of the page price (genai-prices:
  // annotated pages are a subset of the pages, docs/prices.md): 12 × 3,000,000 = 36,000,000
  // nano-USD (was 12 × 2,000,000 + 12 × 3,000,000 = 60,000,000, the annotated price on top).
  it('bills a document annotation request each page at $3 per 1,000 instead of $2: 36,000,000 nano-USD', async () => {
    await h.client.ocr.process({ model: 'mistral-ocr-2512', document: DOCUMENT, documentAnnotationFormat: ANNOTATION });
    expect(h.lastRow()).toMatchObject({ endpoint: 'ocr', model: 'mistral-ocr-2512', document_pages: 12, annotated_pages: 12, usage_source: 'reported', cost_nano: 36_000_000 });
  });

  // 3 pages picked by `pages`: 3 × 2,000,000 = 6,000,000 nano-USD.
  it('meters the pages a `pages` list picks: 3 pages = 6,000,000 nano-USD', async () => {
    const res = await h.client.ocr.process({ model: 'mistral-ocr-2512', document: DOCUMENT, pages: [0, 4, 7] });
    expect(res.usageInfo.pagesProcessed).toBe(3);
    expect(h.lastRow()).toMatchObject({ endpoint: 'ocr', model: 'mistral-ocr-2512', document_pages: 3, cost_nano: 6_000_000 });
  });

  // mistral-ocr-2503: input_document_kpages 1, no annotated price: 12 × 1,000,000 = 12,000,000.
  it('prices mistral-ocr-2503 at $1 per 1,000 pages: 12,000,000 nano-USD', async () => {
    await h.client.ocr.process({ model: 'mistral-ocr-2503', document: DOCUMENT });
    expect(h.lastRow()).toMatchObject({ endpoint: 'ocr', model: 'mistral-ocr-2503', document_pages: 12, cost_nano: 12_000_000 });
  });

  it('leaves a name the catalog does not know (mistral-ocr-9) unpriced, never $0, its pages stored', async () => {
    await h.client.ocr.process({ model: 'mistral-ocr-9', document: DOCUMENT });
    expect(h.lastRow()).toMatchObject({ endpoint: 'ocr', model: 'mistral-ocr-9', usage_source: 'reported', document_pages: 12, cost_nano: null });
  });
});
