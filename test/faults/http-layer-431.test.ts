import net from 'node:net';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import { FaultUpstream } from '../support/fault-upstream.js';
import { startHarness, type Harness } from '../support/proxy-harness.js';
import { startBunProxy, type BunProxy } from './bun-driver.js';

/**
 * Oversized request headers are refused by the HTTP layer of either edge (node:http past
 * its 16 KiB, uWebSockets on Bun) before tokometer's handler runs, so no provider shape can
 * be given: both answer `431 Request Header Fields Too Large` with `Connection: close` and
 * no body, which the SDKs report by status (openai: APIError 431 "431 status code (no
 * body)"; Anthropic: RequestHeaderFieldsTooLargeError). Nothing is
 * forwarded or recorded (docs/reliability.md, "Oversized headers").
 */
const BIG = 'a'.repeat(70_000);

function rawHead(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let out = '';
    socket.on('data', (d: Buffer) => (out += d.toString('latin1')));
    socket.on('close', () => resolve(out));
    socket.on('error', reject);
    socket.write(text);
    setTimeout(() => socket.end(), 500);
  });
}

describe.each(['node', 'bun'] as const)('oversized headers on the %s edge', (edge) => {
  let port = 0;
  let secret = '';
  let calls: () => number;
  let forwarded: () => number;
  let close: () => Promise<void>;

  beforeAll(async () => {
    if (edge === 'bun') {
      const upstream = await new FaultUpstream(() => ({ kind: 'status', status: 200, body: '{}' })).start();
      const p: BunProxy = await startBunProxy(upstream, {});
      port = p.port;
      secret = p.secret;
      calls = () => {
        const driver = openDriver(p.db, { readonly: true });
        try {
          return driver.prepare('SELECT COUNT(*) AS n FROM calls').get<{ n: number }>()!.n;
        } finally {
          driver.close();
        }
      };
      forwarded = () => upstream.requests.length;
      close = () => p.close();
    } else {
      const h: Harness = await startHarness({ upstream: { reply: () => ({ body: '{}' }) } });
      port = Number(new URL(h.proxy.url).port);
      secret = h.secret;
      calls = () => h.rows().length;
      forwarded = () => h.fake.requests.length;
      close = () => h.close();
    }
  }, 30_000);
  afterAll(async () => close?.());

  it('answers 431 with Connection: close, forwards and records nothing', async () => {
    const answer = await rawHead(port, `POST /proxy/openai/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${secret}\r\nX-Big: ${BIG}\r\nContent-Length: 2\r\n\r\n{}`);
    expect(answer).toMatch(/^HTTP\/1\.1 431 /);
    expect(answer.toLowerCase()).toContain('connection: close');
    expect(forwarded()).toBe(0);
    expect(calls()).toBe(0);
  });

  it('the openai SDK reports it by its status', async () => {
    const client = new OpenAI({ baseURL: `http://127.0.0.1:${port}/proxy/openai`, apiKey: secret, maxRetries: 2, defaultHeaders: { 'x-big': BIG } });
    await expect(client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })).rejects.toMatchObject({ status: 431 });
    expect(forwarded()).toBe(0);
  });
});
