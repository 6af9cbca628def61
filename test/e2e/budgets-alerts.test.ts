import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { updateKeyAudited } from '../../src/admin/key-ops.js';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import { createStore } from '../../src/store/sqlite-store.js';
import { proxySuite } from '../budget/proxy-suite.js';
import { addKey, chat, keyBudget, type BudgetProxy } from '../budget/support.js';

/** A webhook receiver that answers 503 to its first `failFirst` POSTs, then 200. */
async function startWebhook(failFirst: number) {
  const posts: Array<{ status: number; body: { id: string; threshold: number; type: string; budget: { name: string } } }> = [];
  const server: Server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      const status = posts.length < failFirst ? 503 : 200;
      posts.push({ status, body: JSON.parse(text) });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { posts, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, stop: () => new Promise<void>((r) => server.close(() => r())) };
}

describe('budget alerts', () => {
  let hook: Awaited<ReturnType<typeof startWebhook>>;
  beforeAll(async () => {
    hook = await startWebhook(3);
  });
  afterAll(async () => {
    await hook.stop();
  });
  // Registered after the webhook's hooks, so its teardown (the proxies) runs before the webhook stops.
  const suite = proxySuite();
  let p: BudgetProxy | null = null;
  let secret = '';
  const start = async () => (p = await suite.start({ yaml: `alerts: { webhook_url: "${hook.url}" }\n`, overrides: { alerts: { baseDelayMs: 5 } } }));

  it('the webhook gets exactly one accepted POST per threshold per period, though it fails at first', async () => {
    await start();
    secret = await addKey(p!.proxy, 'alerted', { budget: keyBudget(0.001, { alertAt: [0.5, 1] }) });
    for (let i = 0; i < 40; i++) {
      const r = await chat(p!.baseUrl, secret, { maxTokens: 400, content: `q${i}` });
      if (r.status === 429) break;
    }
    await p!.proxy.budgets!.idle();
    const accepted = hook.posts.filter((x) => x.status === 200).map((x) => x.body);
    expect(accepted.map((b) => b.threshold)).toEqual([0.5, 1]);
    expect(new Set(accepted.map((b) => b.id)).size).toBe(2);
    expect(accepted.every((b) => b.type === 'budget.alert' && b.budget.name === 'alerted')).toBe(true);
    // The 3 failures were retries of the first alert, with the same id.
    expect(hook.posts.length).toBe(5);
    expect(new Set(hook.posts.slice(0, 4).map((x) => x.body.id)).size).toBe(1);
    const rows = await p!.proxy.store.budgets.alerts();
    expect(rows.map((r) => [r.kind, r.budget, r.threshold])).toEqual([
      ['key', 'alerted', 0.5],
      ['key', 'alerted', 1],
    ]);
  });

  it('a restart under a raised limit fires the thresholds of the new limit, once (#18 point 7)', async () => {
    await p!.stop();
    // With a 4x limit the stored spend is below 50 % again: 50 % and 100 % of the new limit
    // are new alerts (new ids), not repeats of those fired under the old limit.
    const other = createStore(openDriver(suite.dbPath));
    await updateKeyAudited(other, 'alerted', { budget: keyBudget(0.004, { alertAt: [0.5, 1] }) }, 'cli', Date.now());
    await other.close();
    await start();
    const before = hook.posts.length;
    const state = () => p!.proxy.budgets!.snapshot().find((s) => s.name === 'alerted')!;
    expect(state().spentNano).toBeLessThan(2_000_000);
    let refused = false;
    for (let i = 0; i < 80 && !refused; i++) refused = (await chat(p!.baseUrl, secret, { maxTokens: 400, content: `r${i}` })).status === 429;
    expect(refused).toBe(true);
    expect(state().spentNano).toBeGreaterThanOrEqual(4_000_000);
    await p!.proxy.budgets!.idle();
    expect(p!.proxy.budgets!.recentAlerts().map((a) => [a.threshold, a.limitNano])).toEqual([
      [1, 4_000_000],
      [0.5, 4_000_000],
    ]);
    const fresh = hook.posts.slice(before).filter((x) => x.status === 200).map((x) => x.body);
    expect(fresh.map((b) => b.threshold)).toEqual([0.5, 1]);
    expect(fresh.some((b) => hook.posts.slice(0, before).some((x) => x.body.id === b.id))).toBe(false);
    expect(await p!.proxy.store.budgets.alerts()).toHaveLength(4);

    // A plain restart (same limit) fires nothing again.
    await p!.stop();
    await start();
    for (let i = 0; i < 3; i++) await chat(p!.baseUrl, secret, { maxTokens: 400, content: `s${i}` });
    await p!.proxy.budgets!.idle();
    expect(p!.proxy.budgets!.recentAlerts()).toEqual([]);
    expect(await p!.proxy.store.budgets.alerts()).toHaveLength(4);
  });

  it('raising a budget while serving re-arms its thresholds, records it in keys history, and logs refusals once a minute', async () => {
    await p!.stop();
    const lines: string[] = [];
    const log = { info: () => {}, warn: (msg: string) => lines.push(msg), error: (msg: string) => lines.push(msg) };
    p = await suite.start({ yaml: `alerts: { webhook_url: "${hook.url}" }\n`, overrides: { alerts: { baseDelayMs: 5 }, log } });
    const live = await addKey(p.proxy, 'raised', { budget: keyBudget(0.001, { alertAt: [0.5, 1] }) });
    for (let i = 0; i < 40; i++) if ((await chat(p.baseUrl, live, { maxTokens: 400, content: `t${i}` })).status === 429) break;
    for (let i = 0; i < 3; i++) expect((await chat(p.baseUrl, live, { content: 'again' })).status).toBe(429);
    const refusals = lines.filter((l) => l.startsWith("budget refusal: key budget 'raised' is spent: "));
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toMatch(/is spent: \$0\.00\d+ of \$0\.001 spent; resets \d{4}-\d{2}-01T00:00:00Z$/);
    await p.proxy.budgets!.idle();
    expect(p.proxy.budgets!.recentAlerts().map((a) => a.threshold)).toEqual([1, 0.5]);

    await updateKeyAudited(p.proxy.store, 'raised', { budget: keyBudget(0.01, { alertAt: [0.5, 1] }) }, 'cli', Date.now());
    await p.proxy.keys.reload();
    const history = await p.proxy.store.history.list({ keyName: 'raised' });
    expect(history.map((e) => [e.actor, e.action])).toEqual([
      ['cli', 'set'],
      ['proxy', 'alerts_rearmed'],
    ]);
    expect(history[1]!.details).toMatchObject({ thresholds: [0.5, 1], limit_usd: { from: 0.001, to: 0.01 } });
    for (let i = 0; i < 200; i++) {
      await chat(p.baseUrl, live, { maxTokens: 400, content: `u${i}` });
      if (p.proxy.budgets!.snapshot().find((s) => s.name === 'raised')!.spentNano >= 5_000_000) break;
    }
    await p.proxy.budgets!.idle();
    expect(p.proxy.budgets!.recentAlerts().map((a) => [a.threshold, a.limitNano])[0]).toEqual([0.5, 10_000_000]);
  });
});
