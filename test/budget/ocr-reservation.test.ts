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
});
