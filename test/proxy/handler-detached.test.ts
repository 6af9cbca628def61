import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sourceOf } from '../../src/proxy/stream-body.js';
import type { UpstreamRequest, UpstreamResponse } from '../../src/proxy/types.js';
import { sseFrames } from '../support/fake-upstream.js';
import { afterImmediates, chatCall, fixture, jsonAnswer, latch, sseAnswer, type FakeCall } from './fakes.js';

/**
 * Work the provider runs whatever happens to the connection (an OpenAI Responses
 * `background: true` request, RequestInfo.runsDetached), and any non-streamed call (the
 * provider has the whole request and bills the whole answer): a client that leaves before
 * the answer does not abort the upstream request, and the answer is still metered.
 */

const RESPONSE = readFileSync(new URL('../fixtures/openai/responses.json', import.meta.url), 'utf8');
const STREAM = sseFrames(readFileSync(new URL('../fixtures/openai/responses-stream.sse', import.meta.url), 'utf8'));
const ASK = { model: 'gpt-4o-mini', input: 'research this' };

function responsesCall(body: object): FakeCall {
  return { ...chatCall(body), url: '/proxy/openai/responses' };
}

/** A provider whose answer waits until `answer.open()`; `requests` are the upstream requests made. */
function slowProvider(reply: (req: UpstreamRequest) => UpstreamResponse) {
  const answer = latch();
  const requests: UpstreamRequest[] = [];
  const f = fixture(async (req) => {
    requests.push(req);
    await answer.wait;
    return reply(req);
  });
  return { f, answer, requests };
}

/** Longer than the departure watch's delay for a non-streamed call (departure.ts). */
const settle = () => new Promise((r) => setTimeout(r, 60));

describe('a client that leaves before the answer to detached work', () => {
  it('background: the upstream request goes on, and the answer that arrives is metered', async () => {
    const { f, answer, requests } = slowProvider(() => jsonAnswer(RESPONSE));
    const call = responsesCall({ ...ASK, background: true });
    const pending = f.handle(call);
    await settle();
    call.leave();
    await settle();
    expect(requests[0]?.cancel.aborted, 'not aborted while its answer is awaited').toBe(false);
    answer.open();
    await pending;
    await afterImmediates();
    expect(f.records).toHaveLength(1);
    expect(f.records[0]).toMatchObject({ usageSource: 'reported' });
    expect(f.records[0]?.usage?.outputTokens).toBeGreaterThan(0);
  });

  it('background and streamed: the stream no edge reads is drained and metered, the client answered 499', async () => {
    const { f, answer, requests } = slowProvider((req) => sseAnswer(req, STREAM));
    const call = responsesCall({ ...ASK, background: true, stream: true });
    const pending = f.handle(call);
    await settle();
    call.leave();
    await settle();
    expect(requests[0]?.cancel.aborted).toBe(false);
    answer.open();
    expect((await pending).status).toBe(499);
    await settle();
    expect(f.records).toHaveLength(1);
    expect(f.records[0]).toMatchObject({ usageSource: 'reported' });
    expect(f.records[0]?.usage?.outputTokens).toBeGreaterThan(0);
  });

  it('a foreground stream is still aborted when its client leaves, and recorded client_aborted', async () => {
    const f = fixture(
      (req) =>
        new Promise((_resolve, reject) => {
          req.cancel.onAbort(() => reject(Object.assign(new Error('This operation was aborted'), { name: 'AbortError' })));
        }),
    );
    const call = responsesCall({ ...ASK, stream: true });
    const pending = f.handle(call);
    await settle();
    call.leave();
    expect((await pending).status).toBe(499);
    expect(f.upstream.requests[0]?.cancel.aborted).toBe(true);
    expect(f.records[0]).toMatchObject({ outcome: 'client_aborted' });
  });

  it('a foreground non-streamed answer relayed whole (no Content-Length) is drained after its client left, recorded client_aborted with its usage', async () => {
    const { f, answer, requests } = slowProvider(() => ({ ...jsonAnswer(RESPONSE), headers: { 'content-type': 'application/json' } }));
    const call = responsesCall(ASK);
    let ended = false;
    const pending = f.handle(call).finally(() => (ended = true));
    await settle();
    call.leave();
    await settle();
    expect(requests[0]?.cancel.aborted, 'not aborted while its answer is awaited').toBe(false);
    answer.open();
    await afterImmediates();
    expect((await pending).status).toBe(499);
    expect(ended).toBe(true);
    expect(f.records).toHaveLength(1);
    expect(f.records[0]).toMatchObject({ outcome: 'client_aborted', status: 0, usageSource: 'reported' });
    expect(f.records[0]?.usage?.outputTokens).toBeGreaterThan(0);
  });

  it('the relayed answer of a departed client is read before the call ends (it counts as in flight)', async () => {
    const rest = latch();
    const { f, answer } = slowProvider(() => ({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: sourceOf(
        (async function* () {
          await rest.wait;
          yield new TextEncoder().encode(RESPONSE);
        })(),
      ),
      bytes: async () => new TextEncoder().encode(RESPONSE),
    }));
    const call = responsesCall(ASK);
    let ended = false;
    const pending = f.handle(call).finally(() => (ended = true));
    await settle();
    call.leave();
    await settle();
    answer.open();
    await settle();
    expect(ended, 'the call waits while its answer is read').toBe(false);
    rest.open();
    expect((await pending).status).toBe(499);
    expect(f.records).toHaveLength(1);
    expect(f.records[0]).toMatchObject({ outcome: 'client_aborted', usageSource: 'reported' });
  });
});
