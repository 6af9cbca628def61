import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBudgetProxy, startFake, tempDb, type BudgetProxy } from '../budget/support.js';
import type { FakeUpstream } from '../support/fake-upstream.js';
import { createAdminHandler } from '../../src/admin/handler.js';

const TOKEN = 'admin-secret-token-0123456789';

/**
 * Two PATCHes of different budget fields at once (two operators, a script and the TUI):
 * each merges with the key as stored inside its own transaction, so neither overwrites the other.
 */
describe('admin API: concurrent changes of one key', () => {
  let fake: FakeUpstream;
  let p: BudgetProxy;
  const db = tempDb();

  const admin = async (method: string, path: string, body?: unknown) => {
    const headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${p.proxy.url}/admin${path}`, { method, headers, ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}) });
    return { status: res.status, json: (await res.json()) as Record<string, any> };
  };

  beforeAll(async () => {
    fake = await startFake();
    p = await startBudgetProxy({ dbPath: db.dbPath, fake, yaml: `admin: { token: "${TOKEN}" }\ntimezone: UTC\n` });
  });
  afterAll(async () => {
    await p?.stop();
    await fake.stop();
    db.cleanup();
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
