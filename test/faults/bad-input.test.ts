import fc from 'fast-check';
import { connect } from 'node:net';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRoute, upstreamUrl } from '../../src/proxy/route.js';
import { rowOf, tagCall } from '../support/call-tag.js';
import { startHarness, type Harness } from '../support/proxy-harness.js';

const CHAT = readFileSync(new URL('../fixtures/openai/chat.json', import.meta.url), 'utf8');

/** Sends raw bytes to the proxy (no client-side URL normalisation) and returns the raw response. */
function rawRequest(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let out = '';
    socket.on('data', (d) => (out += d.toString()));
    socket.on('end', () => resolve(out));
    socket.on('close', () => resolve(out));
    socket.on('error', reject);
    socket.write(text);
    setTimeout(() => socket.end(), 300);
  });
}

describe('bad input: a clear error in the provider shape, nothing forwarded that should not be', () => {
  let h: Harness;
  let port: number;
  beforeAll(async () => {
    h = await startHarness({
      upstream: { reply: (req) => (req.url.startsWith('/chat/completions') ? { body: CHAT } : undefined) },
      configYaml: (url) => `providers:\n  openai: { base_url: "${url}", api_key: "sk-test-upstream-0123456789abcdef" }\nlimits: { max_body_bytes: 2048 }\nstore: { flush_interval_ms: 5 }\n`,
    });
    port = Number(new URL(h.proxy.url).port);
  });
  afterAll(async () => {
    await h.close();
  });

  const post = (body: BodyInit, headers: Record<string, string> = {}) =>
    fetch(`${h.baseUrl()}/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${h.secret}`, ...headers }, body });

  it('forwards a non-JSON body untouched', async () => {
    const body = 'model=gpt-4o-mini&not=json\u00e9';
    const call = tagCall();
    const res = await post(body, { 'content-type': 'application/x-www-form-urlencoded', ...call.headers });
    expect(res.status).toBe(200);
    expect(h.fake.requests.at(-1)?.body).toBe(body);
    expect(await rowOf(() => h.rows(), call.id)).toMatchObject({ model_requested: null, prompt_bytes: Buffer.byteLength(body) });
  });

  it('refuses a body over limits.max_body_bytes with 413 and never forwards it', async () => {
    const seen = h.fake.requests.length;
    const call = tagCall();
    const res = await post(JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x'.repeat(5000) }] }), call.headers);
    expect(res.status).toBe(413);
    const json = (await res.json()) as { error: { message: string; code: string } };
    expect(json.error.message).toMatch(/max_body_bytes \(2048 bytes\)/);
    expect(h.fake.requests.length).toBe(seen);
    expect(await rowOf(() => h.rows(), call.id)).toMatchObject({ status: 413, outcome: 'refused' });
  });

  it('refuses a chunked body that grows past the limit', async () => {
    const seen = h.fake.requests.length;
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < 10; i++) c.enqueue(new TextEncoder().encode('x'.repeat(500)));
        c.close();
      },
    });
    const res = await fetch(`${h.baseUrl()}/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${h.secret}` }, body: stream, duplex: 'half' } as RequestInit);
    expect(res.status).toBe(413);
    expect(h.fake.requests.length).toBe(seen);
  });

  it('refuses oversized headers before they reach the handler', async () => {
    const res = await rawRequest(port, `POST /proxy/openai/chat/completions HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(70_000)}\r\nContent-Length: 2\r\n\r\n{}`);
    expect(res).toMatch(/^HTTP\/1\.1 431/);
  });

  it.each([
    '/proxy/openai/../admin/keys',
    '/proxy/openai/chat/../../x',
    '/proxy/openai/%2e%2e/x',
    '/proxy/openai/chat%2fcompletions',
    '/proxy/openai/chat%5ccompletions',
    '/proxy/openai//evil.example/x',
    '/proxy/openai/.%2e/x',
  ])('refuses the path trick %s with 400 and forwards nothing', async (target) => {
    const seen = h.fake.requests.length;
    const res = await rawRequest(port, `POST ${target} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${h.secret}\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`);
    expect(res).toMatch(/^HTTP\/1\.1 400/);
    expect(res).toMatch(/Invalid request path/);
    expect(h.fake.requests.length).toBe(seen);
  });

  it('refuses an absolute-form request target', async () => {
    const seen = h.fake.requests.length;
    const res = await rawRequest(port, `POST http://evil.example/proxy/openai/chat/completions HTTP/1.1\r\nHost: evil.example\r\nAuthorization: Bearer ${h.secret}\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`);
    expect(res).toMatch(/^HTTP\/1\.1 400/);
    expect(h.fake.requests.length).toBe(seen);
  });

  it('never forwards a malformed tags header, and says what is wrong', async () => {
    const seen = h.fake.requests.length;
    for (const header of ['not json', '[1,2]', '{"a b":"c"}', '{"k":{"x":1}}', `{"k":"${'v'.repeat(300)}"}`]) {
      const res = await post('{"model":"gpt-4o-mini"}', { 'x-metering-tags': header });
      expect(res.status).toBe(400);
      const json = (await res.json()) as { error: { message: string } };
      expect(json.error.message).toMatch(/X-Metering-Tags/);
    }
    expect(h.fake.requests.length).toBe(seen);
  });
});

describe('path mapping (property)', () => {
  const BASE = 'https://api.example.com/v1';
  it('never leaves the base URL, whatever the request target', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'/.%2fFeE5cC0a_-:?#@\\ x'.split('')), maxLength: 40 }), (tail) => {
        const route = parseRoute(`/proxy/openai${tail.startsWith('/') ? '' : '/'}${tail}`);
        if (!route.ok || route.value.kind !== 'proxy') return;
        const target = new URL(upstreamUrl(BASE, route.value.path, route.value.query));
        expect(target.origin).toBe('https://api.example.com');
        expect(target.pathname === '/v1' || target.pathname.startsWith('/v1/')).toBe(true);
        const bytewise = target.pathname.replace(/%([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
        expect(bytewise.split(/[/\\]/)).not.toContain('..');
      }),
      { numRuns: 5000 },
    );
  });
});

describe('unknown methods', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ upstream: { reply: () => undefined } });
  });
  afterAll(async () => {
    await h.close();
  });

  it.each(['TRACE', 'PROPFIND', 'PURGE'])('refuses %s with 405 in the provider shape and forwards nothing', async (method) => {
    const port = Number(new URL(h.proxy.url).port);
    const res = await rawRequest(port, `${method} /proxy/openai/models HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${h.secret}\r\nConnection: close\r\n\r\n`);
    expect(res).toMatch(/^HTTP\/1\.1 405/);
    expect(res).toMatch(/allow: GET, POST/i);
    expect(res).toMatch(/"code":"method_not_allowed"/);
    expect(h.fake.requests).toHaveLength(0);
  });
});
