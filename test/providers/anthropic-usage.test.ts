import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createAnthropicAdapter } from '../../src/providers/anthropic.js';
import { mergeDeltaUsage, normaliseAnthropicUsage } from '../../src/providers/anthropic-usage.js';
import { expectBypassChangesNothing, itObservesJsonBodies, relayed, replayStream, usage } from './support.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/anthropic');
const adapter = createAnthropicAdapter();

const text = (name: string): string => readFileSync(join(FIXTURES, name), 'utf8');
const json = (name: string): unknown => JSON.parse(text(name));
const messagesInfo = (stream = false) => adapter.describe('POST', '/v1/messages', { model: 'claude-sonnet-4-5', stream, max_tokens: 1024 });

/** Replays a stream through the framer and a fresh accumulator in `chunk`-byte pieces; returns what the client would get. */
const replay = (stream: string | Uint8Array, chunk = 7) => replayStream(adapter, messagesInfo(true), { stripInjectedUsage: false }, stream, chunk);
/** The same, with every frame decoded (none passed by its bytes), to look at the frames. */
const replayDecoded = (stream: string | Uint8Array, chunk = 7) => replayStream(adapter, messagesInfo(true), { stripInjectedUsage: false }, stream, chunk, false);

const SONNET = 'claude-sonnet-4-5-20250929';

describe('usageFromJson on fixtures', () => {
  itObservesJsonBodies({
    observe: (body) => adapter.usageFromJson(messagesInfo(), body),
    load: json,
    fixtures: [
      // input = 21 uncached + 0 read + 1800 written; every write has the 5-minute lifetime.
      ['messages-cache-write-5m.json', { finishReasons: ['end_turn'], model: SONNET, usage: usage({ inputTokens: 1821, outputTokens: 12, cacheWrite5mTokens: 1800, serviceTier: 'standard' }) }],
      // 34 + 4096 written, split 1024 (5m) / 3072 (1h).
      ['messages-cache-write-1h.json', { finishReasons: ['end_turn'], model: SONNET, usage: usage({ inputTokens: 4130, outputTokens: 85, cacheWrite5mTokens: 1024, cacheWrite1hTokens: 3072, serviceTier: 'standard', inferenceGeo: 'us' }) }],
      ['messages-cache-read.json', { finishReasons: ['end_turn'], model: SONNET, usage: usage({ inputTokens: 4108, outputTokens: 64, cacheReadTokens: 4096, serviceTier: 'standard' }) }],
      // Thinking is inside output_tokens; null cache fields count as 0; unknown fields are ignored.
      ['messages-thinking.json', { finishReasons: ['end_turn'], model: SONNET, usage: usage({ inputTokens: 156, outputTokens: 1432, reasoningTokens: 1210, serviceTier: 'standard' }) }],
      // No cache_creation breakdown (older API): all 2200 writes are 5m.
      ['messages-legacy-cache.json', { finishReasons: ['end_turn'], model: 'claude-3-5-haiku-20241022', usage: usage({ inputTokens: 2509, outputTokens: 4, cacheReadTokens: 300, cacheWrite5mTokens: 2200 }) }],
      ['error-529.json', { model: null, usage: null }],
      ['error-429.json', { model: null, usage: null }],
    ],
    malformed: [undefined, null, 'text', 42, [], {}, { usage: null }, { usage: 'x' }, { usage: {} }, { usage: { input_tokens: -1, output_tokens: 'many' } }, { type: 'message', usage: { cache_read_input_tokens: 5 } }],
  });

  it('keeps cache writes consistent when the breakdown disagrees with the total', () => {
    // A 1h figure larger than the total is clamped; whatever the breakdown leaves unexplained is 5m.
    expect(normaliseAnthropicUsage({ input_tokens: 1, output_tokens: 1, cache_creation_input_tokens: 100, cache_creation: { ephemeral_1h_input_tokens: 400 } })).toMatchObject({
      inputTokens: 101,
      cacheWrite5mTokens: 0,
      cacheWrite1hTokens: 100,
    });
    expect(normaliseAnthropicUsage({ input_tokens: 1, output_tokens: 1, cache_creation_input_tokens: 100, cache_creation: { ephemeral_5m_input_tokens: 10, ephemeral_1h_input_tokens: 30 } })).toMatchObject({
      cacheWrite5mTokens: 70,
      cacheWrite1hTokens: 30,
    });
    // Breakdown without the total: the total is their sum.
    expect(normaliseAnthropicUsage({ input_tokens: 1, output_tokens: 1, cache_creation: { ephemeral_5m_input_tokens: 10, ephemeral_1h_input_tokens: 30 } })).toMatchObject({ inputTokens: 41, cacheWrite5mTokens: 10, cacheWrite1hTokens: 30 });
    // Thinking can never exceed output.
    expect(normaliseAnthropicUsage({ input_tokens: 1, output_tokens: 5, output_tokens_details: { thinking_tokens: 9 } })?.reasoningTokens).toBe(5);
  });

  it('reads the web searches the server tool ran (billed per search)', () => {
    expect(normaliseAnthropicUsage({ input_tokens: 10, output_tokens: 5, server_tool_use: { web_search_requests: 3 } })).toEqual(usage({ inputTokens: 10, outputTokens: 5, webSearches: 3 }));
    expect(normaliseAnthropicUsage({ input_tokens: 10, output_tokens: 5, server_tool_use: { web_search_requests: 0 } })).toEqual(usage({ inputTokens: 10, outputTokens: 5 }));
    expect(normaliseAnthropicUsage({ input_tokens: 10, output_tokens: 5, server_tool_use: { web_search_requests: -2 } })).toEqual(usage({ inputTokens: 10, outputTokens: 5 }));
  });
});

