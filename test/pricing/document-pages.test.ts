import { describe, expect, it } from 'vitest';
import { createPricer } from '../../src/pricing/pricer.js';
import type { PriceResult } from '../../src/pricing/types.js';
import type { Usage } from '../../src/providers/types.js';
import { NOW, usage } from './support.js';

/*
 * Models the catalog prices per 1,000 pages of a document (genai-prices 0.1.8, Mistral OCR):
 * `input_document_kpages` (every page processed) and `input_annotated_document_kpages` (the
 * annotated ones among them, each billed at that price instead of the page price: in
 * genai-prices' unit registry annotated pages are a subset of document pages, and each
 * unit is priced on its own share, the way cache reads sit under input). Mistral's answer reports
 * `usage_info.pages_processed` (@mistralai/mistralai 2.7.0 OCRUsageInfo), read as
 * Usage.documentPages. Hand-computed: cost = (pages − annotated) × USD per 1,000 pages × 1e6
 * + annotated × USD per 1,000 annotated pages × 1e6 nano-USD.
 *   mistral-ocr-2503  $1, no annotated price      mistral-ocr-2512  $2, annotated $3
 *   mistral-ocr-4-1 (also `mistral-ocr-4`) $4, annotated $5
 *   mistral-ocr-latest $1 until 2025-05-22, then $1/$3, from 2025-12-18 $2/$3, from 2026-06-23 $4/$5
 */

const pricer = createPricer();
const at = NOW;

/** A usage of `documentPages` pages (`annotatedPages` of them annotated) and no tokens. */
function pages(documentPages: number, annotatedPages?: number): Usage {
  return usage(annotatedPages === undefined ? { documentPages } : { documentPages, annotatedPages });
}

function cost(r: PriceResult): number {
  if (!r.priced) throw new Error(`expected a price, got: ${r.reason}`);
  return r.costNano;
}

describe('price(): usage billed per page of a document', () => {
  it('mistral-ocr-2512: 12 pages × $2 / 1,000 = $0.024 = 24,000,000 nano-USD', () => {
    const r = pricer.price(pages(12), { provider: 'mistral', model: 'mistral-ocr-2512', at });
    expect(r).toMatchObject({ priced: true, costNano: 24_000_000, modelId: 'mistral-ocr-2512', providerId: 'mistral' });
    expect(r.priced && r.breakdown).toMatchObject({ documentPage: 24_000_000, annotatedPage: 0, uncachedInput: 0, output: 0 });
  });

  // Was 60,000,000: the annotated price was added on top of the page price. genai-prices'
  // own calculator bills 1,000 annotated pages of mistral-ocr-latest (2026: $4 / $5) $5, not $9.
  it('mistral-ocr-2512 annotated: 12 × $3 per 1,000 = 36,000,000 nano-USD, instead of the page price, not on top', () => {
    const r = pricer.price(pages(12, 12), { provider: 'mistral', model: 'mistral-ocr-2512', at });
    expect(r).toMatchObject({ priced: true, costNano: 36_000_000 });
    expect(r.priced && r.breakdown).toMatchObject({ documentPage: 0, annotatedPage: 36_000_000 });
  });

  it('mistral-ocr-2512, 5 of 12 pages annotated: 7 × $2 + 5 × $3 per 1,000 = 14,000,000 + 15,000,000 = 29,000,000 nano-USD', () => {
    const r = pricer.price(pages(12, 5), { provider: 'mistral', model: 'mistral-ocr-2512', at });
    expect(r).toMatchObject({ priced: true, costNano: 29_000_000 });
    expect(r.priced && r.breakdown).toMatchObject({ documentPage: 14_000_000, annotatedPage: 15_000_000 });
  });

  it('mistral-ocr-2503 $1 and mistral-ocr-4 (OCR 4.1) $4 per 1,000 pages: 7 pages = 7,000,000 and 28,000,000', () => {
    expect(cost(pricer.price(pages(7), { provider: 'mistral', model: 'mistral-ocr-2503', at }))).toBe(7_000_000);
    expect(cost(pricer.price(pages(7), { provider: 'mistral', model: 'mistral-ocr-4', at }))).toBe(28_000_000);
  });

  it('mistral-ocr-latest takes the price of the call\'s date: 10 pages = 10,000,000 in June 2025, 40,000,000 now', () => {
    expect(cost(pricer.price(pages(10), { provider: 'mistral', model: 'mistral-ocr-latest', at: Date.parse('2025-06-01T00:00:00Z') }))).toBe(10_000_000);
    expect(cost(pricer.price(pages(10), { provider: 'mistral', model: 'mistral-ocr-latest', at }))).toBe(40_000_000);
  });

  it('a page-priced model whose usage reports no pages is unpriced, not $0', () => {
    const r = pricer.price(usage({ inputTokens: 100 }), { provider: 'mistral', model: 'mistral-ocr-2512', at });
    expect(r).toEqual({ priced: false, reason: "'mistral-ocr-2512' is priced per page, and the call's usage reports no pages" });
  });

  it('pages alone for a model without a page price are unpriced, not $0', () => {
    const r = pricer.price(pages(12), { provider: 'mistral', model: 'mistral-large-latest', at });
    expect(r.priced).toBe(false);
    expect(!r.priced && r.reason).toMatch(/^billed per page \(12 pages\), and '.*' has no price per page$/);
  });

  // The catalog's fallback: a unit without its own price is priced at its nearest priced ancestor's
  // (genai-prices compute_leaf_values), the way cache reads fall back to the input price. Was unpriced.
  it('annotated pages for a model without an annotated page price (mistral-ocr-2503) are priced at its page price: 12 × $1 / 1,000 = 12,000,000', () => {
    const r = pricer.price(pages(12, 12), { provider: 'mistral', model: 'mistral-ocr-2503', at });
    expect(r).toMatchObject({ priced: true, costNano: 12_000_000 });
    expect(r.priced && r.breakdown).toMatchObject({ documentPage: 0, annotatedPage: 12_000_000 });
  });

  it('more annotated pages than pages is invalid usage', () => {
    expect(pricer.price(pages(2, 3), { provider: 'mistral', model: 'mistral-ocr-2512', at })).toEqual({ priced: false, reason: 'inconsistent usage: annotated pages (3) exceed document pages (2)' });
  });

  it('describe(): the page prices are metered prices, no longer listed as unmetered', () => {
    const d = pricer.describe('mistral-ocr-2512', 'mistral', at);
    expect(d).toMatchObject({ modelId: 'mistral-ocr-2512', unmetered: [], rates: { documentPage: 2, annotatedPage: 3, input: null } });
  });
});
