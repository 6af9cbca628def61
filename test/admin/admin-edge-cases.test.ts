import { beforeAll, describe, expect, it } from 'vitest';
import { proxySuite } from '../budget/proxy-suite.js';
import { chat, type BudgetProxy } from '../budget/support.js';
import { createAdminHandler } from '../../src/admin/handler.js';

const TOKEN = 'admin-secret-token-0123456789';

/**
 * The admin API on a real proxy: a body over the limit (413), errors that name this API's
 * query parameters, and two PATCHes of different budget fields at once (two operators, a
 * script and the TUI), each merged with the key as stored inside its own transaction.
 */
describe('admin API: limits, names and concurrent changes', () => {
  const suite = proxySuite();
  let p: BudgetProxy;

  const admin = async (method: string, path: string, body?: unknown) => {
    const headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${p.proxy.url}/admin${path}`, { method, headers, ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}) });
    return { status: res.status, json: (await res.json()) as Record<string, any> };
  };

  beforeAll(async () => {
    p = await suite.start({ yaml: `admin: { token: "${TOKEN}" }\ntimezone: UTC\n` });
  });

  it('answers 413 for an admin body over the limit (IncomingCall.readBody contract), not 400', async () => {
    const r = await admin('POST', '/keys', JSON.stringify({ name: 'big', tags: { feature: 'x' }, pad: 'x'.repeat(70 * 1024) }));
    expect(r.status).toBe(413);
  });

  it('/admin/spend errors name query parameters, not CLI flags', async () => {
    for (const q of ['by=nope_dim!', 'by=model,provider,key', 'by=model,model', 'since=2026-11-10&until=2026-11-01']) {
      const r = await admin('GET', `/spend?${q}`);
      expect(r.status).toBe(400);
      expect(r.json.error.code).toBe('invalid_query');
      expect(r.json.error.message, q).not.toMatch(/--(by|since|until|top|where)/);
    }
  });

  it('keeps a fixed key tag named __proto__ (a valid tag key, SPEC §4) as data, as request tags are', async () => {
    const r = await admin('POST', '/keys', '{"name":"proto-tag","tags":{"__proto__":"t_victim","feature":"x"}}');
    expect(r.status).toBe(201);
    expect(Object.keys(r.json.key.tags).sort()).toEqual(['__proto__', 'feature']);
    const patched = await admin('PATCH', '/keys/proto-tag', '{"tags":{"__proto__":"t_other"}}');
    expect(patched.json.key.tags).toEqual(JSON.parse('{"__proto__":"t_other"}'));
    const listed = await admin('GET', '/keys');
    const key = (listed.json.keys as Array<{ name: string; tags: Record<string, string> }>).find((k) => k.name === 'proto-tag');
    expect(Object.entries(key?.tags ?? {})).toEqual([['__proto__', 't_other']]);
  });

  it('a key works right after creation (sanity)', async () => {
    const r = await admin('POST', '/keys', { name: 'sanity' });
    expect((await chat(p.baseUrl, r.json.secret)).status).toBe(200);
  });

  it('two concurrent PATCHes of different budget fields both apply when handled in one process (no lost update)', async () => {
    const handler = createAdminHandler({
      token: TOKEN,
      store: p.proxy.store,
      keys: p.proxy.keys,
      budgets: null,
      clock: () => Date.now(),
      timeZone: 'UTC',
      economics: {} as never,
      configKeys: {},
      reports: p.proxy.store.reports as never,
      log: { error: () => {}, warn: () => {}, info: () => {}, debug: () => {} } as never,
    });
    const call = (method: string, body: unknown) => ({
      method,
      url: '/admin/keys/x',
      headers: { authorization: `Bearer ${TOKEN}` },
      readBody: async () => new TextEncoder().encode(JSON.stringify(body)),
      signal: new AbortController().signal,
    });
    expect((await admin('POST', '/keys', { name: 'race-direct', budget: { limit_usd: 5, period: 'month' } })).status).toBe(201);
    const [a, b] = await Promise.all([
      handler(call('PATCH', { budget: { limit_usd: 10 } }), '/keys/race-direct', ''),
      handler(call('PATCH', { budget: { period: 'day' } }), '/keys/race-direct', ''),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const key = (await admin('GET', '/keys')).json.keys.find((k: { name: string }) => k.name === 'race-direct');
    expect(key.budget).toMatchObject({ limit_usd: 10, period: 'day' });
  });
});
