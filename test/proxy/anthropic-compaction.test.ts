import { describe, expect, it } from 'vitest';
import { createPricer } from '../../src/pricing/pricer.js';
import { afterImmediates, bodyText, fixture, jsonAnswer, SECRET, sseAnswer } from './fakes.js';

/**
 * A claude-sonnet-4-5 call whose server-side compaction ran a step of its own, through the
 * proxy: the read-only trial's case (trialG cases5.mjs `an-compact`, streamed and not). The
 * record's tokens are the whole call's (210,000 in, 4,000 out, as before); its cost and what
 * the budget settles price each step on its own tier (the real catalog: $3 / $15 per 1M up
 * to 200,000 input tokens, $6 / $22.50 above):
 *   compaction 150,000 × 3,000 + 3,000 × 15,000 = 495,000,000
 *   message     60,000 × 3,000 + 1,000 × 15,000 = 195,000,000
 *   call                                        = 690,000,000 nano-USD ($0.69)
 * The trial recorded 1,350,000,000 (the sum, 210,000 tokens, at the long-context rates).
 */

const PROVIDERS = 'providers:\n  anthropic: { base_url: "http://upstream.invalid", api_key: "sk-ant-upstream" }\n';
const HEADERS = { 'x-api-key': SECRET, 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'anthropic-beta': 'compact-2026-01-12' };
const USAGE = {
  input_tokens: 60000,
  cache_creation_input_tokens: 0,
  cache_read_input_tokens: 0,
  output_tokens: 1000,
  iterations: [
    { type: 'compaction', input_tokens: 150000, output_tokens: 3000 },
    { type: 'message', input_tokens: 60000, output_tokens: 1000 },
  ],
};
const MESSAGE = { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5-20250929', content: [{ type: 'text', text: 'Done.' }], stop_reason: 'end_turn', stop_sequence: null };
const ANSWER = JSON.stringify({ ...MESSAGE, usage: USAGE });
/** The stream form: message_start with the message step's first counts, the whole usage (iterations included) in message_delta. */
const STREAM = [
  `event: message_start\ndata: ${JSON.stringify({ type: 'message_start', message: { ...MESSAGE, content: [], stop_reason: null, usage: { input_tokens: 60000, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 1 } } })}\n\n`,
  `event: content_block_start\ndata: ${JSON.stringify({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } })}\n\n`,
  `event: content_block_delta\ndata: ${JSON.stringify({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Done.' } })}\n\n`,
  `event: content_block_stop\ndata: ${JSON.stringify({ type: 'content_block_stop', index: 0 })}\n\n`,
  `event: message_delta\ndata: ${JSON.stringify({ type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: USAGE })}\n\n`,
  `event: message_stop\ndata: ${JSON.stringify({ type: 'message_stop' })}\n\n`,
];
const REQUEST = { model: 'claude-sonnet-4-5', max_tokens: 4096, context_management: { edits: [{ type: 'compact_20260112' }] }, messages: [{ role: 'user', content: 'Go on.' }] };

/** Sends `body` to /v1/messages through a fixture priced by the real catalog; the body the client read. */
async function send(f: ReturnType<typeof fixture>, body: object): Promise<string> {
  const catalog = createPricer();
  f.pricer.price = (usage, ctx) => catalog.price(usage, ctx);
  const bytes = new TextEncoder().encode(JSON.stringify(body));
  const res = await f.handle({ method: 'POST', url: '/proxy/anthropic/v1/messages', headers: HEADERS, readBody: async (limit) => (bytes.length > limit ? null : bytes), signal: new AbortController().signal });
  expect(res.status).toBe(200);
  const text = await bodyText(res);
  await afterImmediates();
  return text;
}

describe('Anthropic compaction through the proxy', () => {
  it('a non-streamed answer: recorded with 210,000 / 4,000 tokens and the compaction step apart, 690,000,000 nano-USD, settled at that', async () => {
    const f = fixture(() => jsonAnswer(ANSWER), {}, undefined, PROVIDERS);
    expect(await send(f, REQUEST)).toBe(ANSWER);
    expect(f.records[0]).toMatchObject({ model: 'claude-sonnet-4-5-20250929', costNano: 690_000_000, error: null });
    expect(f.records[0]!.usage).toMatchObject({
      inputTokens: 210_000,
      outputTokens: 4_000,
      compactions: [{ inputTokens: 150_000, outputTokens: 3_000, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0 }],
    });
    expect(f.gate.settled.map(([, nano]) => nano)).toEqual([690_000_000]);
  });

  it('a streamed answer (iterations in message_delta.usage): the same record, 690,000,000 nano-USD, settled at that', async () => {
    const f = fixture((req) => sseAnswer(req, STREAM), {}, undefined, PROVIDERS);
    expect(await send(f, { ...REQUEST, stream: true })).toBe(STREAM.join(''));
    expect(f.records[0]).toMatchObject({ model: 'claude-sonnet-4-5-20250929', costNano: 690_000_000, streamed: true, error: null });
    expect(f.records[0]!.usage).toMatchObject({ inputTokens: 210_000, outputTokens: 4_000, compactions: [{ inputTokens: 150_000, outputTokens: 3_000 }] });
    expect(f.gate.settled.map(([, nano]) => nano)).toEqual([690_000_000]);
  });
});
