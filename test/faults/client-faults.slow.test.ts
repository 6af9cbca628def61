import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { startNodeServer } from '../../src/server/node.js';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import { FakeUpstream } from '../support/fake-upstream.js';
import { startHarness, UPSTREAM_KEY, waitFor, type Harness } from '../support/proxy-harness.js';
import { startForSuite } from '../support/suite-resource.js';
import { startBunProxy } from './bun-driver.js';
import { chatHead, chunk, openRaw, within } from './raw-client.js';

const CHAT = readFileSync(new URL('../fixtures/openai/chat.json', import.meta.url), 'utf8');
/** Short client timeouts so the tests run in seconds; production defaults are 60 s. */
const HEADER_TIMEOUT_MS = 500;
const BODY_TIMEOUT_MS = 500;
/** Idle keep-alive connections are closed after this long (Bun: rounded up to seconds, checked every 4 s). */
const KEEP_ALIVE_MS = 1000;
const SERVER_OPTIONS = { clientHeaderTimeoutMs: HEADER_TIMEOUT_MS, clientBodyTimeoutMs: BODY_TIMEOUT_MS, keepAliveTimeoutMs: KEEP_ALIVE_MS };
const BODY = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x'.repeat(600) }] });
/**
 * How long the provider goes quiet before its body and again before its end: longer than
 * any client-side idle timer of the edge (Node: the 1 s keep-alive; Bun's timers tick every
 * 4 s, so a cut would land within 4-8 s), ms.
 */
const THINK_MS = { node: 2000, bun: 5000 } as const;
const replyThinking = (thinkMs: number) => (req: { body: string }) => (req.body.includes('"think"') ? { body: ['', CHAT], delayMs: thinkMs } : { body: CHAT });

/** A running proxy under test, on either edge, in front of a fake provider. */
interface Target {
  port: number;
  secret: string;
  /** Requests the provider received. */
  forwarded(): number;
  /** The body of the last request the provider received. */
  lastForwardedBody(): string | undefined;
  /** Call rows stored so far. */
  stored(): number;
  /** Call rows stored, after the write queue had time to flush (for checks that nothing more was recorded). */
  rows(): Promise<number>;
  /** Requests the edge is still answering, where the edge can tell (Node). */
  inFlight(): number | null;
  close(): Promise<void>;
}

async function nodeTarget(): Promise<Target> {
  const h: Harness = await startHarness({
    upstream: { reply: replyThinking(THINK_MS.node) },
    overrides: { startServer: (o) => startNodeServer({ ...o, ...SERVER_OPTIONS }) },
  });
  return {
    port: h.proxy.server.port,
    secret: h.secret,
    forwarded: () => h.fake.requests.length,
    lastForwardedBody: () => h.fake.requests.at(-1)?.body,
    stored: () => h.rows().length,
    rows: async () => h.rows().length,
    inFlight: () => h.proxy.server.inFlight,
    close: () => h.close(),
  };
}

/** The same proxy on Bun from source (see bun-proxy.ts), with the same short timeouts. */
async function bunTarget(): Promise<Target> {
  const fake = await new FakeUpstream({ expectedKey: UPSTREAM_KEY, reply: replyThinking(THINK_MS.bun) }).start();
  const bun = await startBunProxy(fake, SERVER_OPTIONS);
  const stored = () => {
    const driver = openDriver(bun.db, { readonly: true });
    try {
      return driver.prepare('SELECT count(*) AS n FROM calls').get<{ n: number }>()?.n ?? 0;
    } finally {
      driver.close();
    }
  };
  return {
    port: bun.port,
    secret: bun.secret,
    forwarded: () => fake.requests.length,
    lastForwardedBody: () => fake.requests.at(-1)?.body,
    stored,
    rows: async () => {
      await new Promise((r) => setTimeout(r, 50));
      return stored();
    },
    inFlight: () => null,
    close: () => bun.close(),
  };
}

