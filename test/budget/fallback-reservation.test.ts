import { describe, expect, it } from 'vitest';
import { EstimatePrices } from '../../src/budget/estimate-prices.js';
import { LedgerGate, type GateRequest } from '../../src/budget/gate.js';
import { BudgetLedger } from '../../src/budget/ledger.js';
import { createPricer } from '../../src/pricing/pricer.js';
import { createAnthropicAdapter } from '../../src/providers/anthropic.js';
import { budgetRequestOf } from '../../src/proxy/budget-request.js';
import { keyBudget } from './helpers.js';

/**
 * The budget reservation of a Messages request with server-side `fallbacks` whose entries
 * set their own `max_tokens` or `speed`. SDK BetaFallbackParam: `max_tokens` is "The
 * `max_tokens` for the fallback attempt that uses this `fallbacks` entry's `model`, in place
 * of the request's `max_tokens`. If you leave it out or set it to `null`, the attempt uses
 * the request's"; `speed`: "If you leave it out, the attempt runs at `fast` speed only when
 * the request sets `speed` to `fast` … Otherwise, or when you set this field to `null`, the
 * attempt runs at `standard` speed". Each hop is reserved as the attempt it is.
 */

const AT = Date.parse('2026-11-20T12:00:00Z');
const pricer = createPricer();
const adapter = createAnthropicAdapter();

/** The gate's request, as the proxy builds it, for claude-fable-5 (max_tokens 1,024) from a 4,000-byte body: 1,000 prompt tokens. */
function messagesRequest(extra: Record<string, unknown>): GateRequest {
  const info = adapter.describe('POST', '/v1/messages', { model: 'claude-fable-5', max_tokens: 1024, messages: [], ...extra });
  return budgetRequestOf('k', {}, 'anthropic', info, 4_000, undefined, AT);
}

const gate = () => new LedgerGate(new BudgetLedger({ clock: () => AT, timeZone: 'UTC', keyBudgets: new Map([['k', keyBudget(1)]]) }), new EstimatePrices(pricer), { admissionWaitMs: 0 });

// Dearest rates per 1M (1-hour cache writes on the input side), pico-USD per token:
//   claude-fable-5  $20 / $50: 1,000 × 20,000,000 + 1,024 × 50,000,000 = 71,200,000 nano-USD.
//   claude-opus-4-8 and claude-opus-4-6  $10 / $25.
describe('reservations of requests whose fallbacks set their own max_tokens or speed', () => {
  it('the requested model alone: 71,200,000 nano-USD', () => {
    expect(gate().estimate(messagesRequest({}))).toBe(71_200_000);
  });

  it("an entry's max_tokens 64,000 replaces the request's 1,024: 1,000 × 10,000,000 + 64,000 × 25,000,000 = 1,610,000,000 (was 71,200,000)", () => {
    expect(gate().estimate(messagesRequest({ fallbacks: [{ model: 'claude-opus-4-8', max_tokens: 64_000 }] }))).toBe(1_610_000_000);
  });

  it("an entry's max_tokens null or left out: the request's 1,024, opus-4-8 at 35,600,000, below fable-5's 71,200,000", () => {
    expect(gate().estimate(messagesRequest({ fallbacks: [{ model: 'claude-opus-4-8', max_tokens: null }] }))).toBe(71_200_000);
    expect(gate().estimate(messagesRequest({ fallbacks: [{ model: 'claude-opus-4-8' }] }))).toBe(71_200_000);
  });

  it("an entry's speed fast: claude-opus-4-6 in fast mode, 6 × (10,000,000 + 25,600,000) = 213,600,000 (was 71,200,000)", () => {
    expect(gate().estimate(messagesRequest({ fallbacks: [{ model: 'claude-opus-4-6', speed: 'fast' }] }))).toBe(213_600_000);
  });

  it("an entry without speed runs at the request's: fast (213,600,000); an entry's speed null or standard runs standard under a fast request (35,600,000, so fable-5's 71,200,000 holds)", () => {
    // claude-fable-5 has no fast-mode price (pricing/modifiers.ts): its own estimate stays 71,200,000.
    expect(gate().estimate(messagesRequest({ speed: 'fast', fallbacks: [{ model: 'claude-opus-4-6' }] }))).toBe(213_600_000);
    expect(gate().estimate(messagesRequest({ speed: 'fast', fallbacks: [{ model: 'claude-opus-4-6', speed: null }] }))).toBe(71_200_000);
    expect(gate().estimate(messagesRequest({ speed: 'fast', fallbacks: [{ model: 'claude-opus-4-6', speed: 'standard' }] }))).toBe(71_200_000);
  });

  it("both on one entry, after a cheaper one: 6 × (1,000 × 10,000,000 + 8,000 × 25,000,000) = 1,260,000,000", () => {
    expect(gate().estimate(messagesRequest({ fallbacks: [{ model: 'claude-opus-4-8' }, { model: 'claude-opus-4-6', max_tokens: 8_000, speed: 'fast' }] }))).toBe(1_260_000_000);
  });

  it('fallbacks "default" keeps the fallback prices at the request\'s max_tokens: 1,000 × 15,000,000 + 1,024 × 75,000,000 = 91,800,000', () => {
    expect(gate().estimate(messagesRequest({ fallbacks: 'default' }))).toBe(91_800_000);
  });
});
