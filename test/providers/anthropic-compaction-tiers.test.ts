import { describe, expect, it } from 'vitest';
import { createPricer } from '../../src/pricing/pricer.js';
import { createAnthropicAdapter } from '../../src/providers/anthropic.js';
import { normaliseAnthropicUsage } from '../../src/providers/anthropic-usage.js';
import { replayStream } from './support.js';

/**
 * A compaction iteration is a sampling request of its own (Anthropic's compaction guide: each
 * iteration is billed; SDK BetaIterationsUsage: "Each entry represents one sampling
 * iteration, with its own input/output token counts"), so the long-context tier (input above
 * 200,000 tokens, cache included) is chosen by each step's own input, never by the sum of the
 * steps, the way advisor consultations are priced (pricer.ts withAdvisors). The call's token
 * counts still hold the compaction's tokens (reports show what the call consumed).
 *
 * claude-sonnet-4-5 (catalog): up to 200,000 input tokens $3 in / $0.30 cache read / $15 out
 * per 1M (3,000 / 300 / 15,000 nano per token); above, $6 / $0.60 / $22.50 (6,000 / 600 /
 * 22,500 nano per token).
 */

const adapter = createAnthropicAdapter();
const pricer = createPricer();
const at = Date.parse('2026-11-27T12:00:00Z');
const MODEL = 'claude-sonnet-4-5';

/** The read-only trial's usage (trialG cases5.mjs `an-compact`): a compaction step of 150,000 in, then the message step of 60,000 in. */
const TRIAL_USAGE = {
  input_tokens: 60000,
  cache_creation_input_tokens: 0,
  cache_read_input_tokens: 0,
  output_tokens: 1000,
  iterations: [
    { type: 'compaction', input_tokens: 150000, output_tokens: 3000 },
    { type: 'message', input_tokens: 60000, output_tokens: 1000 },
  ],
};

// Each step on its own tier, both below 200,000:
//   compaction 150,000 × 3,000 + 3,000 × 15,000 = 450,000,000 + 45,000,000 = 495,000,000
//   message     60,000 × 3,000 + 1,000 × 15,000 = 180,000,000 + 15,000,000 = 195,000,000
//   call                                                                   = 690,000,000 nano ($0.69)
// Priced by the sum (the bug): 210,000 × 6,000 + 4,000 × 22,500 = 1,260,000,000 + 90,000,000 = 1,350,000,000.
const TRIAL_COST = 690_000_000;

