import { describe, expect, it } from 'vitest';
import type { CatalogProvider } from '../../src/pricing/catalog-data.js';
import { pinnedCatalog } from '../../src/pricing/catalog.js';
import { createPricer } from '../../src/pricing/pricer.js';
import { snapshotSource, type CatalogSnapshot } from '../../src/pricing/snapshot.js';
import { normaliseAnthropicUsage } from '../../src/providers/anthropic-usage.js';
import { createAnthropicAdapter } from '../../src/providers/anthropic.js';
import { replayStream } from './support.js';

/**
 * The advisor tool (beta `advisor-tool-2026-03-01`, tool `advisor_20260301`) runs
 * sub-inferences on a second, stronger model inside one Messages call. Each one is reported
 * as a `usage.iterations[]` entry of type `advisor_message` with its own `model` and counts
 * (SDK BetaAdvisorMessageIterationUsage); the top-level usage covers the executor only, and
 * each advisor iteration is billed at the advisor model's rates.
 */

const adapter = createAnthropicAdapter();
const pricer = createPricer();
const at = Date.parse('2026-11-27T12:00:00Z');

/** A Sonnet 4.6 answer that consulted an Opus 4.6 advisor once, between two executor turns. */
const BODY = {
  id: 'msg_advisor',
  type: 'message',
  role: 'assistant',
  model: 'claude-sonnet-4-6',
  content: [{ type: 'text', text: 'Done.' }],
  stop_reason: 'end_turn',
  usage: {
    input_tokens: 10000,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    output_tokens: 2000,
    service_tier: 'standard',
    iterations: [
      { type: 'message', input_tokens: 6000, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 1200 },
      { type: 'advisor_message', model: 'claude-opus-4-6', input_tokens: 9000, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 1500 },
      { type: 'message', input_tokens: 4000, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 800 },
    ],
  },
};

describe('Anthropic advisor tool iterations', () => {
  // Executor claude-sonnet-4-6 ($3 / $15 per 1M = 3,000 / 15,000 nano per token):
  //   10,000 × 3,000 + 2,000 × 15,000 = 30,000,000 + 30,000,000 = 60,000,000
  // Advisor claude-opus-4-6 ($5 / $25 per 1M = 5,000 / 25,000 nano per token):
  //    9,000 × 5,000 + 1,500 × 25,000 = 45,000,000 + 37,500,000 = 82,500,000
  // Billed: 142,500,000 nano-USD ($0.1425). Recorded today: 60,000,000 (the advisor is not seen).
  it('prices the advisor iteration at the advisor model: 142,500,000 nano-USD in all', () => {
    const info = adapter.describe('POST', '/v1/messages', { model: 'claude-sonnet-4-6', max_tokens: 4096 });
    const seen = adapter.usageFromJson(info, BODY);
    expect(seen.usage).not.toBeNull();
    const r = pricer.price(seen.usage!, { provider: 'anthropic', model: seen.model ?? 'claude-sonnet-4-6', at });
    expect(r.priced && r.costNano).toBe(142_500_000);
  });
});

/**
 * The same call streamed. `message_start` carries the executor's first counts; the final
 * `message_delta.usage` carries the whole-message totals, iterations included (SDK
 * BetaMessageDeltaUsage.iterations: "Per-iteration token usage breakdown"), so the advisor's
 * sub-inference is known only at the end of the stream.
 */
const STREAM = [
  'event: message_start',
  `data: ${JSON.stringify({ type: 'message_start', message: { id: 'msg_advisor', type: 'message', role: 'assistant', model: 'claude-sonnet-4-6', content: [], stop_reason: null, usage: { input_tokens: 6000, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 1, service_tier: 'standard' } } })}`,
  '',
  'event: content_block_start',
  'data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}',
  '',
  'event: content_block_delta',
  'data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Done."}}',
  '',
  'event: content_block_stop',
  'data: {"type":"content_block_stop","index":0}',
  '',
  'event: message_delta',
  `data: ${JSON.stringify({ type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { input_tokens: 10000, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 2000, iterations: BODY.usage.iterations } })}`,
  '',
  'event: message_stop',
  'data: {"type":"message_stop"}',
  '',
  '',
].join('\n');

