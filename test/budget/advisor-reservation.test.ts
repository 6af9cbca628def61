import { describe, expect, it } from 'vitest';
import type { GateRequest } from '../../src/budget/gate.js';
import { createAnthropicAdapter } from '../../src/providers/anthropic.js';
import { budgetRequestOf } from '../../src/proxy/budget-request.js';
import { admittedInFlight, keyGate } from './helpers.js';

/**
 * The budget reservation of a Messages request with Anthropic's advisor tool (beta
 * `advisor_20260301`; SDK BetaAdvisorTool20260301: `model`, `max_uses` "Maximum number of
 * times the tool can be used in the API request", `max_tokens` "Bounds the advisor's total
 * output (thinking + text) per call"). Each consultation is billed at the advisor model's
 * rates and reads the transcript so far (platform.claude.com/docs/en/agents-and-tools/
 * tool-use/advisor-tool: "The advisor reads the full conversation"): the prompt, the
 * executor's output up to then and the earlier consultations' advice. So consultation i
 * (from 0) is held as a call of the advisor model whose input is the prompt + the
 * executor's `max_tokens` + i × the consultation output, and whose output is the tool's
 * `max_tokens`, else the 1,800 tokens the docs give as a typical consultation ("typically
 * 400 to 700 text tokens, 1,400 to 1,800 tokens total including thinking"); `max_uses`
 * unset (no default or maximum documented) holds 3 consultations. Reserved at the
 * executor's estimate alone, parallel calls overshoot the cap by every advisor part (SPEC §5).
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
// Consultations of claude-opus-4-6 ($10 / $25 per 1M) up to 1,500 output tokens each: the
// first reads the 10,000 prompt tokens and the executor's 2,000, each later one 1,500 more:
//   #1 12,000 × 10,000,000 + 1,500 × 25,000,000 = 120,000,000,000 + 37,500,000,000 pico = 157,500,000 nano-USD
//   #2 13,500 × 10,000,000 + 37,500,000,000 = 172,500,000
//   #3 15,000 × 10,000,000 + 37,500,000,000 = 187,500,000
describe('reservations of requests with the advisor tool', () => {
  it('a request without the tool holds the executor alone: 90,000,000 nano-USD', () => {
    expect(make(1).estimate(messagesRequest([]))).toBe(90_000_000);
  });

  // Executor claude-sonnet-5 ($4 1-hour cache writes / $10 per 1M), max_tokens 4,000, 10,000 prompt tokens:
  //   10,000 × 4,000,000 + 4,000 × 10,000,000 = 80,000,000,000 pico = 80,000,000 nano-USD.
  // Advisor claude-opus-4-8 ($10 / $25 per 1M), max_uses 3, max_tokens 2,000 (2,000 × 25,000,000 = 50,000,000 nano output each):
  //   #1 reads 10,000 + 4,000          = 14,000 tokens: 140,000,000 + 50,000,000 = 190,000,000
  //   #2 reads 14,000 + 2,000 (advice #1) = 16,000 tokens: 160,000,000 + 50,000,000 = 210,000,000
  //   #3 reads 16,000 + 2,000 (advice #2) = 18,000 tokens: 180,000,000 + 50,000,000 = 230,000,000
  //   80,000,000 + 630,000,000 = 710,000,000. Held before: 3 × (10,000 × 10,000,000 + 50,000,000,000 pico) = 450,000,000, so 530,000,000.
  it('each consultation also reads the executor\'s output and the earlier advice: sonnet-5 + 3 × opus-4-8 holds 710,000,000 (was 530,000,000)', () => {
    const req = messagesRequest([advisorTool({ model: 'claude-opus-4-8', max_uses: 3, max_tokens: 2000 })], 'claude-sonnet-5', { max_tokens: 4000 });
    expect(make(1).estimate(req)).toBe(710_000_000);
  });

  it('max_uses 2 and max_tokens 1,500: 90,000,000 + 157,500,000 + 172,500,000 = 420,000,000 (was 365,000,000)', () => {
    expect(make(1).estimate(messagesRequest([advisorTool({ max_uses: 2, max_tokens: 1500 })]))).toBe(420_000_000);
  });

  it('without max_uses (no documented default or maximum): 3 consultations, 90,000,000 + 157,500,000 + 172,500,000 + 187,500,000 = 607,500,000 (was 227,500,000, one)', () => {
    expect(make(1).estimate(messagesRequest([advisorTool({ max_tokens: 1500 })]))).toBe(607_500_000);
  });

  // 1,800 output tokens × 25,000,000 pico = 45,000,000 nano-USD a consultation:
  //   #1 12,000 × 10,000,000 + 45,000,000,000 pico = 165,000,000; #2 13,800 × 10,000,000 + 45,000,000,000 = 183,000,000.
  it('without the tool\'s max_tokens: 1,800 output tokens a consultation (Anthropic\'s typical 1,400 to 1,800), 90,000,000 + 165,000,000 + 183,000,000 = 438,000,000 (was 341,200,000 at 1,024)', () => {
    expect(make(1).estimate(messagesRequest([advisorTool({ max_uses: 2 })]))).toBe(438_000_000);
  });

  it('an advisor model without a price is held at the fallback rates ($15 / $75 per 1M): 12,000 × 15,000,000 + 1,500 × 75,000,000 = 292,500,000', () => {
    expect(make(1).estimate(messagesRequest([advisorTool({ model: 'claude-opus-99', max_uses: 1, max_tokens: 1500 })]))).toBe(90_000_000 + 292_500_000);
  });

  it('US-only inference multiplies the advisor too (1.1×); fast mode the executor alone, as the pricer does', () => {
    // (90,000,000 + 157,500,000) × 1.1 = 272,250,000.
    expect(make(1).estimate(messagesRequest([advisorTool({ max_uses: 1, max_tokens: 1500 })], 'claude-sonnet-4-6', { inference_geo: 'us' }))).toBe(272_250_000);
    // claude-opus-4-6 executor in fast mode: (10,000 × 10,000,000 + 2,000 × 25,000,000) × 6 = 900,000,000, plus 157,500,000.
    expect(make(1).estimate(messagesRequest([advisorTool({ max_uses: 1, max_tokens: 1500 })], 'claude-opus-4-6', { speed: 'fast' }))).toBe(1_057_500_000);
  });

  // A fallback attempt on claude-opus-4-8 ($10 / $25 per 1M) at max_tokens 8,000 may run instead:
  //   executor 10,000 × 10,000,000 + 8,000 × 25,000,000 = 300,000,000 (its dearest attempt);
  //   its transcript holds up to 8,000 output tokens, so the consultation reads 18,000:
  //   18,000 × 10,000,000 + 37,500,000,000 pico = 217,500,000 (was 137,500,000, the prompt alone).
  it('with fallbacks, the advisor reads the largest executor output of any attempt: 300,000,000 + 217,500,000 = 517,500,000', () => {
    const req = messagesRequest([advisorTool({ max_uses: 1, max_tokens: 1500 })], 'claude-sonnet-4-6', { fallbacks: [{ model: 'claude-opus-4-8', max_tokens: 8000 }] });
    expect(make(1).estimate(req)).toBe(517_500_000);
  });

  // Two advisor tools (the API names the tool `advisor`, so not one request in practice):
  // each is held reading the other's answers as well, whatever order they run in.
  //   opus-4-6 at 1,500: reads 10,000 + 2,000 + 1,000 = 13,000: 130,000,000 + 37,500,000 = 167,500,000
  //   opus-4-6 at 1,000: reads 10,000 + 2,000 + 1,500 = 13,500: 135,000,000 + 25,000,000 = 160,000,000
  it('two advisor tools each read the other\'s answers: 90,000,000 + 167,500,000 + 160,000,000 = 417,500,000', () => {
    const tools = [advisorTool({ max_uses: 1, max_tokens: 1500 }), advisorTool({ max_uses: 1, max_tokens: 1000 })];
    expect(make(1).estimate(messagesRequest(tools))).toBe(417_500_000);
  });

  // A $0.50 budget (500,000,000 nano): held at 90,000,000, 5 calls run at once, each able to
  // cost 247,500,000 (1,237,500,000 together, 2.5 × the cap). Held at 247,500,000: 2.
  it('a budget admits only as many advisor calls in flight as it can pay for', () => {
    expect(admittedInFlight(make(0.5), messagesRequest([advisorTool({ max_uses: 1, max_tokens: 1500 })]))).toBe(2);
  });

  // A $1.10 budget (1,100,000,000 nano) and the sonnet-5 + 3 × opus-4-8 request: held at
  // 530,000,000, two ran at once (1,060,000,000 fits), able to spend 1,420,000,000 together.
  // Held at 710,000,000, the second does not fit beside the first: refused budget_busy,
  // its message naming the new estimate.
  it('a $1.10 budget admits one sonnet-5 + 3 × opus-4-8 call in flight, not two, and the 429 names the $0.71 estimate', () => {
    const gate = make(1.1);
    const req = messagesRequest([advisorTool({ model: 'claude-opus-4-8', max_uses: 3, max_tokens: 2000 })], 'claude-sonnet-5', { max_tokens: 4000 });
    expect(admittedInFlight(gate, req)).toBe(1);
    const refused = gate.reserve(req);
    if (refused instanceof Promise || refused.ok || refused.aborted === true) throw new Error('expected an immediate refusal');
    expect(refused.error.kind).toBe('budget_busy');
    expect(refused.error.message).toBe(
      "Budget 'k' busy: $0.00 of $1.10 used this month, $0.71 held by 1 call in flight; this call (estimated $0.71) does not fit beside them (budget_admission_wait_ms is 0). Retry shortly.",
    );
  });
});
