import { describe, expect, it } from 'vitest';
import type { GateRequest } from '../../src/budget/gate.js';
import { createAnthropicAdapter } from '../../src/providers/anthropic.js';
import { budgetRequestOf } from '../../src/proxy/budget-request.js';
import { admittedInFlight, keyGate } from './helpers.js';

/**
 * The budget reservation of a Messages request with Anthropic's advisor tool (beta
 * `advisor_20260301`; SDK BetaAdvisorTool20260301: `model`, `max_uses` "Maximum number of
 * times the tool can be used in the API request", `max_tokens` "Bounds the advisor's total
 * output (thinking + text) per call"). Each consultation reads the executor's transcript
 * (platform.claude.com/docs/en/agents-and-tools/tool-use/advisor-tool) and is billed at the
 * advisor model's rates, so it is reserved as one more call of the advisor model on the
 * executor's prompt: reserved at the executor's estimate alone, parallel calls overshoot the
 * cap by every advisor part (SPEC §5).
 */

const AT = Date.parse('2026-11-20T12:00:00Z');
const adapter = createAnthropicAdapter();

/** An advisor tool entry on claude-opus-4-6 with `extra` (max_uses, max_tokens…). */
const advisorTool = (extra: Record<string, unknown> = {}) => ({ type: 'advisor_20260301', name: 'advisor', model: 'claude-opus-4-6', ...extra });

/**
 * The gate's request, as the proxy builds it (budgetRequestOf), for a Messages request on
 * `model` (max_tokens 2,000) with `tools`, from a 40,000-byte body: 10,000 prompt tokens.
 */
function messagesRequest(tools: unknown[], model = 'claude-sonnet-4-6', extra: Record<string, unknown> = {}): GateRequest {
  const info = adapter.describe('POST', '/v1/messages', { model, max_tokens: 2000, messages: [], tools, ...extra });
  return budgetRequestOf('k', {}, 'anthropic', info, 40_000, undefined, AT);
}

const make = (limitUsd: number) => keyGate(limitUsd, AT);


// Executor claude-sonnet-4-6, dearest rates $6 (1-hour cache writes) / $15 per 1M:
//   10,000 × 6,000,000 pico + 2,000 × 15,000,000 pico = 90,000,000 nano-USD.
// One consultation of claude-opus-4-6 ($10 / $25 per 1M) on the same 10,000 prompt tokens, up to 1,500 output:
//   10,000 × 10,000,000 pico + 1,500 × 25,000,000 pico = 137,500,000 nano-USD.
describe('reservations of requests with the advisor tool', () => {
  it('a request without the tool holds the executor alone: 90,000,000 nano-USD', () => {
    expect(make(1).estimate(messagesRequest([]))).toBe(90_000_000);
  });

  it('max_uses 2 and max_tokens 1,500: the executor plus 2 consultations, 90,000,000 + 2 × 137,500,000 = 365,000,000 (was 90,000,000)', () => {
    expect(make(1).estimate(messagesRequest([advisorTool({ max_uses: 2, max_tokens: 1500 })]))).toBe(365_000_000);
  });

  it('without max_uses: one consultation, 90,000,000 + 137,500,000 = 227,500,000', () => {
    expect(make(1).estimate(messagesRequest([advisorTool({ max_tokens: 1500 })]))).toBe(227_500_000);
  });

  it('without the tool\'s max_tokens: the advisor\'s output as for a call without a maximum (no history: 1,024 tokens), 10,000 × 10,000,000 + 1,024 × 25,000,000 = 125,600,000 a consultation', () => {
    expect(make(1).estimate(messagesRequest([advisorTool({ max_uses: 2 })]))).toBe(90_000_000 + 2 * 125_600_000);
  });

  it('an advisor model without a price is held at the fallback rates ($15 / $75 per 1M): 10,000 × 15,000,000 + 1,500 × 75,000,000 = 262,500,000', () => {
    expect(make(1).estimate(messagesRequest([advisorTool({ model: 'claude-opus-99', max_uses: 1, max_tokens: 1500 })]))).toBe(90_000_000 + 262_500_000);
  });

  it('US-only inference multiplies the advisor too (1.1×); fast mode the executor alone, as the pricer does', () => {
    // (90,000,000 + 137,500,000) × 1.1 = 250,250,000.
    expect(make(1).estimate(messagesRequest([advisorTool({ max_uses: 1, max_tokens: 1500 })], 'claude-sonnet-4-6', { inference_geo: 'us' }))).toBe(250_250_000);
    // claude-opus-4-6 executor in fast mode: (10,000 × 10,000,000 + 2,000 × 25,000,000) × 6 = 900,000,000, plus 137,500,000.
    expect(make(1).estimate(messagesRequest([advisorTool({ max_uses: 1, max_tokens: 1500 })], 'claude-opus-4-6', { speed: 'fast' }))).toBe(1_037_500_000);
  });

  // A $0.50 budget (500,000,000 nano): held at 90,000,000, 5 calls run at once, each able to
  // cost 227,500,000 (1,137,500,000 together, 2.3 × the cap). Held at 227,500,000: 2.
  it('a budget admits only as many advisor calls in flight as it can pay for', () => {
    expect(admittedInFlight(make(0.5), messagesRequest([advisorTool({ max_uses: 1, max_tokens: 1500 })]))).toBe(2);
  });
});