describe('Anthropic advisor tool iterations, streamed', () => {
  // Same counts as the JSON answer: 60,000,000 (executor) + 82,500,000 (advisor) = 142,500,000 nano-USD.
  it('prices the advisor iteration of message_delta.usage at the advisor model: 142,500,000 nano-USD in all', () => {
    const info = adapter.describe('POST', '/v1/messages', { model: 'claude-sonnet-4-6', max_tokens: 4096, stream: true });
    const { observed: seen, kept } = replayStream(adapter, info, { stripInjectedUsage: false }, STREAM, 7);
    expect(kept).toBe(STREAM);
    expect(seen.usage).not.toBeNull();
    expect([seen.usage!.inputTokens, seen.usage!.outputTokens]).toEqual([10_000, 2_000]);
    const r = pricer.price(seen.usage!, { provider: 'anthropic', model: seen.model ?? 'claude-sonnet-4-6', at });
    expect(r.priced && r.costNano).toBe(142_500_000);
  });
});

describe('advisor usage: one entry per sub-inference, priced with the call', () => {
  const iteration = (model: unknown, input: number, output: number, cacheRead = 0) => ({ type: 'advisor_message', model, input_tokens: input, cache_creation_input_tokens: 0, cache_read_input_tokens: cacheRead, output_tokens: output });
  const answer = (iterations: unknown[], extra: Record<string, unknown> = {}) => ({ ...BODY, usage: { ...BODY.usage, ...extra, iterations } });
  const priceOf = (body: unknown) => {
    const seen = adapter.usageFromJson(adapter.describe('POST', '/v1/messages', { model: 'claude-sonnet-4-6' }), body);
    return { usage: seen.usage!, r: pricer.price(seen.usage!, { provider: 'anthropic', model: 'claude-sonnet-4-6', at }) };
  };

  it('keeps each advisor iteration as its own entry (cache reads in its input), in order', () => {
    const { usage, r } = priceOf(answer([iteration('claude-opus-4-6', 4000, 500, 1000), { type: 'message', input_tokens: 1, output_tokens: 1 }, iteration('claude-opus-4-7', 100, 10), iteration('claude-opus-4-6', 5000, 1000)]));
    expect(usage.advisors).toEqual([
      { model: 'claude-opus-4-6', inputTokens: 5_000, outputTokens: 500, cacheReadTokens: 1_000, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0 },
      { model: 'claude-opus-4-7', inputTokens: 100, outputTokens: 10, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0 },
      { model: 'claude-opus-4-6', inputTokens: 5_000, outputTokens: 1_000, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0 },
    ]);
    // The executor's own counts are untouched: 10,000 in / 2,000 out.
    expect([usage.inputTokens, usage.outputTokens]).toEqual([10_000, 2_000]);
    // claude-opus-4-6: 4,000 × 5,000 + 1,000 cache reads × 500 + 500 × 25,000 = 20,000,000 + 500,000 + 12,500,000 = 33,000,000,
    // then 5,000 × 5,000 + 1,000 × 25,000 = 50,000,000; claude-opus-4-7 ($5 / $25): 100 × 5,000 + 10 × 25,000 = 750,000;
    // executor 60,000,000. Total 143,750,000.
    expect(r.priced && r.costNano).toBe(143_750_000);
    expect(r.priced && Object.values(r.breakdown).reduce((a, b) => a + b, 0)).toBe(143_750_000);
  });

  it('prices each consultation at its own size: a long-context tier applies per sub-inference, never to their sum', () => {
    // claude-sonnet-4-5 is $3 / $15 per 1M up to 200,000 input tokens and $6 / $22.50 above. Two consultations of
    // 150,000 in / 1,000 out are each under the tier: 2 × (150,000 × 3,000 + 1,000 × 15,000) = 2 × 465,000,000 = 930,000,000.
    // Priced as one of 300,000 / 2,000 it would be 300,000 × 6,000 + 2,000 × 22,500 = 1,845,000,000.
    const { r } = priceOf(answer([iteration('claude-sonnet-4-5', 150_000, 1_000), iteration('claude-sonnet-4-5', 150_000, 1_000)]));
    expect(r.priced && r.costNano).toBe(60_000_000 + 930_000_000);
  });

  it('an advisor model without a price (or none named) leaves its tokens out of a cost that stays priced, with a note: a lower bound, never $0', () => {
    // The executor's 60,000,000 is known: budgets settle it, and a reprice adds the advisor once its model has a price.
    const unknown = priceOf(answer([iteration('claude-nonexistent-9', 9000, 1500)])).r;
    expect(unknown).toMatchObject({ priced: true, costNano: 60_000_000, note: "advisor model 'claude-nonexistent-9' is unpriced (no known price for model 'claude-nonexistent-9' at provider 'anthropic'; add one under 'prices:' in the config): its 9000 input and 1500 output tokens are not in the cost" });
    // With a priced advisor beside it: 60,000,000 + 82,500,000.
    expect(priceOf(answer([BODY.usage.iterations[1], iteration(undefined, 100, 10)])).r).toMatchObject({ priced: true, costNano: 142_500_000, note: 'an advisor sub-inference named no model: its 100 input and 10 output tokens are not in the cost' });
  });

  it('US-only inference multiplies the advisor too (1.1×); fast mode is the executor\'s alone', () => {
    // US-only: (60,000,000 + 82,500,000) × 1.1 = 156,750,000 (both models are Sonnet 4.6 / Opus 4.6 or later).
    expect(priceOf(answer(BODY.usage.iterations, { inference_geo: 'us' })).r).toMatchObject({ priced: true, costNano: 156_750_000 });
    // An Opus 4.6 executor in fast mode (6×) with an Opus 4.6 advisor: 10,000 × 5,000 + 2,000 × 25,000 = 100,000,000 × 6
    // = 600,000,000, plus the advisor at its standard rate, 82,500,000: 682,500,000.
    const fast = adapter.usageFromJson(adapter.describe('POST', '/v1/messages', { model: 'claude-opus-4-6' }), answer(BODY.usage.iterations, { speed: 'fast' }));
    expect(pricer.price(fast.usage!, { provider: 'anthropic', model: 'claude-opus-4-6', at })).toMatchObject({ priced: true, costNano: 682_500_000 });
  });
});

