import { describe, expect, it } from 'vitest';
import type { GateRequest } from '../../src/budget/gate.js';
import { createOpenAiAdapter } from '../../src/providers/openai.js';
import { budgetRequestOf } from '../../src/proxy/budget-request.js';
import { admittedInFlight, keyGate } from './helpers.js';

/**
 * The budget reservation of an OpenAI request that asks for priority processing in its body
 * (`service_tier: "priority"`, or its alias `"fast"`): a call served on priority is billed at
 * the model's priority prices (pricing/service-tiers.ts; openai.com/api-priority-processing),
 * so it is reserved at them. Priority is flat and requests over 128K prompt tokens are
 * served on standard ("excludes long context"), so each side is reserved at the dearer of
 * the priority price and the dearest standard one. `auto`, `default` and `flex` (half price)
 * are reserved at the standard prices.
 */

const AT = Date.parse('2026-11-20T12:00:00Z');
const adapter = createOpenAiAdapter();

/** The gate's request for `model` with `extra`, from a 40,000-byte body (10,000 prompt tokens), max 2,000 output tokens. */
function request(path: '/v1/chat/completions' | '/v1/responses', extra: Record<string, unknown>, model = 'gpt-5.5'): GateRequest {
  const limit = path === '/v1/responses' ? { max_output_tokens: 2000 } : { max_completion_tokens: 2000 };
  const info = adapter.describe('POST', path, { model, ...limit, ...extra });
  return budgetRequestOf('k', {}, 'openai', info, 40_000, undefined, AT);
}
const chat = (extra: Record<string, unknown>, model?: string) => request('/v1/chat/completions', extra, model);

const make = (limitUsd: number) => keyGate(limitUsd, AT);


// gpt-5.5, dearest standard rates (its >272K tier) $10 / $45 per 1M:
//   10,000 × 10,000,000 pico + 2,000 × 45,000,000 pico = 190,000,000 nano-USD.
// Priority $12.50 / $75 per 1M: 10,000 × 12,500,000 + 2,000 × 75,000,000 = 275,000,000.
describe('reservations of OpenAI requests that ask for a service tier', () => {
  it('no tier, auto, default or flex: the standard estimate, 190,000,000 nano-USD', () => {
    const gate = make(1);
    expect(gate.estimate(chat({}))).toBe(190_000_000);
    for (const tier of ['auto', 'default', 'flex']) expect(gate.estimate(chat({ service_tier: tier }))).toBe(190_000_000);
  });

  it('priority (chat completions and responses) and its alias fast: at the priority prices, 275,000,000 (was 190,000,000)', () => {
    const gate = make(1);
    expect(gate.estimate(chat({ service_tier: 'priority' }))).toBe(275_000_000);
    expect(gate.estimate(chat({ service_tier: 'fast' }))).toBe(275_000_000);
    expect(gate.estimate(request('/v1/responses', { service_tier: 'priority' }))).toBe(275_000_000);
  });

  it('gpt-5.4 on priority: each side at the dearer of priority ($5 / $30) and the dearest standard ($5 / $22.50): 10,000 × 5,000,000 + 2,000 × 30,000,000 = 110,000,000', () => {
    expect(make(1).estimate(chat({ service_tier: 'priority' }, 'gpt-5.4'))).toBe(110_000_000);
  });

  it('a model without a priority price (gpt-5-nano) stays at its standard estimate, as its cost does: 10,000 × 50,000 + 2,000 × 400,000 = 1,300,000', () => {
    expect(make(1).estimate(chat({ service_tier: 'priority' }, 'gpt-5-nano'))).toBe(1_300_000);
  });

  // $1 (1,000,000,000 nano): held at 190,000,000, 5 priority calls run at once and can cost
  // 5 × 275,000,000 = 1,375,000,000. Held at 275,000,000: 3 (825,000,000).
  it('a $1 budget admits as many priority calls in flight as it can pay for: 3, not 5', () => {
    expect(admittedInFlight(make(1), chat({ service_tier: 'priority' }))).toBe(3);
  });
});