describe('streams', () => {
  it('web search: usage from message_start, overwritten by each cumulative message_delta (never summed); pings pass through', () => {
    const { observed, frames } = relayed(replayDecoded, text('messages-stream-web-search.sse'));
    expect(frames.filter((f) => f.event === 'ping')).toHaveLength(2);
    expect(frames.filter((f) => f.event === 'message_delta')).toHaveLength(2);
    // Last delta: 1310 uncached + 2048 read + 512 written (null in the last delta → kept from the
    // first delta); the 1h lifetime of those writes comes from message_start. Output 143, not 57 + 143.
    // One search, from the deltas' cumulative server_tool_use (billed per search).
    expect(observed).toEqual({ finishReasons: ['end_turn'],
      model: SONNET,
      usage: usage({ inputTokens: 3870, outputTokens: 143, cacheReadTokens: 2048, cacheWrite1hTokens: 512, serviceTier: 'standard', webSearches: 1 }),
    });
  });

  it('usage split across the first and last events: input from message_start, output from message_delta', () => {
    const { observed } = relayed(replay, text('messages-stream-uncached.sse'), 1);
    expect(observed).toEqual({ finishReasons: ['end_turn'], model: 'claude-haiku-4-5-20251001', usage: usage({ inputTokens: 25, outputTokens: 15, serviceTier: 'standard' }) });
  });

  it('fast mode and US-only inference, reported in message_start, survive the message_delta (which does not repeat them)', () => {
    const start = { type: 'message_start', message: { model: 'claude-opus-4-6', usage: { input_tokens: 1000, output_tokens: 1, service_tier: 'standard', inference_geo: 'us', speed: 'fast' } } };
    const delta = { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 500 } };
    const stream = `event: message_start\ndata: ${JSON.stringify(start)}\n\nevent: message_delta\ndata: ${JSON.stringify(delta)}\n\nevent: message_stop\ndata: {"type":"message_stop"}\n\n`;
    const { observed } = relayed(replay, stream, 5);
    expect(observed.usage).toEqual(usage({ inputTokens: 1000, outputTokens: 500, serviceTier: 'standard', inferenceGeo: 'us', speed: 'fast' }));
  });

  it('a stream without usage yields null and is relayed untouched', () => {
    const { observed } = relayed(replay, text('messages-stream-no-usage.sse'), 13);
    // Its one delta, "Hi there." (9 characters): ceil(9 / 4) = 3 output tokens carried, for the recorder's estimate.
    expect(observed).toEqual({ finishReasons: ['end_turn'], model: 'claude-haiku-4-5-20251001', usage: null, carriedOutputTokens: 3 });
  });

  it('a mid-stream error frame passes through; the usage seen so far is kept', () => {
    const { observed, frames } = relayed(replayDecoded, text('messages-stream-error.sse'));
    expect(frames.at(-1)?.event).toBe('error');
    // Its one delta, "Once upon" (9 characters), is ceil(9 / 4) = 3 output tokens: more than message_start's placeholder 1.
    expect(observed.usage).toEqual(usage({ inputTokens: 300, outputTokens: 3, serviceTier: 'standard' }));
    expect(observed.estimated).toBe(true);
    // The SDK raises it as an APIError: the call failed, and is recorded so (upstream_failed, its usage kept).
    expect(observed.failed).toBe('stream error: overloaded_error (Overloaded)');
  });

  it('frames passed by their bytes (every named event but message_* and error) change nothing', () => {
    const counts = ['messages-stream-web-search.sse', 'messages-stream-uncached.sse', 'messages-stream-no-usage.sse', 'messages-stream-error.sse'].map((file) => {
      const events = replayDecoded(text(file)).frames.map((f) => f.event);
      const passed = expectBypassChangesNothing(adapter, messagesInfo(true), { stripInjectedUsage: false }, text(file));
      expect(passed, file).toBe(events.filter((e) => e !== '' && !e.startsWith('message_') && e !== 'error').length);
      return passed;
    });
    expect(Math.min(...counts)).toBeGreaterThan(0);
    // Without event: lines nothing passes (the type is only in the JSON).
    expect(expectBypassChangesNothing(adapter, messagesInfo(true), { stripInjectedUsage: false }, text('messages-stream-web-search.sse').replace(/^event: .*\n/gm, ''))).toBe(0);
  });

  it('a frame whose event is decided past its first line ending is decoded, not passed by its bytes', () => {
    // An empty name leaves the type to the JSON; a lone CR ends the line early, so a second
    // event: line names the frame. Either way the byte check once passed a message_delta
    // undecoded and its output_tokens (500) were lost: the record kept message_start's 1.
    const start = `event: message_start\ndata: ${JSON.stringify({ type: 'message_start', message: { model: 'claude-haiku-4-5', usage: { input_tokens: 10, output_tokens: 1 } } })}\n\n`;
    const delta = JSON.stringify({ type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 500 } });
    for (const frame of [`event: \ndata: ${delta}\n\n`, `event: ping\revent: message_delta\ndata: ${delta}\n\n`]) {
      expect(expectBypassChangesNothing(adapter, messagesInfo(true), { stripInjectedUsage: false }, start + frame), JSON.stringify(frame)).toBe(0);
      expect(replay(start + frame).observed.usage).toEqual(usage({ inputTokens: 10, outputTokens: 500 }));
    }
  });

  it('a stream cut after the first message_delta keeps that delta', () => {
    const stream = text('messages-stream-web-search.sse');
    const cut = stream.slice(0, stream.indexOf('event: ping', stream.indexOf('event: message_delta')));
    expect(replay(cut).observed.usage).toEqual(usage({ inputTokens: 2608, outputTokens: 57, cacheReadTokens: 2048, cacheWrite1hTokens: 512, serviceTier: 'standard', webSearches: 1 }));
  });

  it('stop_reason comes from message_delta in a stream and from the body otherwise', () => {
    const stream = [
      `event: message_start\ndata: ${JSON.stringify({ type: 'message_start', message: { model: 'claude-haiku-4-5', usage: { input_tokens: 3, output_tokens: 1 } } })}`,
      `event: message_delta\ndata: ${JSON.stringify({ type: 'message_delta', delta: { stop_reason: 'max_tokens' }, usage: { output_tokens: 9 } })}`,
    ].join('\n\n');
    expect(replay(`${stream}\n\n`).observed.finishReasons).toEqual(['max_tokens']);
    expect(adapter.usageFromJson(messagesInfo(), { model: 'claude-haiku-4-5', stop_reason: 'tool_use', usage: { input_tokens: 1, output_tokens: 1 } }).finishReasons).toEqual(['tool_use']);
    expect(adapter.usageFromJson(messagesInfo(), { model: 'claude-haiku-4-5', stop_reason: null, usage: { input_tokens: 1, output_tokens: 1 } }).finishReasons).toBeUndefined();
  });

  it('frames without event: lines are still observed (type read from the JSON)', () => {
    const bare = text('messages-stream-web-search.sse').replace(/^event: .*\n/gm, '');
    expect(replay(bare).observed.usage).toMatchObject({ inputTokens: 3870, outputTokens: 143 });
  });

  it('CRLF framing gives the same usage', () => {
    const crlf = text('messages-stream-uncached.sse').replace(/\n/g, '\r\n');
    const { observed } = relayed(replay, crlf, 5);
    expect(observed.usage).toMatchObject({ inputTokens: 25, outputTokens: 15 });
  });

  it('message_delta never overwrites the start-only fields or with nulls', () => {
    const running: Record<string, unknown> = { input_tokens: 10, cache_creation: { ephemeral_1h_input_tokens: 4 }, service_tier: 'priority', output_tokens: 1 };
    mergeDeltaUsage(running, { output_tokens: 7, input_tokens: null, cache_creation: { ephemeral_5m_input_tokens: 4 }, service_tier: 'batch' });
    expect(running).toEqual({ input_tokens: 10, cache_creation: { ephemeral_1h_input_tokens: 4 }, service_tier: 'priority', output_tokens: 7 });
  });

  it('property: for any sequence of cumulative deltas the last non-null value of each field wins', () => {
    const field = fc.option(fc.nat({ max: 1_000_000 }), { nil: null });
    const delta = fc.record({ output_tokens: fc.nat({ max: 1_000_000 }), input_tokens: field, cache_read_input_tokens: field, cache_creation_input_tokens: field });
    fc.assert(
      fc.property(fc.nat({ max: 10_000 }), fc.array(delta, { maxLength: 6 }), (startInput, deltas) => {
        const start = `event: message_start\ndata: ${JSON.stringify({ type: 'message_start', message: { model: 'claude-haiku-4-5', usage: { input_tokens: startInput, output_tokens: 1 } } })}\n\n`;
        const body = deltas.map((d) => `event: message_delta\ndata: ${JSON.stringify({ type: 'message_delta', delta: { stop_reason: null }, usage: d })}\n\n`).join('');
        const last = (name: keyof typeof deltas[number], initial: number): number => deltas.reduce<number>((v, d) => (d[name] ?? v) as number, initial);
        const got = replay(start + body, 11).observed.usage;
        const read = last('cache_read_input_tokens', 0);
        const written = last('cache_creation_input_tokens', 0);
        expect(got).toEqual(usage({ inputTokens: last('input_tokens', startInput) + read + written, outputTokens: last('output_tokens', 1), cacheReadTokens: read, cacheWrite5mTokens: written }));
      }),
    );
  });

  it('non-messages endpoints get a pass-through accumulator', () => {
    const acc = adapter.newStreamAccumulator(adapter.describe('POST', '/v1/messages/count_tokens', {}), { stripInjectedUsage: false });
    expect(acc.onFrame({ event: 'message_start', data: '{"type":"message_start","message":{"usage":{"input_tokens":5,"output_tokens":1}}}' })).toBe(true);
    expect(acc.finish()).toEqual({ usage: null, model: null });
  });
});

