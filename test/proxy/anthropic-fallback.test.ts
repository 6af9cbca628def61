import { describe, expect, it } from 'vitest';
import { createPricer } from '../../src/pricing/pricer.js';
import { afterImmediates, bodyText, fixture, jsonAnswer, SECRET, sseAnswer } from './fakes.js';

/**
 * Anthropic server-side fallback (beta `server-side-fallback-2026-06-01`, request `fallbacks`):
 * claude-fable-5 declines and claude-opus-4-8 serves the turn. The answer's usage.iterations
 * ends with a `fallback_message` entry naming the serving model (SDK
 * BetaFallbackMessageIterationUsage: "Whether a fallback model served the response is
 * signalled by the presence of this entry"); the declined hop is a `message` entry. The
 * record's model is the serving model and its tokens cost that model's rates (the real
 * catalog: claude-opus-4-8 $5 / $25 per 1M, cache reads $0.50; claude-fable-5 $10 / $50,
 * cache reads $1).
 */

const PROVIDERS = 'providers:\n  anthropic: { base_url: "http://upstream.invalid", api_key: "sk-ant-upstream" }\n';
const HEADERS = { 'x-api-key': SECRET, 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'anthropic-beta': 'server-side-fallback-2026-06-01' };
const FALLBACK_BLOCK = { type: 'fallback', from: { model: 'claude-fable-5' }, to: { model: 'claude-opus-4-8' }, trigger: { type: 'refusal', category: 'cyber' } };

/** The serving hop's counts (top level and `fallback_message`): 3,000 uncached + 20,000 cache reads in, 800 out. */
const SERVED = { input_tokens: 3000, cache_creation_input_tokens: 0, cache_read_input_tokens: 20000, output_tokens: 800 };
/** A non-streamed fallback-served answer whose top-level model is `model`. */
function answer(model: string): string {
  return JSON.stringify({
    id: 'msg_1', type: 'message', role: 'assistant', model, content: [FALLBACK_BLOCK, { type: 'text', text: 'Here is how the exploit class works.' }], stop_reason: 'end_turn',
    usage: {
      ...SERVED, service_tier: 'standard',
      iterations: [
        { type: 'message', model: 'claude-fable-5', input_tokens: 3000, cache_creation_input_tokens: 0, cache_read_input_tokens: 20000, output_tokens: 0 },
        { type: 'fallback_message', model: 'claude-opus-4-8', ...SERVED },
      ],
    },
  });
}

/** A fallback-served stream: message_start names the requested model; the last message_delta carries the hops. */
const STREAM = [
  `event: message_start\ndata: ${JSON.stringify({ type: 'message_start', message: { id: 'msg_2', type: 'message', role: 'assistant', model: 'claude-fable-5', content: [], stop_reason: null, usage: { input_tokens: 2000, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 1 } } })}\n\n`,
  `event: content_block_start\ndata: ${JSON.stringify({ type: 'content_block_start', index: 0, content_block: FALLBACK_BLOCK })}\n\n`,
  `event: content_block_stop\ndata: ${JSON.stringify({ type: 'content_block_stop', index: 0 })}\n\n`,
  `event: content_block_start\ndata: ${JSON.stringify({ type: 'content_block_start', index: 1, content_block: { type: 'text', text: '' } })}\n\n`,
  `event: content_block_delta\ndata: ${JSON.stringify({ type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: 'Here is how it works.' } })}\n\n`,
  `event: content_block_stop\ndata: ${JSON.stringify({ type: 'content_block_stop', index: 1 })}\n\n`,
  `event: message_delta\ndata: ${JSON.stringify({
    type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null },
    usage: {
      input_tokens: 2000, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 600,
      iterations: [
        { type: 'message', model: 'claude-fable-5', input_tokens: 2000, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 1 },
        { type: 'fallback_message', model: 'claude-opus-4-8', input_tokens: 2000, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 600 },
      ],
    },
  })}\n\n`,
  `event: message_stop\ndata: ${JSON.stringify({ type: 'message_stop' })}\n\n`,
];

/** Sends `body` to /v1/messages through a fixture priced by the real catalog. */
async function send(f: ReturnType<typeof fixture>, body: object): Promise<string> {
  const catalog = createPricer();
  f.pricer.price = (usage, ctx) => catalog.price(usage, ctx);
  const bytes = new TextEncoder().encode(JSON.stringify(body));
  const res = await f.handle({
    method: 'POST',
    url: '/proxy/anthropic/v1/messages',
    headers: HEADERS,
    readBody: async (limit) => (bytes.length > limit ? null : bytes),
    signal: new AbortController().signal,
  });
  expect(res.status).toBe(200);
  const text = await bodyText(res);
  await afterImmediates();
  return text;
}

