import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { updateKeyAudited } from '../../src/admin/key-ops.js';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import { createStore } from '../../src/store/sqlite-store.js';
import { addKey, chat, keyBudget, startBudgetProxy, startFake, tempDb, type BudgetProxy } from '../budget/support.js';
import type { FakeUpstream } from '../support/fake-upstream.js';

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
  let fake: FakeUpstream;
  let hook: Awaited<ReturnType<typeof startWebhook>>;
  const db = tempDb();
  let p: BudgetProxy | null = null;
  let secret = '';
  const start = async () =>
    (p = await startBudgetProxy({ dbPath: db.dbPath, fake, yaml: `alerts: { webhook_url: "${hook.url}" }\n`, overrides: { alerts: { baseDelayMs: 5 } } }));

  beforeAll(async () => {
    fake = await startFake();
    hook = await startWebhook(3);
  });
  afterAll(async () => {
    await p?.stop();
    await hook.stop();
    await fake.stop();
    db.cleanup();
  });

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

  it('a restart does not fire the period’s thresholds again, even when the spend re-crosses them', async () => {
    await p!.stop();
    // With a 4x limit the stored spend is below 50 % again, so the ledger re-crosses 50 % and 100 %.
    const other = createStore(openDriver(db.dbPath));
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
    expect(p!.proxy.budgets!.recentAlerts()).toEqual([]);
    expect(hook.posts.length).toBe(before);
    expect(await p!.proxy.store.budgets.alerts()).toHaveLength(2);
  });
});
