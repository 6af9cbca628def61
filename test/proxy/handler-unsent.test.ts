import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sourceOf } from '../../src/proxy/stream-body.js';
import { UpstreamError } from '../../src/proxy/types.js';
import { upstreamFailure } from '../../src/proxy/upstream-failure.js';
import { CallCancel } from '../../src/lib/cancel.js';
import { encodeRequest } from '../../src/server/http1-request.js';
import { sseFrames } from '../support/fake-upstream.js';
import { bodyText, chatCall, fixture } from './fakes.js';

/**
 * Calls that end before or around their upstream request: what is recorded, what is
 * charged, what the client gets.
 */

const ASK = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Capital of France?' }] };
const FRAMES = sseFrames(readFileSync(new URL('../fixtures/openai/chat-stream-usage.sse', import.meta.url), 'utf8'));

describe('the handler around the upstream request', () => {
  it('a client that leaves while the proxy is still connecting (the upstream client says no byte was written) is not charged an estimate', async () => {
    // bun-exchange.ts `connecting`: an abort before the connection is up rejects with neverSent = true
    // (commit 7f88c89: "abort while connecting ... not billed or charged to budgets"). Nothing
    // was written, so nothing is billed: the request is aborted (CallCancel.connecting), not read on.
    const call = chatCall(ASK);
    const f = fixture(
      (req) =>
        new Promise((_resolve, reject) => {
          req.cancel.connecting = true;
          req.cancel.onAbort(() => reject(new UpstreamError('unreachable', 'AbortError', true)));
          call.leave();
        }),
    );
    const res = await f.handle(call);
    expect(res.status).toBe(499);
    expect(f.records).toHaveLength(1);
    expect(f.records[0]).toMatchObject({ outcome: 'client_aborted', usage: null, usageSource: 'not_metered', costNano: 0 });
    expect(f.gate.settled).toEqual([['r1', 0]]);
  });

  it('a request the proxy fails to prepare after its reservation is held is answered 500, recorded as refused and its reservation released', async () => {
    // openai.prepare once serialised a body with stream_options again with JSON.stringify, which
    // overflowed the stack on a deeply nested (but parseable) body; the throw left the reservation
    // held (other callers then waited for budget room) and no record. It now splices the raw
    // bytes, so an adapter that throws the same way stands in for it.
    const f = fixture(
      () => Promise.reject(new Error('never forwarded')),
      {},
      (adapter) => ({
        ...adapter,
        prepare: () => {
          throw new RangeError('Maximum call stack size exceeded');
        },
      }),
    );
    const res = await f.handle(chatCall({ model: 'gpt-4o-mini', stream: true, stream_options: {}, messages: [] }));
    expect(res.status).toBe(500);
    expect(await bodyText(res)).toMatch(/could not prepare this request/);
    expect(f.gate.requests, 'a reservation was taken').toHaveLength(1);
    expect(f.gate.settled, 'and released').toEqual([['r1', 0]]);
    expect(f.records).toHaveLength(1);
    expect(f.records[0]).toMatchObject({ outcome: 'refused', status: 500, costNano: 0 });
  });

  it('a stream whose provider body fails after data: [DONE] reached the client is recorded ok, and nothing follows [DONE]', async () => {
    const encoder = new TextEncoder();
    const f = fixture(() => ({
      status: 200,
      headers: { 'content-type': 'text/event-stream' },
      body: sourceOf(
        (async function* () {
          for (const frame of FRAMES) yield encoder.encode(frame);
          // The connection breaks before the body's terminating chunk.
          throw Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
        })(),
      ),
      bytes: () => Promise.reject(new Error('a stream is not read whole')),
    }));
    const res = await f.handle(chatCall({ ...ASK, stream: true, stream_options: { include_usage: true } }));
    const text = await bodyText(res);
    expect(text.startsWith(FRAMES.join(''))).toBe(true);
    expect(text.slice(FRAMES.join('').length), 'bytes sent after data: [DONE]').toBe('');
    expect(f.records).toHaveLength(1);
    expect(f.records[0]).toMatchObject({ outcome: 'ok', usageSource: 'reported' });
  });

  it('a request the socket client refuses to encode (a provider key with a trailing newline) never reached the provider, so it is not charged', () => {
    // An api_key taken from a file or secret with a trailing newline (config values are not trimmed): every call was charged an estimate.
    const req = { url: 'https://api.openai.com/v1/chat/completions', method: 'POST', headers: { authorization: 'Bearer sk-live\n' }, body: new Uint8Array(2), cancel: new CallCancel(), connectTimeoutMs: 1, headersTimeoutMs: 1, bodyTimeoutMs: 1 };
    let error: unknown = null;
    try {
      encodeRequest(req, 'api.openai.com', '/v1/chat/completions');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UpstreamError);
    expect(upstreamFailure('openai', error, 'request').reachedProvider).toBe(false);
  });
});
