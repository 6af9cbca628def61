import { afterEach, describe, expect, it } from 'vitest';
import { EstimatePrices } from '../../src/budget/estimate-prices.js';
import { LedgerGate, type GateRequest } from '../../src/budget/gate.js';
import { BudgetLedger } from '../../src/budget/ledger.js';
import { createPricer } from '../../src/pricing/pricer.js';
import { createOpenAiAdapter } from '../../src/providers/openai.js';
import { budgetRequestOf } from '../../src/proxy/budget-request.js';
import type { Reply } from '../support/fake-upstream.js';
import { startHarness, waitFor, type Harness } from '../support/proxy-harness.js';
import { capTestKey, postAsTestKey } from './concurrent-spend.js';
import { keyBudget } from './helpers.js';

/**
 * The hold of an OpenAI text-to-speech call (POST /audio/speech, gpt-4o-mini-tts at $0.60 /
 * $12 per 1M tokens: 600 and 12,000 nano-USD a token). Its answer is audio, billed at about
 * 1,250 output tokens a minute, and the API reads no output limit (openai 6.49.0
 * SpeechCreateParams has no max_tokens; `speed` 0.25 to 4, default 1). 4,096 characters
 * spoken at 15 a second (typical speech) are 273.07 s: ceil(273.07 × 1,250 / 60) = 5,689
 * output tokens = 68,268,000 nano-USD, and the text 4,096 bytes / 4 = 1,024 input tokens =
 * 614,400: 68,882,400 nano-USD a call.
 */

const AT = Date.parse('2026-11-20T12:00:00Z');
const adapter = createOpenAiAdapter();
const TEXT = 'a'.repeat(4_096);
const ESTIMATED_COST = 68_882_400;

/** The gate's request for a speech body, as the proxy builds it (`bodyBytes`: the JSON's length). */
function speechRequest(extra: Record<string, unknown> = {}): GateRequest {
  const body = { model: 'gpt-4o-mini-tts', input: TEXT, voice: 'coral', ...extra };
  const info = adapter.describe('POST', '/v1/audio/speech', body);
  return budgetRequestOf('k', {}, 'openai', info, JSON.stringify(body).length, undefined, AT);
}

const gate = () => new LedgerGate(new BudgetLedger({ clock: () => AT, timeZone: 'UTC', keyBudgets: new Map([['k', keyBudget(1)]]) }), new EstimatePrices(createPricer()), { admissionWaitMs: 0 });

describe('the reservation of a gpt-4o-mini-tts call', () => {
  // The body is 4,150 bytes: ceil(4,150 / 4) = 1,038 input tokens = 622,800 nano-USD. Output held
  // as the most audio the text makes, at 10 characters a second: 409.6 s, ceil(409.6 × 1,250 / 60)
  // = 8,534 tokens = 102,408,000; 103,030,800 in all.
  // Before: 1,024 output tokens (no context window in the catalog, no history) = 12,910,800 nano-USD,
  // a fifth of the call's estimated cost.
  it('holds 4,096 characters at 8,534 output tokens: 103,030,800 nano-USD, above the 68,882,400 the call costs at 15 characters a second', () => {
    const held = gate().estimate(speechRequest());
    expect(held).toBe(103_030_800);
    expect(held).toBeGreaterThanOrEqual(ESTIMATED_COST);
  });

  // The API ignores max_tokens on a speech request. Before: max_tokens 1 held 1 output token, 637,200 nano-USD.
  it('ignores a max_tokens (or max_output_tokens) in the body: max_tokens 1 holds the same 8,534 output tokens', () => {
    // {"model":…,"max_tokens":1} adds 15 bytes: 4,165 bytes = 1,042 input tokens = 625,200 nano-USD.
    expect(gate().estimate(speechRequest({ max_tokens: 1 }))).toBe(625_200 + 102_408_000);
    expect(gate().estimate(speechRequest({ max_output_tokens: 1 }))).toBe(625_800 + 102_408_000);
  });

  // speed 2 (JSON 4,160 bytes = 1,040 tokens = 624,000): 204.8 s, ceil(4,266.67) = 4,267 tokens =
  // 51,204,000. speed 0.25 (4,163 bytes = 1,041 tokens = 624,600): 1,638.4 s, ceil(34,133.33) =
  // 34,134 tokens = 409,608,000.
  it('scales the hold with speed: speed 2 holds 4,267 output tokens, speed 0.25 holds 34,134', () => {
    expect(gate().estimate(speechRequest({ speed: 2 }))).toBe(624_000 + 51_204_000);
    expect(gate().estimate(speechRequest({ speed: 0.25 }))).toBe(624_600 + 409_608_000);
  });
});

/**
 * 80 such calls at once on a key with a $1 hard cap, each answered (as an event stream) with
 * the usage of 1,024 input and 5,689 output tokens: 68,882,400 nano-USD. Before: each held
 * 12,910,800, so 77 fitted together and spent 5,303,944,800 (5.3 times the cap).
 */
describe('a burst of gpt-4o-mini-tts calls on a $1 hard cap', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('spends at most the cap plus one call (68,882,400 nano-USD)', async () => {
    let release!: () => void;
    const hold = new Promise<void>((r) => (release = r));
    const done = { type: 'speech.audio.done', usage: { input_tokens: 1_024, output_tokens: 5_689, total_tokens: 6_713 } };
    const frames = [`data: ${JSON.stringify({ type: 'speech.audio.delta', audio: 'AAEC' })}\n\n`, `data: ${JSON.stringify(done)}\n\n`];
    const reply = (): Reply => ({ body: frames, headers: { 'content-type': 'text/event-stream' }, hold });
    h = await startHarness({ upstream: { reply } });
    const LIMIT = 1_000_000_000;
    await capTestKey(h, LIMIT);
    const send = () => postAsTestKey(h!, '/audio/speech', { model: 'gpt-4o-mini-tts', input: TEXT, voice: 'coral', stream_format: 'sse' }).then(async (r) => (await r.text(), r.status));
    const all = Promise.all(Array.from({ length: 80 }, send));
    // Every call that fits is admitted (reaches the provider) before any answers: wait until none arrives for 500 ms.
    for (let seen = -1; seen !== h.fake.requests.length; ) {
      seen = h.fake.requests.length;
      await new Promise((r) => setTimeout(r, 500));
    }
    release();
    await all;
    await waitFor(() => h!.records.length >= 80, 10_000, 'records');
    const costs = h.records.filter((r) => r.outcome === 'ok').map((r) => r.costNano ?? 0);
    expect(costs.length).toBeGreaterThan(0);
    expect(costs.every((c) => c === ESTIMATED_COST)).toBe(true);
    const total = costs.reduce((a, b) => a + b, 0);
    expect(total).toBeLessThanOrEqual(LIMIT + ESTIMATED_COST);
  });
});
