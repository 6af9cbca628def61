import { afterEach, describe, expect, it } from 'vitest';
import { estimateCostNano } from '../../src/budget/estimate.js';
import { EstimatePrices } from '../../src/budget/estimate-prices.js';
import { LedgerGate, type GateRequest } from '../../src/budget/gate.js';
import { BudgetLedger } from '../../src/budget/ledger.js';
import { createPricer } from '../../src/pricing/pricer.js';
import { createAnthropicAdapter } from '../../src/providers/anthropic.js';
import { budgetRequestOf } from '../../src/proxy/budget-request.js';
import type { Reply } from '../support/fake-upstream.js';
import { startHarness, waitFor, type Harness } from '../support/proxy-harness.js';
import { capTestKey, postAsTestKey } from './concurrent-spend.js';
import { gateRequest, keyBudget, now } from './helpers.js';

/**
 * `budget_output_hold: window` makes a hard cap hold for calls without max_tokens whatever
 * their answers' length: such a call holds the model's context window for its output, not the
 * largest output its key had from the model this week. Found by a new user's trial: 20 calls at
 * once on gpt-4.1 ($2 / $8 per 1M) on a key whose largest answer had been 50 tokens, each
 * answering 16,000 tokens ($0.128), spent $2.56 on a $0.50 cap under the default (history).
 */
const LIMIT = 500_000_000; // $0.50
const chat = (outputTokens: number) => JSON.stringify({ id: 'x', object: 'chat.completion', created: 1, model: 'gpt-4.1-2025-04-14', choices: [], usage: { prompt_tokens: 10, completion_tokens: outputTokens, total_tokens: 10 + outputTokens } });

/** The trial: one call answering 50 tokens teaches the history, then 20 at once answer 16,000 each. Every answer's status and every ok record's cost. */
async function trial(configLine: string): Promise<{ statuses: number[]; costs: number[]; h: Harness }> {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let burst = false;
  const reply = (): Reply => (burst ? { body: chat(16_000), hold: gate } : { body: chat(50) });
  const h = await startHarness({ upstream: { reply }, configYaml: (url) => `providers:\n  openai: { base_url: "${url}", api_key: "sk-test-upstream-0123456789abcdef" }\nstore: { flush_interval_ms: 5 }\n${configLine}` });
  await capTestKey(h, LIMIT);
  const send = () => postAsTestKey(h, '/chat/completions', { model: 'gpt-4.1', messages: [{ role: 'user', content: 'hi' }] }).then((r) => r.status);
  expect(await send()).toBe(200);
  await waitFor(() => h.records.length >= 1, 5000, 'the first record');
  burst = true;
  const all = Promise.all(Array.from({ length: 20 }, send));
  // Every call reaches the gate (admitted, or waiting for room) before any settles.
  const atGate = () => h.proxy.budgets!.snapshot().reduce((n, b) => n + (b.inFlight ?? 0) + (b.waiting ?? 0), 0);
  await waitFor(() => atGate() >= 20, 30_000, 'the 20 calls at the gate');
  release();
  const statuses = await all;
  await waitFor(() => h.records.length >= 21, 30_000, 'records');
  return { statuses, costs: h.records.filter((r) => r.outcome === 'ok').map((r) => r.costNano ?? 0), h };
}

describe('the new-user trial: 20 calls at once without max_tokens, each answering 16,000 tokens, on a $0.50 cap', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('budget_output_hold: window keeps the spend within the cap plus one call', { timeout: 90_000 }, async () => {
    const r = await trial('budget_output_hold: window\n');
    h = r.h;
    const call = r.costs[r.costs.length - 1]!;
    expect(call).toBe(128_020_000);
    const total = r.costs.reduce((a, b) => a + b, 0);
    expect(total).toBeLessThanOrEqual(LIMIT + call);
    // The cap is used: calls run one at a time until it is spent, then the rest are refused.
    expect(total).toBeGreaterThanOrEqual(LIMIT);
    expect(r.statuses.filter((s) => s === 200)).toHaveLength(r.costs.length - 1);
    expect(r.statuses.filter((s) => s === 429)).toHaveLength(21 - r.costs.length);
  });

  it('the default (history) holds 50 output tokens a call, as before: all 20 run and the cap is passed', { timeout: 90_000 }, async () => {
    const r = await trial('');
    h = r.h;
    expect(r.statuses).toEqual(Array(20).fill(200));
    expect(r.costs.reduce((a, b) => a + b, 0)).toBeGreaterThan(5 * LIMIT);
  });
});

