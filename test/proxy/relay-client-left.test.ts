import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Deadlines } from '../../src/lib/deadlines.js';
import type { BodyObservation } from '../../src/proxy/observation.js';
import type { ChunkRead, ChunkSource, StreamBody } from '../../src/proxy/types.js';
import { SocketBody } from '../../src/server/socket-body.js';
import type { CallRecord } from '../../src/store/types.js';
import { sseFrames } from '../support/fake-upstream.js';
import { afterImmediates, chatCall, fixture, latch, pullChunks, relayChat, sseAnswer } from './fakes.js';

/**
 * A client that leaves mid-stream: what the proxy already read from the upstream but had not
 * relayed yet (chunks waiting in the upstream client's buffer while a slow client held the
 * relay back, a read that came in as the client left) carries the usage the provider bills;
 * it is metered, not dropped for an estimate.
 */

const enc = new TextEncoder();

const CONTENT = 'data: {"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}],"usage":null}\n\n';
const USAGE = 'data: {"model":"gpt-4o-mini","choices":[],"usage":{"prompt_tokens":7,"completion_tokens":3}}\n\n';
const DONE = 'data: [DONE]\n\n';

interface Ended {
  completed: boolean;
  seen: BodyObservation;
}

/** Relays `source` as the client asked usage itself (no strip); `ended` resolves with how it ended. */
function relay(source: ChunkSource): { body: StreamBody; ended: Promise<Ended> } {
  let report: (e: Ended) => void = () => {};
  const ended = new Promise<Ended>((resolve) => (report = resolve));
  const body = relayChat(source, { onFinished: (completed, _error, seen) => report({ completed, seen }) });
  return { body, ended };
}

/** The Bun socket client's body reader on a fake connection that remembers being abandoned. */
function socketBody(): { source: SocketBody; conn: { abandoned: boolean } } {
  const conn = { abandoned: false, pause() {}, resume() {}, abandon: () => void (conn.abandoned = true) };
  return { source: new SocketBody(conn, new Deadlines(60_000)), conn };
}

/** A relay over the socket client's reader whose client has not taken the first chunk yet (the pump waits on its write). */
async function slowClientOnSocket() {
  const { source, conn } = socketBody();
  const { body, ended } = relay(source);
  const client = latch();
  source.push(enc.encode(CONTENT));
  const pumped = body.pump(() => client.wait).catch(() => {});
  await afterImmediates();
  return { source, conn, body, ended, client, pumped };
}

describe('relayBody: a client that leaves has what the upstream already sent metered', () => {
  it('socket client: the usage chunk queued while the client was slow to take a chunk is metered when it leaves', async () => {
    const { source, conn, body, ended, client, pumped } = await slowClientOnSocket();
    // The provider finishes while the client has not taken the first chunk yet.
    source.push(enc.encode(USAGE));
    source.push(enc.encode(DONE));
    body.cancel();
    client.open();
    await pumped;
    const end = await ended;
    expect(end.completed).toBe(false);
    expect(end.seen.observed?.usage).toMatchObject({ inputTokens: 7, outputTokens: 3 });
    expect(conn.abandoned, 'the upstream connection is closed').toBe(true);
  });

  it('a chunk whose read completed as the client left is metered', async () => {
    let deliver: (r: ChunkRead) => void = () => {};
    const source: ChunkSource = { read: () => new Promise<ChunkRead>((resolve) => (deliver = resolve)), cancel: () => deliver({ done: true }) };
    const { body, ended } = relay(source);
    const pumped = body.pump(() => undefined).catch(() => {});
    await afterImmediates();
    deliver({ done: false, value: enc.encode(CONTENT + USAGE) });
    body.cancel();
    await pumped;
    expect((await ended).seen.observed?.usage).toMatchObject({ inputTokens: 7, outputTokens: 3 });
  });

  it('does not wait on the network for more: with nothing queued, the upstream is closed within the turn, before the edge settles the write', async () => {
    const { conn, body, ended, client, pumped } = await slowClientOnSocket();
    body.cancel();
    await afterImmediates();
    expect(conn.abandoned).toBe(true);
    client.open();
    await pumped;
    expect((await ended).completed).toBe(false);
  });

  it('a client that leaves while the relay waits on a quiet upstream closes the upstream at once', async () => {
    const { source, conn } = socketBody();
    const { body, ended } = relay(source);
    source.push(enc.encode(CONTENT));
    const pumped = body.pump(() => undefined).catch(() => {});
    await afterImmediates();
    body.cancel();
    expect(conn.abandoned).toBe(true);
    await pumped;
    expect((await ended).completed).toBe(false);
  });
});

const FRAMES = sseFrames(readFileSync(new URL('../fixtures/openai/chat-stream-usage.sse', import.meta.url), 'utf8'));
const STREAM = { model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'Capital of France?' }] };

describe('the proxy handler: a client that leaves a stream it was slow to read', () => {
  it('the frames the upstream client holds (undici-like: gone once the request is aborted) are metered before the request is aborted', async () => {
    const f = fixture((req) => sseAnswer(req, FRAMES));
    const call = chatCall(STREAM);
    const res = await f.handle(call);
    const it = pullChunks(res.body as StreamBody);
    expect((await it.next()).done).toBe(false);
    // Every other frame, the usage chunk with them, has arrived; the client has read one chunk, and leaves.
    call.leave();
    await it.return?.();
    expect(f.records).toHaveLength(1);
    const r = f.records[0] as CallRecord;
    expect(r).toMatchObject({ outcome: 'client_aborted', status: 200, usageSource: 'reported', usage: { inputTokens: 1250, outputTokens: 9 } });
    expect(f.upstream.requests[0]?.cancel.aborted, 'the upstream request is released').toBe(true);
    expect(f.gate.settled).toEqual([['r1', r.costNano]]);
  });
});
