import { describe, expect, it } from 'vitest';
import type { RunningProxy } from '../../src/proxy/start.js';
import { pgDatabases } from '../support/pg-databases.js';
import { proxySuite } from './proxy-suite.js';
import { addKey, chat } from './support.js';

const pg = pgDatabases();
const TOKEN = 'reset-replicas-admin-token';
const YAML = `admin: { token: "${TOKEN}" }
timezone: UTC
budgets:
  - { name: free-daily, match: { user_tier: free }, per: user_id, limit_usd: 0.03, period: day }
`;

/** An admin call on replica `p`: status and JSON. */
async function admin(p: RunningProxy, method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, any> }> {
  const headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${p.url}/admin${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: res.status, json: (await res.json()) as Record<string, any> };
}

/** `free-daily`'s instance of `user` as GET /admin/budgets on `p` shows it. */
async function instance(p: RunningProxy, user: string): Promise<Record<string, any> | undefined> {
  return (await admin(p, 'GET', '/budgets?name=free-daily')).json.budgets.find((b: { tag_value: string }) => b.tag_value === user);
}

/**
 * A new-user trial: two serve replicas on one PostgreSQL, a `per: user_id` budget. Calls of
 * u11 ($0.034) went through replica A; a reset of u11 through replica B answered
 * `"cleared_usd":0`, B's own counter's spend. And after a reset of every value through B,
 * A's GET /admin/budgets kept showing the old spend (`u7 113% BLOCKED`) for over a minute.
 * B's GET /admin/budgets did not list u11 at all: it listed only the instances it had seen
 * calls of, though it enforces the shared row of every instance.
 */
describe('an admin reset through one replica of spend made through another (PostgreSQL)', () => {
  const suite = proxySuite();

  it('answers the spend it cleared across the replicas, and the other replica shows the reset at once', async () => {
    const url = await pg.url('reset_replicas');
    const a = await suite.startOnPostgres(url, YAML);
    const b = await suite.startOnPostgres(url, YAML);
    const secret = await addKey(a, 'app');
    await b.keys.reload();
    for (const user of ['u11', 'u7', 'u8'])
      for (let i = 0; i < 3; i++) expect((await chat(`${a.url}/proxy/openai`, secret, { tags: { user_tier: 'free', user_id: user }, maxTokens: 100, content: `${user} q${i}` })).status).toBe(200);
    // A writes back what it settled at its next heartbeat (every second): then B, which saw none of these calls, lists the same.
    await new Promise((r) => setTimeout(r, 1500));
    const spent = async (user: string) => {
      const onA = (await instance(a, user))?.spent_usd as number;
      expect(onA).toBeGreaterThan(0);
      expect(await instance(b, user)).toMatchObject({ name: 'free-daily', kind: 'tag', per: 'user_id', tag_value: user, spent_usd: onA, limit_usd: 0.03, period: 'day', blocked: false, in_flight: 0 });
      return onA;
    };
    const u11 = await spent('u11');
    const u7 = await spent('u7');
    const u8 = await spent('u8');

    const one = await admin(b, 'POST', '/budgets/free-daily/reset', { tag_value: 'u11' });
    expect(one.status).toBe(200);
    expect(one.json.reset).toMatchObject({ tag_value: 'u11', all_values: false });
    expect(one.json.reset.cleared_usd).toBeCloseTo(u11, 9);

    const all = await admin(b, 'POST', '/budgets/free-daily/reset');
    expect(all.status).toBe(200);
    expect(all.json.reset).toMatchObject({ all_values: true });
    expect(all.json.reset.cleared_usd).toBeCloseTo(u7 + u8, 9);
    // A, which made the calls and has not synced since, shows the reset at once.
    expect({ u7: (await instance(a, 'u7'))?.spent_usd, u8: (await instance(a, 'u8'))?.spent_usd }).toEqual({ u7: 0, u8: 0 });
  }, 60_000);
});