describe.each([
  ['node', nodeTarget],
  ['bun', bunTarget],
] as const)('client faults on the %s edge', (edge, start) => {
  const target = startForSuite(start);

  // Bun reads a declared body up to 1 MiB in one call timed as a whole, and others piece by piece: cover both paths.
  it.each(['content-length', 'chunked'] as const)('a client that stops sending its body mid-way (%s) gets 408 after client_body_timeout_ms; nothing forwarded or recorded', async (framing) => {
    const t = target();
    const [forwarded, rows] = [t.forwarded(), await t.rows()];
    const conn = await openRaw(t.port);
    const half = BODY.slice(0, 300);
    conn.write(framing === 'chunked' ? chatHead(t.secret, 'chunked') + chunk(half) : chatHead(t.secret, BODY.length) + half);
    const closedAfterMs = await within(conn.closed, 5000, 'the proxy closing the stalled connection');
    expect(closedAfterMs).toBeGreaterThanOrEqual(BODY_TIMEOUT_MS - 50);
    expect(conn.received()).toMatch(/^HTTP\/1\.1 408 /);
    expect(conn.received()).toContain('client_body_timeout');
    expect(t.forwarded()).toBe(forwarded);
    expect(await t.rows()).toBe(rows);
    expect(t.inFlight() ?? 0).toBe(0);
  });

  it('a client that disconnects halfway through its body: nothing forwarded, no record, the proxy keeps serving', async () => {
    const t = target();
    const [forwarded, rows] = [t.forwarded(), await t.rows()];
    for (let i = 0; i < 20; i++) {
      const conn = await openRaw(t.port);
      conn.write(chatHead(t.secret, BODY.length) + BODY.slice(0, 200 + i));
      await new Promise((r) => setTimeout(r, 20));
      conn.socket.destroy();
    }
    await new Promise((r) => setTimeout(r, 200));
    expect(t.forwarded()).toBe(forwarded);
    expect(await t.rows()).toBe(rows);
    expect(t.inFlight() ?? 0).toBe(0);
    const res = await fetch(`http://127.0.0.1:${t.port}/proxy/openai/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${t.secret}` }, body: BODY });
    expect(res.status).toBe(200);
    await res.text();
    expect(t.forwarded()).toBe(forwarded + 1);
    // The writer may store the call's row after the answer: wait for it, then check it is the only new one.
    await waitFor(() => t.stored() > rows, 3000, "the call's row");
    expect(await t.rows()).toBe(rows + 1);
  });

  it('a slow chunked body that keeps moving is not cut: the timeout is between pieces, not for the whole upload', async () => {
    const t = target();
    const forwarded = t.forwarded();
    const conn = await openRaw(t.port);
    conn.write(chatHead(t.secret, 'chunked', 'Connection: close\r\n'));
    const pieces = 8;
    const step = Math.ceil(BODY.length / pieces);
    const started = performance.now();
    for (let i = 0; i < pieces; i++) {
      await new Promise((r) => setTimeout(r, BODY_TIMEOUT_MS * 0.4));
      conn.write(chunk(BODY.slice(i * step, (i + 1) * step)));
    }
    conn.write(chunk(''));
    await within(conn.closed, 5000, 'the response');
    expect(performance.now() - started).toBeGreaterThan(BODY_TIMEOUT_MS * 2);
    expect(conn.received()).toMatch(/^HTTP\/1\.1 200 /);
    expect(t.forwarded()).toBe(forwarded + 1);
    expect(t.lastForwardedBody()).toBe(BODY);
  });

  it('a provider that thinks longer than the idle timeouts is waited for; the connection then idles out as keep-alive', async () => {
    const t = target();
    const body = JSON.stringify({ model: 'gpt-4o-mini', think: true, messages: [] });
    const thinkMs = THINK_MS[edge];
    const conn = await openRaw(t.port);
    const started = performance.now();
    conn.write(chatHead(t.secret, body.length) + body);
    // The fake provider goes quiet thinkMs before its body and again before its end; the relayed body is chunked.
    while (!/\r\n0\r\n\r\n$/.test(conn.received())) {
      if (performance.now() - started > thinkMs * 2 + 5000) throw new Error(`no full answer; got ${JSON.stringify(conn.received().slice(0, 200))}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const answeredAt = performance.now();
    expect(answeredAt - started).toBeGreaterThanOrEqual(thinkMs * 2 - 100);
    expect(conn.received()).toContain(CHAT.trim().slice(-20));
    expect(conn.received()).toMatch(/^HTTP\/1\.1 200 /);
    const closedAt = started + (await within(conn.closed, KEEP_ALIVE_MS + 8000, 'the idle keep-alive connection closing'));
    // Bun's 4-second timer ticks make its keep-alive close land anywhere up to 4 s early or late.
    if (edge === 'node') expect(closedAt - answeredAt).toBeGreaterThanOrEqual(KEEP_ALIVE_MS - 100);
  });

  // Node cuts unfinished headers after client_header_timeout_ms; Bun's uWebSockets after a fixed 10 s (its timers tick every 4 s).
  const headerWindow = edge === 'node' ? { min: HEADER_TIMEOUT_MS - 50, max: HEADER_TIMEOUT_MS * 4, status: /^HTTP\/1\.1 408 / } : { min: 9_000, max: 15_000, status: /^$/ };
  it(`headers sent byte by byte are cut after ${edge === 'node' ? 'client_header_timeout_ms' : 'uWebSockets\' fixed 10 s'}, before the handler runs`, { timeout: 30_000 }, async () => {
    const t = target();
    const rows = await t.rows();
    const conn = await openRaw(t.port);
    const head = chatHead(t.secret, 2);
    let i = 0;
    const drip = setInterval(() => conn.write(i < head.length - 2 ? (head[i++] as string) : 'x'), 20);
    const closedAfterMs = await within(conn.closed, headerWindow.max + 2000, 'the proxy cutting the slow headers').finally(() => clearInterval(drip));
    expect(closedAfterMs).toBeGreaterThanOrEqual(headerWindow.min);
    expect(closedAfterMs).toBeLessThan(headerWindow.max);
    expect(conn.received()).toMatch(headerWindow.status);
    expect(await t.rows()).toBe(rows);
  });
});
