import { describe, expect, it } from 'vitest';
import { sourceOf } from '../../src/proxy/stream-body.js';
import { UpstreamError, type UpstreamResponse } from '../../src/proxy/types.js';
import { afterImmediates, bodyText, chatCall, fixture, jsonAnswer, sseAnswer, type Fixture } from './fakes.js';

/**
 * A non-streamed answer is generated whole before its first byte is sent: one the provider
 * sent but tokometer never read whole (cut mid-body), or whose headers never came within
 * headers_timeout (the provider most likely still generating), was billed for its output too.
 * Recorded `estimated`, its output at the request's allowance (max_tokens, else the hold's
 * output estimate), outcome unchanged, and the budget settled at that cost. Nothing that never
 * reached the provider, no error status and no stream is counted so.
 */

const CUT = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
const ASK = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Write me a long story about the sea.' }] };
/** FAKE_PRICER: 10 nano per input token, 20 per output token. */
const fakeCost = (input: number, output: number) => input * 10 + output * 20;
const NOTE = (n: number) => `the answer was cut after the provider generated it: output counted at the request's allowance, ${n} tokens`;

/** A JSON answer without Content-Length (relayed as it arrives) whose body breaks after its first piece. */
function relayedJsonCut(status = 200): UpstreamResponse {
  return {
    status,
    headers: { 'content-type': 'application/json' },
    body: sourceOf(
      (async function* () {
        yield new TextEncoder().encode('{"id":"chatcmpl-1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"Once upon');
        throw CUT;
      })(),
    ),
    bytes: () => Promise.reject(new Error('relayed, not read whole')),
  };
}

/** A fixture whose budget gate expects `expected` output tokens of a call without max_tokens. */
function withExpected(f: Fixture, expected: number): Fixture {
  (f.gate as { expectedOutputTokens?: () => number }).expectedOutputTokens = () => expected;
  return f;
}

async function onlyRecord(f: Fixture, body: object) {
  const res = await f.handle(chatCall(body));
  const text = await bodyText(res).catch(() => '');
  await afterImmediates();
  expect(f.records).toHaveLength(1);
  return { res, text, r: f.records[0]! };
}