const REQUEST = { model: 'claude-fable-5', max_tokens: 4096, fallbacks: [{ model: 'claude-opus-4-8' }], messages: [{ role: 'user', content: 'How does this exploit class work?' }] };

describe('Anthropic server-side fallback through the proxy', () => {
  it('a non-streamed answer: recorded as claude-opus-4-8 at its rates, 15,000,000 + 10,000,000 + 20,000,000 = 45,000,000 nano-USD', async () => {
    const body = answer('claude-opus-4-8');
    const f = fixture(() => jsonAnswer(body), {}, undefined, PROVIDERS);
    expect(await send(f, REQUEST)).toBe(body);
    expect(f.records[0]).toMatchObject({ modelRequested: 'claude-fable-5', model: 'claude-opus-4-8', costNano: 45_000_000, error: null });
    expect(f.records[0]!.usage).toMatchObject({ inputTokens: 23_000, cacheReadTokens: 20_000, outputTokens: 800 });
    expect(f.gate.settled.map(([, nano]) => nano)).toEqual([45_000_000]);
  });

  it('a non-streamed answer whose top-level model still names the requested model: the fallback_message entry decides, 45,000,000 (not fable-5\'s 90,000,000)', async () => {
    const body = answer('claude-fable-5');
    const f = fixture(() => jsonAnswer(body), {}, undefined, PROVIDERS);
    expect(await send(f, REQUEST)).toBe(body);
    expect(f.records[0]).toMatchObject({ modelRequested: 'claude-fable-5', model: 'claude-opus-4-8', costNano: 45_000_000 });
  });

  it('a streamed answer (message_start names claude-fable-5): recorded as claude-opus-4-8, 10,000,000 + 15,000,000 = 25,000,000 nano-USD (not 50,000,000)', async () => {
    const f = fixture((req) => sseAnswer(req, STREAM), {}, undefined, PROVIDERS);
    expect(await send(f, { ...REQUEST, stream: true })).toBe(STREAM.join(''));
    expect(f.records[0]).toMatchObject({ modelRequested: 'claude-fable-5', model: 'claude-opus-4-8', costNano: 25_000_000, streamed: true });
    expect(f.records[0]!.usage).toMatchObject({ inputTokens: 2_000, outputTokens: 600 });
    expect(f.gate.settled.map(([, nano]) => nano)).toEqual([25_000_000]);
  });
});

describe('Anthropic `fallbacks`: the models the API may run instead of `model`', () => {
  /** Sends `body` and returns the status, the body read. */
  async function status(f: ReturnType<typeof fixture>, body: object): Promise<number> {
    const bytes = new TextEncoder().encode(JSON.stringify(body));
    const res = await f.handle({ method: 'POST', url: '/proxy/anthropic/v1/messages', headers: HEADERS, readBody: async () => bytes, signal: new AbortController().signal });
    const text = await bodyText(res);
    await afterImmediates();
    if (res.status !== 200) expect(text).toMatch(/fallback/);
    return res.status;
  }

  it('a key allowed claude-fable-5 only is refused (403, nothing forwarded) a request whose fallbacks name claude-opus-4-8, which would serve and be recorded as claude-opus-4-8', async () => {
    const f = fixture(() => jsonAnswer(answer('claude-opus-4-8')), { models: ['claude-fable-5'] }, undefined, PROVIDERS);
    expect(await status(f, REQUEST)).toBe(403);
    expect(await status(f, { ...REQUEST, fallbacks: 'default' })).toBe(403);
    expect(f.upstream.requests).toEqual([]);
    expect(await status(f, { ...REQUEST, fallbacks: undefined })).toBe(200);
    expect(f.upstream.requests).toHaveLength(1);
  });

  it('hands the budget gate the fallback models (null for "default": the API picks) with their own max_tokens and speed, so the reservation covers the dearest attempt the API may bill', async () => {
    const f = fixture(() => jsonAnswer(answer('claude-opus-4-8')), {}, undefined, PROVIDERS);
    expect(await status(f, REQUEST)).toBe(200);
    expect(await status(f, { ...REQUEST, fallbacks: 'default' })).toBe(200);
    expect(await status(f, { ...REQUEST, fallbacks: [{ model: 'claude-opus-4-8', max_tokens: 64000, speed: null }, { model: 'claude-opus-5', speed: 'fast' }] })).toBe(200);
    expect(f.gate.requests.map((r) => r.fallbackModels)).toEqual([
      [{ model: 'claude-opus-4-8' }],
      [{ model: null }],
      [{ model: 'claude-opus-4-8', maxOutputTokens: 64000, speed: 'standard' }, { model: 'claude-opus-5', speed: 'fast' }],
    ]);
  });
});
