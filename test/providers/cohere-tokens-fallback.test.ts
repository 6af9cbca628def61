import { describe, expect, it } from 'vitest';
import { createPricer } from '../../src/pricing/pricer.js';
import { createCohereAdapter } from '../../src/providers/cohere.js';
import type { RequestInfo } from '../../src/providers/types.js';
import { replayStream, usage } from './support.js';

/**
 * Cohere bills `billed_units`; an answer whose `billed_units` is absent or null but whose
 * `tokens` are there (a new-user trial's fake provider answered `billed_units: null`,
 * `tokens: {input_tokens: 400, output_tokens: 444}`) is metered on `tokens`, as the
 * provider reported them, not estimated from the answer's characters.
 */

const adapter = createCohereAdapter();
const pricer = createPricer();
const at = Date.parse('2026-12-01T12:00:00Z');
const v2 = (stream: boolean): RequestInfo => adapter.describe('POST', '/v2/chat', { model: 'command-a-03-2025', stream });
const v1 = (stream: boolean): RequestInfo => adapter.describe('POST', '/v1/chat', { model: 'command-r-plus', message: 'hi', stream });
const TOKENS = { input_tokens: 400, output_tokens: 444 };
const replay = (info: RequestInfo, body: string) => replayStream(adapter, info, adapter.prepare(info, {}, new Uint8Array()), body).observed;

describe('Cohere: reported tokens when billed_units are absent or null', () => {
  it('meters a v2 chat answer with billed_units null on usage.tokens: 400 in / 444 out, reported', () => {
    const body = { id: 'c1', finish_reason: 'COMPLETE', message: { role: 'assistant', content: [{ type: 'text', text: 'Hi' }] }, usage: { billed_units: null, tokens: TOKENS } };
    const observed = adapter.usageFromJson(v2(false), body);
    expect(observed).toEqual({ model: null, usage: usage({ inputTokens: 400, outputTokens: 444 }) });
    expect(observed.estimated).toBeUndefined();
    // command-a-03-2025: $2.50 in / $10 out per 1M: 400 × 2,500 + 444 × 10,000 = 1,000,000 + 4,440,000 = 5,440,000 nano.
    const r = pricer.price(observed.usage!, { provider: 'cohere', model: 'command-a-03-2025', at });
    expect(r.priced && r.costNano).toBe(5_440_000);
    // billed_units missing altogether reads the same; cached_tokens still count within that input.
    expect(adapter.usageFromJson(v2(false), { ...body, usage: { tokens: TOKENS, cached_tokens: 128 } }).usage).toEqual(usage({ inputTokens: 400, outputTokens: 444, cacheReadTokens: 128 }));
  });

  it('keeps billing on billed_units whenever they carry counts, tokens beside them or not', () => {
    const body = { usage: { billed_units: { input_tokens: 5, output_tokens: 18 }, tokens: { input_tokens: 71, output_tokens: 18 } } };
    expect(adapter.usageFromJson(v2(false), body).usage).toEqual(usage({ inputTokens: 5, outputTokens: 18 }));
    // billed_units present but empty ({}), or neither: no usage (the call is estimated elsewhere).
    expect(adapter.usageFromJson(v2(false), { usage: { billed_units: null, tokens: null } }).usage).toBeNull();
    expect(adapter.usageFromJson(v2(false), { usage: { billed_units: null } }).usage).toBeNull();
  });

  it('meters a v2 stream whose message-end has billed_units null on its tokens', () => {
    const end = { type: 'message-end', delta: { finish_reason: 'COMPLETE', usage: { billed_units: null, tokens: TOKENS } } };
    const body = `event: message-start\ndata: {"type":"message-start","id":"c1","delta":{"message":{"role":"assistant"}}}\n\nevent: message-end\ndata: ${JSON.stringify(end)}\n\n`;
    expect(replay(v2(true), body)).toEqual({ model: null, usage: usage({ inputTokens: 400, outputTokens: 444 }) });
  });

  it('meters a v1 chat on meta.tokens when meta.billed_units is null, in JSON and in its stream-end', () => {
    const answer = { response_id: 'r1', text: 'Hi', finish_reason: 'COMPLETE', meta: { api_version: { version: '1' }, billed_units: null, tokens: TOKENS } };
    expect(adapter.usageFromJson(v1(false), answer)).toEqual({ model: null, usage: usage({ inputTokens: 400, outputTokens: 444 }) });
    const { billed_units: _b, ...noBilled } = answer.meta;
    expect(adapter.usageFromJson(v1(false), { ...answer, meta: noBilled }).usage).toEqual(usage({ inputTokens: 400, outputTokens: 444 }));
    const lines = [
      { is_finished: false, event_type: 'stream-start', generation_id: 'g1' },
      { is_finished: true, event_type: 'stream-end', finish_reason: 'COMPLETE', response: answer },
    ];
    // The server-sent-events form of the stream (`Accepts: text/event-stream`).
    expect(replay(v1(true), lines.map((l) => `data: ${JSON.stringify(l)}\n\n`).join(''))).toEqual({ model: null, usage: usage({ inputTokens: 400, outputTokens: 444 }) });
  });
});