/** The answer to a non-streamed request. */
const body = (usage: unknown) => ({ id: 'msg_compact', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5-20250929', content: [{ type: 'text', text: 'Done.' }], stop_reason: 'end_turn', stop_sequence: null, usage });

/** An SSE stream whose `message_start` carries `start` and whose one `message_delta` carries `delta` as usage. */
function stream(start: unknown, delta: unknown): string {
  const message = { id: 'msg_compact', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5-20250929', content: [], stop_reason: null, stop_sequence: null, usage: start };
  return [
    'event: message_start',
    `data: ${JSON.stringify({ type: 'message_start', message })}`,
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
    `data: ${JSON.stringify({ type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: delta })}`,
    '',
    'event: message_stop',
    'data: {"type":"message_stop"}',
    '',
    '',
  ].join('\n');
}

const priceOf = (usage: ReturnType<typeof normaliseAnthropicUsage>, model = MODEL) => {
  expect(usage).not.toBeNull();
  return pricer.price(usage!, { provider: 'anthropic', model, at });
};

describe('Anthropic compaction steps, each on its own long-context tier', () => {
  it(`the trial's call, not streamed: ${TRIAL_COST} nano-USD, with 210,000 input and 4,000 output tokens counted`, () => {
    const info = adapter.describe('POST', '/v1/messages', { model: MODEL, max_tokens: 4096 });
    const seen = adapter.usageFromJson(info, body(TRIAL_USAGE));
    expect([seen.usage?.inputTokens, seen.usage?.outputTokens]).toEqual([210_000, 4_000]);
    const r = priceOf(seen.usage);
    expect(r.priced && r.costNano).toBe(TRIAL_COST);
    // The breakdown adds the steps up: input 450,000,000 + 180,000,000, output 45,000,000 + 15,000,000.
    expect(r.priced && [r.breakdown.uncachedInput, r.breakdown.output]).toEqual([630_000_000, 60_000_000]);
  });

  it(`the trial's call streamed, iterations in the final message_delta.usage (SDK BetaMessageDeltaUsage.iterations): ${TRIAL_COST}`, () => {
    const info = adapter.describe('POST', '/v1/messages', { model: MODEL, max_tokens: 4096, stream: true });
    const sse = stream({ input_tokens: 60000, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 1 }, TRIAL_USAGE);
    const { observed } = replayStream(adapter, info, { stripInjectedUsage: false }, sse);
    expect([observed.usage?.inputTokens, observed.usage?.outputTokens]).toEqual([210_000, 4_000]);
    expect(priceOf(observed.usage)).toMatchObject({ priced: true, costNano: TRIAL_COST });
  });

  it(`the trial's call streamed as the trial's fake upstream sent it (iterations in message_start, output alone in message_delta): ${TRIAL_COST}`, () => {
    const info = adapter.describe('POST', '/v1/messages', { model: MODEL, max_tokens: 4096, stream: true });
    const sse = stream({ ...TRIAL_USAGE, output_tokens: 1 }, { output_tokens: 1000 });
    const { observed } = replayStream(adapter, info, { stripInjectedUsage: false }, sse);
    expect([observed.usage?.inputTokens, observed.usage?.outputTokens]).toEqual([210_000, 4_000]);
    expect(priceOf(observed.usage)).toMatchObject({ priced: true, costNano: TRIAL_COST });
  });

  it('a compaction step that is itself over 200,000 input tokens (cache reads included) is priced at the long-context rates, and that step only', () => {
    const u = normaliseAnthropicUsage({
      input_tokens: 30000,
      cache_read_input_tokens: 0,
      output_tokens: 1000,
      iterations: [
        { type: 'compaction', input_tokens: 10000, cache_read_input_tokens: 200000, cache_creation_input_tokens: 0, output_tokens: 4000 },
        { type: 'message', input_tokens: 30000, cache_read_input_tokens: 0, cache_creation_input_tokens: 0, output_tokens: 1000 },
      ],
    });
    expect([u?.inputTokens, u?.cacheReadTokens, u?.outputTokens]).toEqual([240_000, 200_000, 5_000]);
    // compaction, 210,000 input > 200,000, long rates:
    //   10,000 × 6,000 + 200,000 × 600 + 4,000 × 22,500 = 60,000,000 + 120,000,000 + 90,000,000 = 270,000,000
    // message, 30,000 input, base rates:
    //   30,000 × 3,000 + 1,000 × 15,000 = 90,000,000 + 15,000,000                              = 105,000,000
    // call                                                                                     = 375,000,000
    // Priced by the sum (240,000 input, all long): 40,000 × 6,000 + 200,000 × 600 + 5,000 × 22,500 = 472,500,000.
    const r = priceOf(u);
    expect(r.priced && r.costNano).toBe(375_000_000);
    expect(r.priced && [r.breakdown.uncachedInput, r.breakdown.cacheRead, r.breakdown.output]).toEqual([150_000_000, 120_000_000, 105_000_000]);
  });

  it('a message step over 200,000 input tokens beside a small compaction step keeps its long-context rates; the compaction step is at the base rates', () => {
    const u = normaliseAnthropicUsage({
      input_tokens: 205000,
      output_tokens: 1000,
      iterations: [
        { type: 'compaction', input_tokens: 20000, output_tokens: 2000 },
        { type: 'message', input_tokens: 205000, output_tokens: 1000 },
      ],
    });
    // compaction: 20,000 × 3,000 + 2,000 × 15,000 = 60,000,000 + 30,000,000 = 90,000,000
    // message:   205,000 × 6,000 + 1,000 × 22,500 = 1,230,000,000 + 22,500,000 = 1,252,500,000
    // call                                                                     = 1,342,500,000
    expect(priceOf(u)).toMatchObject({ priced: true, costNano: 1_342_500_000 });
  });

  it('each step is priced with the call\'s modifiers: fast mode on claude-opus-4-6 (6×) applies to the compaction step too', () => {
    const u = normaliseAnthropicUsage({ ...TRIAL_USAGE, speed: 'fast' });
    // claude-opus-4-6 ($5 / $25 per 1M, no long-context tier), 6× in fast mode:
    //   compaction (150,000 × 5,000 + 3,000 × 25,000) × 6 = 825,000,000 × 6 = 4,950,000,000
    //   message     (60,000 × 5,000 + 1,000 × 25,000) × 6 = 325,000,000 × 6 = 1,950,000,000
    //   call                                                                = 6,900,000,000
    expect(priceOf(u, 'claude-opus-4-6')).toMatchObject({ priced: true, costNano: 6_900_000_000 });
  });

  it('compaction steps that do not fit in the call\'s counts are inconsistent usage: unpriced, with the reason', () => {
    const u = normaliseAnthropicUsage(TRIAL_USAGE);
    expect(u).not.toBeNull();
    const r = pricer.price({ ...u!, inputTokens: 100_000 }, { provider: 'anthropic', model: MODEL, at });
    expect(r).toEqual({ priced: false, reason: 'inconsistent usage: compaction steps (150000 input tokens) exceed the call\'s input tokens (100000)' });
  });
});
