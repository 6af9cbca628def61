import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sseFrames } from '../support/fake-upstream.js';
import { startHarness, type Harness } from '../support/proxy-harness.js';

const FRAMES = sseFrames(readFileSync(new URL('../fixtures/openai/chat-stream-usage.sse', import.meta.url), 'utf8'));
const SENT = FRAMES.slice(0, 4);
const SENT_BYTES = Buffer.byteLength(SENT.join(''));

describe('the Node edge: a provider stream with Content-Length cut short', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      upstream: {
        // Content-Length promises 10 bytes more than the provider sends before its connection breaks.
        reply: () => ({ headers: { 'content-type': 'text/event-stream', 'content-length': String(SENT_BYTES + 10) }, body: [...SENT, 'x'.repeat(10)], cutAfterChunks: SENT.length, delayMs: 20 }),
      },
    });
  }, 30_000);
  afterAll(async () => h?.close());

  it("is relayed chunked (its length is not the provider's once an error frame ends it), and the connection carries nothing past the body's end", async () => {
    const body = JSON.stringify({ model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true }, messages: [] });
    const { port } = new URL(h.proxy.url);
    const raw = await new Promise<Buffer>((resolve, reject) => {
      const s = connect(Number(port), '127.0.0.1');
      const got: Buffer[] = [];
      s.on('data', (d) => got.push(d)).on('error', reject);
      s.on('close', () => resolve(Buffer.concat(got)));
      s.write(`POST /proxy/openai/chat/completions HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${h.secret}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
      setTimeout(() => s.destroy(), 1500);
    });
    const headEnd = raw.indexOf('\r\n\r\n');
    const head = raw.subarray(0, headEnd).toString('latin1');
    expect(head).not.toMatch(/content-length:/i);
    expect(head).toMatch(/transfer-encoding: chunked/i);
    const answer = raw.subarray(headEnd + 4).toString('latin1');
    // The chunked body ends with its last chunk; nothing follows it that the next response would be read from.
    expect(answer.endsWith('0\r\n\r\n'), JSON.stringify(answer.slice(-80))).toBe(true);
    expect(answer).toContain(SENT.join('').slice(0, 40));
    expect(answer).toContain('"error"');
  });
});
