import { describe, expect, it } from 'vitest';
import type { GateRequest } from '../../src/budget/gate.js';
import { createAnthropicAdapter } from '../../src/providers/anthropic.js';
import { admittedInFlight, gateRequest, keyGate } from './helpers.js';

/**
 * The budget reservation prices in what the request asks for that raises the price:
 * Anthropic fast mode (`speed: "fast"`) and US-only inference (`inference_geo: "us"`)
 * (pricing/modifiers.ts). Reserved at the standard price, a fast-mode call holds a sixth of
 * what it may cost, and calls in flight together overshoot the budget.
 */

const AT = Date.parse('2026-11-20T12:00:00Z');
const adapter = createAnthropicAdapter();

/** The gate's request for a Messages request `extra` on claude-opus-4-6 (max_tokens 1,000; a 4,000-byte body: 1,000 prompt tokens), as the proxy builds it from the adapter's RequestInfo. */
function messagesRequest(extra: Record<string, unknown>): GateRequest {
  const info = adapter.describe('POST', '/v1/messages', { model: 'claude-opus-4-6', max_tokens: 1000, messages: [], ...extra });
  return { ...gateRequest({ provider: 'anthropic', promptBytes: 4000, at: AT }), ...info };
}

const make = (limitUsd: number) => keyGate(limitUsd, AT);


describe('reservations of calls that ask for a price modifier', () => {
  // claude-opus-4-6's dearest rates: input side $10 per 1M (1-hour cache writes), output $25:
  //   1,000 prompt tokens × 10,000,000 pico + 1,000 output × 25,000,000 pico = 35,000,000 nano-USD.
  it('a standard request holds 35,000,000 nano-USD', () => {
    expect(make(1).estimate(messagesRequest({}))).toBe(35_000_000);
    expect(make(1).estimate(messagesRequest({ speed: 'standard', inference_geo: 'global' }))).toBe(35_000_000);
  });

  // Fast mode, 6×: 210,000,000 (was 35,000,000, a sixth).
  it('a fast-mode request holds 6 × that', () => {
    expect(make(1).estimate(messagesRequest({ speed: 'fast' }))).toBe(210_000_000);
  });

  // US-only 1.1×: 38,500,000; both: 35,000,000 × 6.6 = 231,000,000.
  it('a US-only request holds 1.1 ×, and both 6.6 ×', () => {
    expect(make(1).estimate(messagesRequest({ inference_geo: 'us' }))).toBe(38_500_000);
    expect(make(1).estimate(messagesRequest({ speed: 'fast', inference_geo: 'us' }))).toBe(231_000_000);
  });

  // A $0.50 budget (500,000,000 nano): at 35,000,000 a hold, 14 fast calls run at once, each
  // able to cost 210,000,000 (2,940,000,000 together, 5.9 × the cap). At 210,000,000 a hold: 2.
  it('a budget admits only as many fast-mode calls in flight as it can pay for', () => {
    expect(admittedInFlight(make(0.5), messagesRequest({ speed: 'fast' }))).toBe(2);
  });
});