describe('a non-streamed answer the provider generated but tokometer never read is metered at its allowance', () => {
  it('(a) a JSON answer cut mid-body (read whole): 502, upstream_failed, estimated with max_tokens output, its cost settled', async () => {
    const f = fixture(() => jsonAnswer('{"id":"x"}', 200, CUT));
    const { res, r } = await onlyRecord(f, { ...ASK, max_tokens: 500 });
    expect(res.status).toBe(502);
    expect(r).toMatchObject({ outcome: 'upstream_failed', status: 502, usageSource: 'estimated' });
    expect(r.usage?.outputTokens).toBe(500);
    const input = r.usage!.inputTokens;
    expect(input).toBeGreaterThan(0);
    expect(r.costNano).toBe(fakeCost(input, 500));
    expect(r.error).toContain('upstream body failed: other side closed');
    expect(r.error).toContain(NOTE(500));
    expect(f.gate.settled).toEqual([['r1', fakeCost(input, 500)]]);
  });

  it('(a) without max_tokens: the output the budget expects of the key and model (the hold\'s estimate)', async () => {
    const f = withExpected(fixture(() => jsonAnswer('{"id":"x"}', 200, CUT)), 700);
    const { r } = await onlyRecord(f, ASK);
    expect(r).toMatchObject({ outcome: 'upstream_failed', usageSource: 'estimated' });
    expect(r.usage?.outputTokens).toBe(700);
    expect(r.error).toContain(NOTE(700));
    expect(f.gate.settled).toEqual([['r1', fakeCost(r.usage!.inputTokens, 700)]]);
  });

  it('(a) a JSON answer relayed as it arrives (no Content-Length) and cut mid-body: the same', async () => {
    const f = fixture(() => relayedJsonCut());
    const { r } = await onlyRecord(f, { ...ASK, max_completion_tokens: 300 });
    expect(r).toMatchObject({ outcome: 'upstream_failed', status: 200, usageSource: 'estimated' });
    expect(r.usage?.outputTokens).toBe(300);
    expect(r.error).toContain(NOTE(300));
  });

  it('(b) no headers within headers_timeout (undici and Bun): 504, upstream_failed, output at max_tokens', async () => {
    for (const reason of ['UND_ERR_HEADERS_TIMEOUT', 'headers timeout']) {
      const f = fixture(() => Promise.reject(new UpstreamError('timeout', reason)));
      const { res, r } = await onlyRecord(f, { ...ASK, max_tokens: 500 });
      expect(res.status).toBe(504);
      expect(r).toMatchObject({ outcome: 'upstream_failed', status: 504, usageSource: 'estimated' });
      expect(r.usage?.outputTokens, reason).toBe(500);
      expect(r.error).toContain(`did not answer in time (${reason})`);
      expect(r.error).toContain("no answer came within header_timeout_ms, though the provider most likely generated it: output counted at the request's allowance, 500 tokens");
      expect(f.gate.settled).toEqual([['r1', fakeCost(r.usage!.inputTokens, 500)]]);
    }
  });

  it('(b) without max_tokens: the hold\'s output estimate', async () => {
    const f = withExpected(fixture(() => Promise.reject(new UpstreamError('timeout', 'UND_ERR_HEADERS_TIMEOUT'))), 640);
    const { r } = await onlyRecord(f, ASK);
    expect(r.usage?.outputTokens).toBe(640);
  });

  it('a refused connection or a connect timeout (nothing reached the provider): nothing counted, as today', async () => {
    for (const error of [new UpstreamError('unreachable', 'ECONNREFUSED'), new UpstreamError('timeout', 'UND_ERR_CONNECT_TIMEOUT'), new UpstreamError('timeout', 'connect timeout', true)]) {
      const f = fixture(() => Promise.reject(error));
      const { r } = await onlyRecord(f, { ...ASK, max_tokens: 500 });
      expect(r, error.message).toMatchObject({ outcome: 'upstream_failed', usageSource: 'not_metered', costNano: 0 });
      expect(f.gate.settled).toEqual([['r1', 0]]);
    }
  });

  it('a connection reset before any answer: input only, as today (the request may not have been read whole)', async () => {
    const f = fixture(() => Promise.reject(new UpstreamError('unreachable', 'ECONNRESET')));
    const { r } = await onlyRecord(f, { ...ASK, max_tokens: 500 });
    expect(r).toMatchObject({ outcome: 'upstream_failed', usageSource: 'estimated' });
    expect(r.usage?.outputTokens).toBe(0);
    expect(r.error).not.toContain('allowance');
  });

  it('an error status (5xx, 429) whose body is cut: no output counted, as today (providers do not bill those)', async () => {
    for (const status of [500, 429]) {
      const f = fixture(() => relayedJsonCut(status));
      const { r } = await onlyRecord(f, { ...ASK, max_tokens: 500 });
      expect(r.outcome).toBe('upstream_failed');
      expect(r.usage?.outputTokens ?? 0, String(status)).toBe(0);
      expect(r.error ?? '').not.toContain('allowance');
    }
  });

  it('a stream cut mid-way, or whose headers never came: metered from what was relayed, as today', async () => {
    const frame = 'data: {"id":"c","object":"chat.completion.chunk","model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":"Hi"}}]}\n\n';
    const cut = fixture((req) => sseAnswer(req, [frame, frame, frame], { failAfter: 2 }));
    const { r } = await onlyRecord(cut, { ...ASK, stream: true, max_tokens: 500 });
    expect(r).toMatchObject({ outcome: 'upstream_failed', streamed: true, usageSource: 'estimated' });
    expect(r.usage?.outputTokens).toBe(2);
    const stalled = fixture(() => Promise.reject(new UpstreamError('timeout', 'UND_ERR_HEADERS_TIMEOUT')));
    const s = await onlyRecord(stalled, { ...ASK, stream: true, max_tokens: 500 });
    expect(s.r.usage?.outputTokens).toBe(0);
  });
});
