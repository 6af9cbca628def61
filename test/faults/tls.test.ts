import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/lib/errors.js';
import { startNodeServer } from '../../src/server/node.js';
import { loadTls } from '../../src/server/tls.js';
import { FakeUpstream, sseFrames } from '../support/fake-upstream.js';
import { startHarness, UPSTREAM_KEY, type Harness } from '../support/proxy-harness.js';
import { startForSuite } from '../support/suite-resource.js';
import { startBunProxy } from './bun-driver.js';
import { openRaw, within } from './raw-client.js';
import { selfSigned, type SelfSignedPem } from './self-signed.js';

const CHAT = readFileSync(new URL('../fixtures/openai/chat.json', import.meta.url), 'utf8');
const STREAM = sseFrames(readFileSync(new URL('../fixtures/openai/chat-stream-usage.sse', import.meta.url), 'utf8'));
const reply = (req: { body: string }) => (req.body.includes('"stream":true') ? { headers: { 'content-type': 'text/event-stream' }, body: STREAM, delayMs: 5 } : { body: CHAT });

/** POSTs over HTTPS trusting only `ca` (or, without it, the system's CAs); resolves status and body. */
function httpsPost(port: number, pathname: string, headers: Record<string, string>, body: string, ca?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port, path: pathname, method: 'POST', headers, ca, servername: '127.0.0.1' }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

let dir: string;
let pem: SelfSignedPem;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'tokometer-tls-'));
  pem = selfSigned(dir);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A proxy serving HTTPS with the test certificate, on either edge. */
interface TlsTarget {
  port: number;
  secret: string;
  close(): Promise<void>;
}

async function nodeTarget(): Promise<TlsTarget> {
  const h: Harness = await startHarness({ upstream: { reply }, overrides: { startServer: (o) => startNodeServer({ ...o, tls: { cert: pem.cert, key: pem.key } }) } });
  return { port: h.proxy.server.port, secret: h.secret, close: () => h.close() };
}

async function bunTarget(): Promise<TlsTarget> {
  const bun = await startBunProxy(await new FakeUpstream({ expectedKey: UPSTREAM_KEY, reply }).start(), { tls: { cert: pem.cert, key: pem.key } });
  expect(bun.url.startsWith('https://')).toBe(true);
  return { port: bun.port, secret: bun.secret, close: () => bun.close() };
}

describe.each([
  ['node', nodeTarget],
  ['bun', bunTarget],
] as const)('HTTPS with tls.cert and tls.key (%s edge)', (_edge, start) => {
  const target = startForSuite(start);

  it('serves a metered call and a stream over HTTPS to a client that trusts only the test certificate', async () => {
    const t = target();
    const auth = { authorization: `Bearer ${t.secret}`, 'content-type': 'application/json' };
    const plain = await httpsPost(t.port, '/proxy/openai/chat/completions', auth, '{"model":"gpt-4o-mini","messages":[]}', readFileSync(pem.cert, 'utf8'));
    expect(plain.status).toBe(200);
    expect(JSON.parse(plain.body)).toMatchObject({ usage: { total_tokens: 1259 } });
    const streamed = await httpsPost(t.port, '/proxy/openai/chat/completions', auth, '{"model":"gpt-4o-mini","stream":true,"stream_options":{"include_usage":true}}', readFileSync(pem.cert, 'utf8'));
    expect(streamed.body).toBe(STREAM.join(''));
  });

  it('does not answer plain HTTP on the TLS port', async () => {
    const t = target();
    const conn = await openRaw(t.port);
    conn.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await within(conn.closed, 15_000, 'the TLS server dropping a plain-HTTP client');
    expect(conn.received()).not.toContain('"status":"ok"');
  });

  it('presents the configured certificate: a client trusting only the system CAs rejects it as self-signed', async () => {
    const t = target();
    const error = (await httpsPost(t.port, '/healthz', {}, '').catch((e: unknown) => e)) as NodeJS.ErrnoException;
    expect(error.code).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
  });
});

describe('loadTls: a mistake is a config error naming the field and file', () => {
  const message = (files: { cert: string; key: string }) => {
    try {
      loadTls(files);
      return 'no error';
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      return (e as Error).message;
    }
  };

  it('names a missing file', () => {
    expect(message({ cert: path.join(dir, 'nope.pem'), key: pem.key })).toMatch(/^tls\.cert: cannot read .*nope\.pem \(ENOENT\)$/);
  });
  it('names a file that is not a certificate or not a key', () => {
    expect(message({ cert: pem.key, key: pem.key })).toMatch(/^tls\.cert: .*key\.pem is not a PEM certificate$/);
    expect(message({ cert: pem.cert, key: pem.cert })).toMatch(/^tls\.key: .*cert\.pem is not a PEM private key/);
  });
  it('refuses a key that does not belong to the certificate, without printing either', () => {
    const text = message({ cert: pem.cert, key: pem.otherKey });
    expect(text).toMatch(/^tls\.key: .*other-key\.pem is not the private key of the certificate in .*cert\.pem$/);
    expect(text).not.toContain('BEGIN');
  });
  it('accepts a matching pair and reports the subject and expiry', () => {
    const material = loadTls({ cert: pem.cert, key: pem.key });
    expect(material.subject).toBe('CN=127.0.0.1');
    expect(material.notAfter).toBeGreaterThan(Date.now());
  });
});
