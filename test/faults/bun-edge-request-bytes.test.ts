import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UPSTREAM_KEY } from '../support/proxy-harness.js';
import { startBunProxyOn, type BunProxy } from './bun-driver.js';

/**
 * What the provider receives from the Bun binary (Bun edge + Bun socket client) must be
 * what the client sent, as on the Node edge (node:http keeps req.url and header bytes raw,
 * undici writes them back as latin1): header bytes, byte for byte. (The query and the path
 * are not: Bun hands the edge `request.url` already normalised — a raw `"` percent-encoded,
 * `..` resolved — with no raw request target to read instead; docs/reliability.md.)
 */
const ANSWER = '{"id":"x","object":"chat.completion","model":"gpt-4o-mini","choices":[],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}';

/** A provider on raw TCP that records each request head as latin1 (one char per byte). */
function rawUpstream(heads: string[]): Promise<{ url: string; stop(): Promise<void> }> {
  const server = net.createServer((socket) => {
    let buf = '';
    socket.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      const end = buf.indexOf('\r\n\r\n');
      if (end === -1) return;
      const len = Number(/content-length: *(\d+)/i.exec(buf.slice(0, end))?.[1] ?? 0);
      if (buf.length < end + 4 + len) return;
      heads.push(buf.slice(0, end));
      buf = '';
      socket.write(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${ANSWER.length}\r\n\r\n${ANSWER}`);
    });
    socket.on('error', () => undefined);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      resolve({ url: `http://127.0.0.1:${port}`, stop: () => new Promise<void>((r) => server.close(() => r())) });
    }),
  );
}

/** Sends `head` + `body` as latin1 bytes (one byte per char) and returns the status. */
function rawCall(port: number, head: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const c = net.connect(port, '127.0.0.1');
    let out = '';
    const timer = setTimeout(() => (c.destroy(), reject(new Error(`no answer: ${out}`))), 5000);
    c.on('data', (d: Buffer) => {
      out += d.toString('latin1');
      const m = /^HTTP\/1\.1 (\d{3})/.exec(out);
      if (m && out.includes('\r\n\r\n')) {
        clearTimeout(timer);
        c.destroy();
        resolve(Number(m[1]));
      }
    });
    c.on('error', reject);
    c.write(Buffer.from(head + body, 'latin1'));
  });
}

describe('request bytes through the Bun edge and socket client', () => {
  const heads: string[] = [];
  let proxy: BunProxy;
  const BODY = '{"model":"gpt-4o-mini","messages":[]}';
  const head = (target: string, extra = '') =>
    `POST ${target} HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${proxy.secret}\r\ncontent-type: application/json\r\ncontent-length: ${BODY.length}\r\n${extra}\r\n`;

  beforeAll(async () => {
    const upstream = await rawUpstream(heads);
    const config = `providers:\n  openai: { base_url: "${upstream.url}", api_key: "${UPSTREAM_KEY}" }\nstore: { flush_interval_ms: 5 }\n`;
    proxy = await startBunProxyOn(config, upstream, {}, { TOKOMETER_UPSTREAM_CLIENT: 'socket' });
  }, 30_000);
  afterAll(async () => proxy?.close());

  it('a header value holding UTF-8 bytes (OpenRouter X-Title "Café") reaches the provider byte for byte, not UTF-8-encoded twice', async () => {
    // "Café" as UTF-8 is 63 61 66 C3 A9; one char per byte here.
    expect(await rawCall(proxy.port, head('/proxy/openai/v1/chat/completions', 'x-title: Caf\xc3\xa9\r\n'), BODY)).toBe(200);
    const sent = heads.at(-1) as string;
    expect(sent).toContain('\r\nx-title: Caf\xc3\xa9\r\n');
  });
});