describe('the note of an advisor left out of the cost says what failed', () => {
  const FETCHED = Date.parse('2026-11-01T00:00:00Z');
  const SHA = 'ab12cd34'.padEnd(64, '0');
  /** The pinned catalog plus an Anthropic model priced only per input video token (`input_video_mtok`), a unit tokometer does not meter. */
  const data = structuredClone(pinnedCatalog()) as CatalogProvider[];
  data.find((p) => p.id === 'anthropic')!.models.push({ id: 'claude-sketch-1', match: { equals: 'claude-sketch-1' }, prices: { input_video_mtok: 4 } });
  const snapshot: CatalogSnapshot = { id: 1, source: snapshotSource(FETCHED, SHA), fetchedAt: FETCHED, sha256: SHA, data };
  const withAdvisor = (model: string) => {
    const usage = normaliseAnthropicUsage({ ...BODY.usage, iterations: [{ ...BODY.usage.iterations[1], model }] });
    return createPricer({}, { snapshot }).price(usage!, { provider: 'anthropic', model: 'claude-sonnet-4-6', at });
  };

  it('an advisor model priced only in units tokometer does not meter: the note gives that reason, not "has no price"', () => {
    // The executor's 60,000,000 is the cost either way; the note used to read "advisor model 'claude-sketch-1' has no price".
    expect(withAdvisor('claude-sketch-1')).toMatchObject({
      priced: true,
      costNano: 60_000_000,
      note: "advisor model 'claude-sketch-1' is unpriced ('claude-sketch-1' is priced per input_video_mtok, which tokometer does not meter): its 9000 input and 1500 output tokens are not in the cost",
    });
  });

  it('an advisor model the prices do not know: the note gives the pricer\'s reason', () => {
    expect(withAdvisor('claude-nonexistent-9')).toMatchObject({
      priced: true,
      costNano: 60_000_000,
      note: "advisor model 'claude-nonexistent-9' is unpriced (no known price for model 'claude-nonexistent-9' at provider 'anthropic'; add one under 'prices:' in the config): its 9000 input and 1500 output tokens are not in the cost",
    });
  });
});