describe('Anthropic server-side fallback: the model that served the turn', () => {
  const hop = (type: string, model?: string) => ({ type, ...(model === undefined ? {} : { model }), input_tokens: 100, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 10 });
  const answer = (iterations: object[]) => ({ type: 'message', model: 'claude-fable-5', stop_reason: 'end_turn', usage: { input_tokens: 100, output_tokens: 10, iterations } });

  it('a chain whose first fallback declined too: the fallback_message entry (claude-opus-5) served, whatever the message entries before it name', () => {
    const observed = adapter.usageFromJson(messagesInfo(), answer([hop('message', 'claude-fable-5'), hop('message', 'claude-opus-4-8'), hop('fallback_message', 'claude-opus-5')]));
    expect(observed.model).toBe('claude-opus-5');
    // The declined hops' counts are not added: the top level is the serving hop's.
    expect(observed.usage).toMatchObject({ inputTokens: 100, outputTokens: 10 });
  });

  it('no fallback_message entry, or one naming no model: the answer\'s own model', () => {
    expect(adapter.usageFromJson(messagesInfo(), answer([hop('message', 'claude-fable-5')])).model).toBe('claude-fable-5');
    expect(adapter.usageFromJson(messagesInfo(), answer([hop('fallback_message')])).model).toBe('claude-fable-5');
  });

  it('a stream cut before its last message_delta keeps message_start\'s model (the requested one: above the bill for Fable 5 → Opus 4.8, never below)', () => {
    const acc = adapter.newStreamAccumulator(messagesInfo(true), { stripInjectedUsage: false });
    acc.onFrame({ event: 'message_start', data: JSON.stringify({ type: 'message_start', message: { model: 'claude-fable-5', usage: { input_tokens: 100, output_tokens: 1 } } }) });
    acc.onFrame({ event: 'content_block_start', data: JSON.stringify({ type: 'content_block_start', index: 0, content_block: { type: 'fallback', from: { model: 'claude-fable-5' }, to: { model: 'claude-opus-4-8' } } }) });
    expect(acc.finish().model).toBe('claude-fable-5');
  });
});