const AT = Date.parse('2026-11-20T12:00:00Z');
const prices = new EstimatePrices(createPricer());
const gpt = prices.get('openai', 'gpt-4.1', AT);
const claude = prices.get('anthropic', 'claude-sonnet-4-5', AT);
const gateIn = (outputHold: 'history' | 'window', limitUsd = 5) =>
  new LedgerGate(new BudgetLedger({ clock: () => AT, timeZone: 'UTC', keyBudgets: new Map([['k', keyBudget(limitUsd)]]) }), prices, { admissionWaitMs: 0, outputHold });
const noMax = (extra: Partial<GateRequest> = {}): GateRequest => gateRequest({ model: 'gpt-4.1', maxOutputTokens: null, outputLimitParam: 'max_completion_tokens', at: AT, ...extra });

describe('budget_output_hold: window in the gate', () => {
  it('holds the context window for the output of a call without a limit, even after the history learned a small answer', () => {
    const g = gateIn('window');
    const first = now(g.reserve(noMax()));
    if (!first.ok) throw new Error('expected the first call admitted');
    g.settle(first.reservation, 1_000, 50);
    const held = estimateCostNano({ promptBytes: noMax().promptBytes, maxOutputTokens: gpt.contextWindowTokens!, inputPricePerTokenPico: gpt.inputPicoPerToken, outputPricePerTokenPico: gpt.outputPicoPerToken });
    expect(g.estimate(noMax())).toBe(held);
    // history mode holds the 50 tokens learned.
    const h = gateIn('history');
    const r = now(h.reserve(noMax()));
    if (!r.ok) throw new Error('expected the first call admitted');
    h.settle(r.reservation, 1_000, 50);
    expect(h.estimate(noMax())).toBeLessThan(held / 1000);
  });

  it('a busy refusal names the context window as what is held, and the parameter that would hold less', () => {
    const g = gateIn('window');
    const first = now(g.reserve(noMax()));
    if (!first.ok) throw new Error('expected the first call admitted');
    g.settle(first.reservation, 1_000, 3000);
    expect(now(g.reserve(noMax())).ok).toBe(true);
    const r = now(g.reserve(noMax()));
    if (r.ok || r.aborted) throw new Error('expected a refusal');
    expect(r.error.kind).toBe('budget_busy');
    expect(r.error.message).toContain(`; no max_completion_tokens: ${gpt.contextWindowTokens!.toLocaleString('en-US')} output tokens held (the model's context window); set max_completion_tokens to hold less)`);
  });

  it('a call with a limit holds its limit, as before', () => {
    expect(gateIn('window').estimate(noMax({ maxOutputTokens: 100 }))).toBe(gateIn('history').estimate(noMax({ maxOutputTokens: 100 })));
  });
});

describe('budget_output_hold: window and Anthropic server tools whose results are billed as input', () => {
  const anthropic = createAnthropicAdapter();
  const body = (tools: unknown[]) => ({ model: 'claude-sonnet-4-5', max_tokens: 1000, messages: [{ role: 'user', content: 'x'.repeat(391) }], tools });
  const requestOf = (tools: unknown[]) => {
    const b = body(tools);
    return budgetRequestOf('k', {}, 'anthropic', anthropic.describe('POST', '/v1/messages', b), 400, undefined, AT) as GateRequest;
  };
  const plain = estimateCostNano({ promptBytes: 400, maxOutputTokens: 1000, inputPricePerTokenPico: claude.inputPicoPerToken, outputPricePerTokenPico: claude.outputPicoPerToken });
  const wholeWindow = estimateCostNano({ promptBytes: 0, contextTokens: claude.contextWindowTokens!, maxOutputTokens: 1000, inputPricePerTokenPico: claude.inputPicoPerToken, outputPricePerTokenPico: claude.outputPicoPerToken });

  it('web_search and web_fetch hold the input up to the model\'s context window', () => {
    expect(gateIn('window').estimate(requestOf([{ type: 'web_search_20250305', name: 'web_search' }]))).toBe(wholeWindow);
    expect(gateIn('window').estimate(requestOf([{ type: 'web_fetch_20250910', name: 'web_fetch' }]))).toBe(wholeWindow);
  });

  it('other tools, and the default mode, hold the prompt as before', () => {
    expect(gateIn('window').estimate(requestOf([{ name: 'get_weather', input_schema: {} }]))).toBe(plain);
    expect(gateIn('history').estimate(requestOf([{ type: 'web_fetch_20250910', name: 'web_fetch' }]))).toBe(plain);
  });
});
