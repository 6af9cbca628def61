import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/lib/errors.js';
import { AdminApiError, createAdminClient, retryAfterMs, type AdminHttpOptions } from '../../src/reconcile/http.js';
import { allBuckets } from '../../src/reconcile/pages.js';

/**
 * The admin API client on its own, against a scripted loopback server: which answers are
 * retried and how long it waits (a recorded fake sleep), what gives up and how the error
 * names the request, the time limits, and that the key never shows in a message.
 */

const KEY = 'sk-admin-unit-SECRET-0000';
type Script = (n: number, url: string) => { status: number; body?: string; headers?: Record<string, string>; hang?: boolean };

let server: Server | null = null;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = null;
});

async function serve(script: Script): Promise<{ url: string; hits: string[] }> {
  const hits: string[] = [];
  server = createServer((req, res) => {
    hits.push(req.url ?? '');
    const a = script(hits.length, req.url ?? '');
    if (a.hang) return;
    res.writeHead(a.status, { 'content-type': 'application/json', ...(a.headers ?? {}) }).end(a.body ?? '{}');
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, hits };
}

function client(url: string, http: AdminHttpOptions = {}) {
  const waits: number[] = [];
  const c = createAdminClient({
    baseUrl: url,
    headers: { authorization: `Bearer ${KEY}` },
    secret: KEY,
    keySource: 'OPENAI_ADMIN_KEY',
    providerLabel: 'OpenAI',
    http: { sleep: async (ms) => void waits.push(ms), ...http },
  });
  return { c, waits };
}

const q = () => new URLSearchParams({ start_time: '1793491200', 'group_by[]': 'model' });

describe('admin API client', () => {
  it('waits the Retry-After of a 429 (seconds or an HTTP date) and backs off on 5xx', async () => {
    const { url, hits } = await serve((n) => (n === 1 ? { status: 429, headers: { 'retry-after': '7' } } : n === 2 ? { status: 503 } : { status: 200, body: '{"ok":1}' }));
    const { c, waits } = client(url, { backoffMs: 250 });
    expect(await c.getJson('/v1/organization/costs', q())).toEqual({ ok: 1 });
    expect(waits).toEqual([7000, 500]);
    expect(hits).toHaveLength(3);
    expect(hits[0]).toBe('/v1/organization/costs?start_time=1793491200&group_by%5B%5D=model');
    expect(retryAfterMs('Wed, 02 Dec 2026 17:00:10 GMT', Date.parse('2026-12-02T17:00:00Z'))).toBe(10_000);
    expect(retryAfterMs('soon', 0)).toBeNull();
  });

  it('gives up on a persistent 500 naming the request and the attempts', async () => {
    const { url, hits } = await serve(() => ({ status: 500, body: '{"error":{"message":"boom"}}' }));
    const { c } = client(url, { maxAttempts: 3, backoffMs: 1 });
    const e = await c.getJson('/v1/organization/costs', q()).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(AdminApiError);
    expect((e as Error).message).toBe('OpenAI admin API: GET /v1/organization/costs?start_time=1793491200&group_by[]=model answered 500 Internal Server Error: boom (gave up after 3 attempts)');
    expect(hits).toHaveLength(3);
  });

  it('does not retry other 4xx, and refuses a Retry-After longer than allowed', async () => {
    const bad = await serve(() => ({ status: 400, body: '{"error":{"message":"invalid start_time"}}' }));
    const e1 = await client(bad.url).c.getJson('/v1/organization/costs', q()).catch((x: unknown) => x);
    expect((e1 as Error).message).toContain('answered 400 Bad Request: invalid start_time');
    expect(bad.hits).toHaveLength(1);
    await new Promise<void>((r) => server!.close(() => r()));
    const slow = await serve(() => ({ status: 429, headers: { 'retry-after': '3600' } }));
    const e2 = await client(slow.url).c.getJson('/v1/x', q()).catch((x: unknown) => x);
    expect((e2 as Error).message).toContain('answered 429 asking to retry after 3600 s (longer than 60 s)');
  });

  it('times out a silent server per attempt and stops at the run deadline', async () => {
    const { url, hits } = await serve(() => ({ status: 200, hang: true }));
    const { c } = client(url, { requestTimeoutMs: 100, maxAttempts: 2, backoffMs: 1 });
    const e = await c.getJson('/v1/organization/usage/completions', q()).catch((x: unknown) => x);
    expect((e as Error).message).toMatch(/GET \/v1\/organization\/usage\/completions\?.* timed out after 0\.1 s \(gave up after 2 attempts\)$/);
    expect(hits).toHaveLength(2);
    const t = Date.now();
    const late = client(url, { requestTimeoutMs: 60_000, totalTimeoutMs: 150, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) });
    const e2 = await late.c.getJson('/v1/x', q()).catch((x: unknown) => x);
    expect((e2 as Error).message).toMatch(/timed out after 0\.1 s|no time left/);
    expect(Date.now() - t).toBeLessThan(10_000);
  });

  it('names an unreachable server, and a key the provider rejects, without the key', async () => {
    const { c } = client('http://127.0.0.1:9/v1', { maxAttempts: 1 });
    const e = await c.getJson('/v1/organization/costs', q()).catch((x: unknown) => x);
    expect((e as Error).message).toMatch(/^OpenAI admin API: GET \/v1\/organization\/costs\?.* failed: fetch failed/);
    const { url } = await serve(() => ({ status: 401, body: JSON.stringify({ error: { message: `Incorrect API key provided: ${KEY}` } }) }));
    const e2 = await client(url).c.getJson('/v1/organization/costs', q()).catch((x: unknown) => x);
    expect(e2).toBeInstanceOf(UsageError);
    expect((e2 as UsageError).exitCode).toBe(2);
    expect((e2 as Error).message).toContain('rejected the admin key from OPENAI_ADMIN_KEY');
    expect((e2 as Error).message).toContain('Incorrect API key provided: [admin key]');
    expect((e2 as Error).message).not.toContain(KEY);
  });

  it('follows next_page, and refuses a body without data or a cursor that repeats', async () => {
    const pages: Record<string, unknown> = {
      '': { data: [{ results: [{ a: 1 }] }], has_more: true, next_page: 'p2' },
      p2: { data: [{ results: [] }, { results: [{ a: 2 }] }], has_more: true, next_page: 'p3' },
      p3: { data: [], has_more: false, next_page: null },
    };
    const ok = await serve((_, u) => ({ status: 200, body: JSON.stringify(pages[new URL(u, 'http://x').searchParams.get('page') ?? '']) }));
    expect(await allBuckets(client(ok.url).c, 'costs', '/v1/organization/costs', q())).toHaveLength(3);
    expect(ok.hits).toHaveLength(3);
    await new Promise<void>((r) => server!.close(() => r()));
    const loop = await serve(() => ({ status: 200, body: JSON.stringify({ data: [], has_more: true, next_page: 'same' }) }));
    await expect(allBuckets(client(loop.url).c, 'costs', '/v1/organization/costs', q())).rejects.toThrow('costs: next_page "same" came back twice');
    await new Promise<void>((r) => server!.close(() => r()));
    const junk = await serve(() => ({ status: 200, body: '{"object":"error"}' }));
    await expect(allBuckets(client(junk.url).c, 'costs', '/v1/organization/costs', q())).rejects.toThrow('costs: the answer has no data array');
  });
});
