import { describe, expect, it } from 'vitest';
import { Deadlines } from '../../src/lib/deadlines.js';
import { SocketBody } from '../../src/server/socket-body.js';
import { afterImmediates, latch, relayChat } from '../proxy/fakes.js';

const enc = new TextEncoder();
const CONTENT = 'data: {"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":"stop"}],"usage":null}\n\n';
const USAGE = 'data: {"model":"gpt-4o-mini","choices":[],"usage":{"prompt_tokens":7,"completion_tokens":3}}\n\n';
const DONE = 'data: [DONE]\n\n';

describe('relayBody: the chunk holding data: [DONE] never reached the client', () => {
  it('a client that leaves while the relay waits for it to take that chunk is client_aborted, not complete', async () => {
    const conn = { pause() {}, resume() {}, abandon() {} };
    const source = new SocketBody(conn, new Deadlines(60_000));
    let ended: { completed: boolean } | null = null;
    const body = relayChat(source, { onFinished: (completed) => void (ended = { completed }) });
    const client = latch();
    // The provider's last read: the last content, the usage and the end marker together.
    source.push(enc.encode(CONTENT + USAGE + DONE));
    // The client does not take that chunk (backpressure) ...
    const pumped = body.pump(() => client.wait).catch(() => {});
    await afterImmediates();
    // ... and leaves without it.
    body.cancel();
    client.open();
    await pumped;
    expect(ended).not.toBeNull();
    expect(ended!.completed, 'the client never had data: [DONE]').toBe(false);
  });
});
