import { describe, expect, it } from 'vitest';
import type { GateRequest } from '../../src/budget/gate.js';
import { gateRequest, keyGate } from './helpers.js';

/*
 * What the budget gate holds for a Mistral OCR request (POST /v1/ocr) before the answer says
 * how many pages it had: its page bound (RequestInfo.documentPages) at the model's page price.
 * genai-prices 0.1.8 per 1,000 pages: mistral-ocr-2503 $1 (no annotated price), mistral-ocr-2512
 * $2 (annotated $3), mistral-ocr-4-1 $4 (annotated $5). A page-priced model has no token price,
 * so its tokens hold nothing. 1 pico-USD = 1e-3 nano-USD.
 */

/** An OCR request on `model` of at most `max` pages, annotated or not, as the gate sees it. */
function ocr(model: string | null, max: number, annotated: boolean): GateRequest {
  return gateRequest({ provider: 'mistral', model, metered: true, promptBytes: 200, maxOutputTokens: null, documentPages: { max, annotated } });
}

describe('the reservation of an OCR request', () => {
  const gate = keyGate(100, Date.parse('2026-11-20T12:00:00Z'));

  // An annotated page is billed at the annotated price instead of the page price (pricing/compute.ts),
  // so it is held at the dearer of the two. Was 12 × (2e9 + 3e9) pico = 60,000,000 nano-USD.
  it('holds an annotated page at the dearer of the page and annotated prices: 12 × 3e9 pico = 36,000,000 nano-USD on mistral-ocr-2512', () => {
    expect(gate.estimate(ocr('mistral-ocr-2512', 12, true))).toBe(36_000_000);
    expect(gate.estimate(ocr('mistral-ocr-2512', 12, false))).toBe(24_000_000);
  });

  // No annotated price: an annotated page falls back to the page price, as the pricer bills it.
  it('holds an annotated page of a model without an annotated price at its page price: 12 × 1e9 pico = 12,000,000 on mistral-ocr-2503', () => {
    expect(gate.estimate(ocr('mistral-ocr-2503', 12, true))).toBe(12_000_000);
  });

  // OCRRequest.model is `string | null` (@mistralai/mistralai 2.7.0): with none, or a name the catalog
  // does not know, the page price is unknown and is held at the dearest page price in the pinned
  // catalog, $5 per 1,000 annotated pages (mistral-ocr-4-0, mistral-ocr-4-1, mistral-ocr-latest from
  // 2026-06-23) = 5e9 pico a page, as unknown token prices are held at the token fallbacks. Hand-computed:
  //   pages   1,000 × 5e9 pico                      = 5,000,000,000,000 pico
  //   prompt  200 bytes / 4 = 50 tokens × 15e6 pico  =       750,000,000 pico (FALLBACK_INPUT)
  //   output  1,024 default tokens × 75e6 pico       =    76,800,000,000 pico (FALLBACK_OUTPUT)
  //   total 5,077,550,000,000 pico = 5,077,550,000 nano-USD. Was 77,550,000: the pages held at $0.
  it('holds the pages of a request naming no model, or one the catalog does not know, at the dearest page price: 1,000 pages = 5,077,550,000 nano-USD', () => {
    expect(gate.estimate(ocr(null, 1000, false))).toBe(5_077_550_000);
    expect(gate.estimate(ocr('mistral-ocr-9', 1000, true))).toBe(5_077_550_000);
  });
});
