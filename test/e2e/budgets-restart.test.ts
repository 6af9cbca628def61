import { afterEach, describe, expect, it } from 'vitest';
import { revokeKeyAudited, updateKeyAudited } from '../../src/admin/key-ops.js';
import { KEY_WATCH_MS } from '../../src/proxy/auth.js';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import { proxySuite } from '../budget/proxy-suite.js';
import { addKey, chat, keyBudget, type BudgetProxy } from '../budget/support.js';
import { waitFor } from '../support/proxy-harness.js';
import { testStore, type TestStore } from '../support/store.js';

/** How long a change made by another process may take to apply: a few polls of the change token. */
const APPLIES_WITHIN_MS = 4 * KEY_WATCH_MS + 1000;

const YAML = `budgets:
  - { name: free-daily, match: { user_tier: free }, per: user_id, limit_usd: 0.0004, period: day }
`;

async function exhaust(baseUrl: string, secret: string, tags: Record<string, string> = {}) {
  for (let i = 0; i < 30; i++) {
    const r = await chat(baseUrl, secret, { tags, maxTokens: 400, content: `q${i}` });
    if (r.status === 429) return r;
    expect(r.status).toBe(200);
  }
  throw new Error('never refused');
}

describe('budgets across restarts and processes', () => {
  // A database of its own for each case; its proxies are stopped after it.
  const suite = proxySuite({ scope: 'test' });
  let p: BudgetProxy | null = null;
  let other: TestStore | null = null;
  const start = async () => (p = await suite.start({ yaml: YAML }));
  afterEach(async () => {
    await other?.close();
    other = null;
  });

  it('spend, blocks and resets survive a restart of the proxy', async () => {
    await start();
    const secret = await addKey(p!.proxy, 'capped', { budget: keyBudget(0.0005) });
    const free = await addKey(p!.proxy, 'app');
    const keyBlock = await exhaust(p!.baseUrl, secret);
    await exhaust(p!.baseUrl, free, { user_tier: 'free', user_id: 'u1' });
    const spentBefore = p!.proxy.budgets!.snapshot().find((s) => s.name === 'capped')!.spentNano;
    await p!.stop();

    await start();
    const again = await chat(p!.baseUrl, secret, { maxTokens: 400 });
    expect(again.status).toBe(429);
    expect(again.json.error.reset_at).toBe(keyBlock.json.error.reset_at);
    expect(again.json.error.budget.spent_usd).toBe(spentBefore / 1e9);
    expect((await chat(p!.baseUrl, free, { tags: { user_tier: 'free', user_id: 'u1' }, maxTokens: 400 })).status).toBe(429);
    expect((await chat(p!.baseUrl, free, { tags: { user_tier: 'free', user_id: 'u2' }, maxTokens: 400 })).status).toBe(200);

    // An operator reset clears u1's day; a restart must not bring that spend back.
    const reset = await p!.proxy.budgets!.reset({ name: 'free-daily', tagValue: 'u1' }, 'admin');
    expect(reset).toMatchObject({ ok: true, kind: 'tag', tagValue: 'u1', allValues: false, period: 'day' });
    expect((await chat(p!.baseUrl, free, { tags: { user_tier: 'free', user_id: 'u1' }, maxTokens: 400 })).status).toBe(200);
    await p!.stop();

    await start();
    const states = p!.proxy.budgets!.snapshot();
    const u1 = states.find((s) => s.name === 'free-daily' && s.tagValue === 'u1')!;
    expect(u1.blocked).toBe(false);
    expect(u1.spentNano).toBe(Number(p!.driver.prepare("SELECT cost_nano FROM calls ORDER BY id DESC LIMIT 1").get<{ cost_nano: number }>()!.cost_nano));
    expect(states.find((s) => s.name === 'capped')!.blocked).toBe(true);
    expect((await p!.proxy.store.history.list({ keyName: 'free-daily' })).map((e) => e.action)).toEqual(['budget_reset']);
  });

  it('revocation and budget changes made by another process apply within a bound, without a restart', async () => {
    await start();
    const secret = await addKey(p!.proxy, 'tenant', { budget: keyBudget(0.0005) });
    await exhaust(p!.baseUrl, secret);
    other = testStore(openDriver(suite.dbPath));
    const tenant = () => p!.proxy.budgets!.snapshot().find((s) => s.name === 'tenant');
    const applied = (what: string, done: () => boolean) => waitFor(done, APPLIES_WITHIN_MS, what);

    // Raised by another connection: once noticed, the next request passes, and spend is kept.
    await updateKeyAudited(other, 'tenant', { budget: keyBudget(1) }, 'cli', Date.now());
    await applied('the raised budget', () => tenant()?.limitNano === 1e9);
    expect((await chat(p!.baseUrl, secret, { maxTokens: 400 })).status).toBe(200);
    const kept = p!.proxy.budgets!.snapshot().find((s) => s.name === 'tenant')!;
    expect(kept.limitNano).toBe(1e9);
    expect(kept.spentNano).toBeGreaterThan(0.0005e9);

    // Lowered again: refused once noticed.
    await updateKeyAudited(other, 'tenant', { budget: keyBudget(0.0001) }, 'cli', Date.now());
    await applied('the lowered budget', () => tenant()?.limitNano === 0.0001e9);
    expect((await chat(p!.baseUrl, secret, { maxTokens: 400 })).status).toBe(429);

    // Budget removed: no cap at all.
    await updateKeyAudited(other, 'tenant', { budget: null }, 'cli', Date.now());
    await applied('the removed budget', () => tenant() === undefined);
    expect((await chat(p!.baseUrl, secret, { maxTokens: 400 })).status).toBe(200);
    expect(p!.proxy.budgets!.snapshot().some((s) => s.name === 'tenant')).toBe(false);

    // A new budget whose window already holds spend starts from the stored spend.
    await updateKeyAudited(other, 'tenant', { budget: keyBudget(0.0002, { period: 'day' }) }, 'cli', Date.now());
    await applied('the daily budget', () => tenant()?.period === 'day');
    expect((await chat(p!.baseUrl, secret, { maxTokens: 400 })).status).toBe(429);
    const stored = Number(other.driver.prepare("SELECT sum(cost_nano) AS s FROM calls WHERE key_name = 'tenant'").get<{ s: number }>()!.s);
    expect(p!.proxy.budgets!.snapshot().find((s) => s.name === 'tenant')!.spentNano).toBe(stored);

    // Revoked: the next request is refused as unauthorized.
    await revokeKeyAudited(other, 'tenant', 'cli', Date.now());
    await applied('the revocation', () => !p!.proxy.keys.activeKeys().some((k) => k.name === 'tenant'));
    const revoked = await chat(p!.baseUrl, secret);
    expect(revoked.status).toBe(401);
    expect(p!.proxy.budgets!.snapshot().some((s) => s.name === 'tenant')).toBe(false);
    expect((await other.history.list({ keyName: 'tenant' })).map((e) => `${e.actor}:${e.action}`)).toEqual(['cli:set', 'cli:set', 'cli:set', 'cli:set', 'cli:revoke']);
  });
});
