import { describe, expect, it } from 'vitest';
import { createPricer } from '../../src/pricing/pricer.js';
import { createAnthropicAdapter } from '../../src/providers/anthropic.js';
import { normaliseAnthropicUsage } from '../../src/providers/anthropic-usage.js';
import { replayStream, usage } from './support.js';

/**
 * Server-side compaction (beta `compact-2026-01-12`, `context_management.edits` with
 * `compact_20260112`) runs an extra sampling step that is billed. Anthropic's compaction
 * guide, "Understanding usage": "The top-level input_tokens and output_tokens do not include
 * compaction iteration usage. They reflect the sum of all non-compaction iterations. To
 * calculate total tokens consumed and billed for a request, sum across all entries in the
 * usage.iterations array." Its example (below) bills 203,000 input and 4,500 output tokens.
 */

/** The compaction guide's example usage: one compaction iteration, then the message iteration. */
const DOC_USAGE = {
  input_tokens: 23000,
  output_tokens: 1000,
  iterations: [
    { type: 'compaction', input_tokens: 180000, output_tokens: 3500 },
    { type: 'message', input_tokens: 23000, output_tokens: 1000 },
  ],
};

/** A compaction step of `input` uncached input and `output` output tokens, as Usage.compactions holds it. */
const step = (input: number, output: number) => ({ inputTokens: input, outputTokens: output, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0 });

const adapter = createAnthropicAdapter();
const pricer = createPricer();
const at = Date.parse('2026-11-27T12:00:00Z');

describe('Anthropic compaction iterations', () => {
  it('counts the compaction iteration: 180,000 + 23,000 input, 3,500 + 1,000 output, and keeps the compaction step apart for pricing', () => {
    expect(normaliseAnthropicUsage(DOC_USAGE)).toEqual(usage({ inputTokens: 203_000, outputTokens: 4_500, compactions: [step(180_000, 3_500)] }));
  });

  it("counts a compaction iteration's cache reads and writes, split by lifetime like the top level", () => {
    const raw = {
      input_tokens: 500,
      cache_read_input_tokens: 20000,
      output_tokens: 800,
      iterations: [
        {
          type: 'compaction',
          input_tokens: 1000,
          cache_read_input_tokens: 150000,
          cache_creation_input_tokens: 4000,
          cache_creation: { ephemeral_5m_input_tokens: 1000, ephemeral_1h_input_tokens: 3000 },
          output_tokens: 3000,
        },
        { type: 'message', input_tokens: 500, cache_read_input_tokens: 20000, cache_creation_input_tokens: 0, output_tokens: 800 },
      ],
    };
    // input = (500 + 20,000) top level + (1,000 + 150,000 + 4,000) compaction = 175,500
    expect(normaliseAnthropicUsage(raw)).toEqual(
      usage({
        inputTokens: 175_500,
        cacheReadTokens: 170_000,
        cacheWrite5mTokens: 1_000,
        cacheWrite1hTokens: 3_000,
        outputTokens: 3_800,
        compactions: [{ inputTokens: 155_000, outputTokens: 3_000, cacheReadTokens: 150_000, cacheWrite5mTokens: 1_000, cacheWrite1hTokens: 3_000 }],
      }),
    );
  });

  // claude-opus-4-6 (catalog, from 2026-03-13): $5 in / $25 out per 1M = 5,000 / 25,000 nano per token.
  //   billed:   203,000 × 5,000 + 4,500 × 25,000 = 1,015,000,000 + 112,500,000 = 1,127,500,000 nano ($1.1275)
  //   recorded:  23,000 × 5,000 + 1,000 × 25,000 =   115,000,000 +  25,000,000 =   140,000,000 nano ($0.14)
  it('prices the whole call: 1,127,500,000 nano-USD on claude-opus-4-6', () => {
    const u = normaliseAnthropicUsage(DOC_USAGE);
    expect(u).not.toBeNull();
    const r = pricer.price(u!, { provider: 'anthropic', model: 'claude-opus-4-6', at });
    expect(r.priced && r.costNano).toBe(1_127_500_000);
  });

  it('counts the compaction iteration of a stream (usage in message_delta)', () => {
    const stream = [
      'event: message_start',
      'data: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","content":[],"model":"claude-opus-4-6","stop_reason":null,"usage":{"input_tokens":23000,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":1}}}',
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
      `data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":${JSON.stringify(DOC_USAGE)}}`,
      '',
      'event: message_stop',
      'data: {"type":"message_stop"}',
      '',
      '',
    ].join('\n');
    const info = adapter.describe('POST', '/v1/messages', { model: 'claude-opus-4-6', stream: true, max_tokens: 4096 });
    const { observed } = replayStream(adapter, info, { stripInjectedUsage: false }, stream);
    expect(observed.usage).toEqual(usage({ inputTokens: 203_000, outputTokens: 4_500, compactions: [step(180_000, 3_500)] }));
  });
});
