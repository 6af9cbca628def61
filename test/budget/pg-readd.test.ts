import { describe, expect, it } from 'vitest';
import type { RunningProxy } from '../../src/proxy/start.js';
import { budgetLeaseStore, sharedBudgetId } from '../../src/store/budget-leases.js';
import { pgDatabases } from '../support/pg-databases.js';
import { proxySuite } from './proxy-suite.js';
import { addKey, chat, keyBudget } from './support.js';

const pg = pgDatabases();
/** The cap of every budget here: $0.002 (about 57 calls of `chat` with max_tokens 100). */
const CAP = 2_000_000;
/** More than any one call here costs (100 output tokens at $0.60/1M, plus the prompt), nano-USD. */
const ONE_CALL = 100_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const MONTH = (at: number) => Date.UTC(new Date(at).getUTCFullYear(), new Date(at).getUTCMonth(), 1);

/**
 * A budget removed and added back within one period, on PostgreSQL. While it was gone the
 * calls it covers were recorded (call log) but not reported to its shared row
 * (budget_shares); when it comes back, the replica's seed from the call log is higher than
 * the row. The replicas must not take the stale row's spend and admit calls past the cap.
 * Each story: about a quarter of the cap spent under the budget, about 60% more while it is
 * gone, then calls until refused: the recorded spend must end within one call of the cap.
 */
describe('a budget removed and re-added within its period on PostgreSQL', () => {
  const suite = proxySuite();
  const start = (url: string, yaml = '') => suite.startOnPostgres(url, yaml);
  const stop = (p: RunningProxy) => p.stop(1000);
  let n = 0;
  /**
   * Calls through `p` until the spend recorded (read by `spent`) reaches `nano`, all admitted.
   * After each call it waits (up to 2 s) for that call's record, so the loop stops on spend
   * the database holds: read at once, a record still in the writer's queue under load let the
   * loop make calls past its target (once 2,006,100 where under 2,000,000 was meant).
   */
  const spendUntil = async (p: RunningProxy, secret: string, nano: number, spent: () => Promise<number>, tags?: Record<string, string>) => {
    let seen = await spent();
    for (let i = 0; i < 100 && seen < nano; i++) {
      expect((await chat(`${p.url}/proxy/openai`, secret, { maxTokens: 100, content: `q${n++}`, ...(tags ? { tags } : {}) })).status).toBe(200);
      const before = seen;
      for (let t = 0; t < 200 && seen === before; t++) {
        seen = await spent();
        if (seen === before) await sleep(10);
      }
    }
  };
  /** Calls through `p` until one is refused (at most 100); @returns the status of the last. */
  const callUntilRefused = async (p: RunningProxy, secret: string, tags?: Record<string, string>) => {
    let status = 200;
    for (let i = 0; i < 100 && status === 200; i++) status = (await chat(`${p.url}/proxy/openai`, secret, { maxTokens: 100, content: `r${n++}`, ...(tags ? { tags } : {}) })).status;
    return status;
  };
  /** `recorded` once the records of the calls answered are written (every 5 ms here). */
  const written = async (recorded: () => Promise<number>) => {
    await sleep(100);
    return recorded();
  };
  /** Polls the shared row until it holds `nano` (far from the cap a replica writes back its spend every second). */
  const rowReaches = async (row: () => Promise<number | null>, nano: number) => {
    for (let t = 0; t < 50 && ((await row()) ?? 0) < nano; t++) await sleep(100);
    expect(await row()).toBe(nano);
  };

  it.each(['in a period without a reset', 'after an admin reset in the period'] as const)(
    'a key budget removed and re-added through the admin API (%s): the calls made meanwhile count, the cap holds',
    async (when) => {
      const url = await pg.url(when.startsWith('after') ? 'readd_key_reset' : 'readd_key');
      const db = pg.pool(url);
      const p = await start(url);
      const secret = await addKey(p, 'k', { budget: keyBudget(CAP / 1e9) });
      let from = 0;
      const recorded = async () => Number((await db.get<{ n: string }>('SELECT COALESCE(SUM(cost_nano), 0) AS n FROM calls WHERE key_name = ? AND ts >= ?', ['k', from]))?.n ?? 0);
      if (when.startsWith('after')) {
        // Spend made before the reset does not count; the row is stamped with the reset.
        await spendUntil(p, secret, CAP / 2, recorded);
        const reset = await p.budgets!.reset({ name: 'k' }, 'admin');
        expect(reset.ok).toBe(true);
        from = (reset as { resetAt: number }).resetAt;
      }
      await spendUntil(p, secret, CAP / 4, recorded);
      const underBudget = await written(recorded);
      const leases = budgetLeaseStore(db);
      await rowReaches(() => leases.sharedSpent(sharedBudgetId('key', 'k', null), MONTH(Date.now())), underBudget);

      // PATCH /admin/keys/k {"budget": null}, then the calls of k go on without a budget.
      await p.store.keys.update('k', { budget: null });
      await p.keys.reload();
      await spendUntil(p, secret, underBudget + (CAP * 3) / 5, recorded);
      expect(await written(recorded)).toBeLessThan(CAP);
      // PATCH /admin/keys/k {"budget": {...}}: the same budget back.
      await p.store.keys.update('k', { budget: keyBudget(CAP / 1e9) });
      await p.keys.reload();

      expect(await callUntilRefused(p, secret)).toBe(429);
      await stop(p);
      const total = await recorded();
      // Before the fix the replica took the row's spend (the quarter), not the call log's: about $0.0012 past the cap.
      expect(total).toBeGreaterThanOrEqual(CAP);
      expect(total).toBeLessThanOrEqual(CAP + ONE_CALL);
    },
    60_000,
  );

  it('a tag budget removed from the config and put back across restarts: the calls made meanwhile count, the cap holds', async () => {
    const url = await pg.url('readd_tag');
    const db = pg.pool(url);
    const withBudget = `budgets:\n  - { name: team-x, match: { team: x }, limit_usd: ${CAP / 1e9}, period: month }\n`;
    const tags = { team: 'x' };
    const recorded = async () => Number((await db.get<{ n: string }>(`SELECT COALESCE(SUM(cost_nano), 0) AS n FROM calls WHERE tags::jsonb->>'team' = 'x'`))?.n ?? 0);
    const row = () => budgetLeaseStore(db).sharedSpent(sharedBudgetId('tag', 'team-x', null), MONTH(Date.now()));

    let p = await start(url, withBudget);
    const secret = await addKey(p, 'k');
    await spendUntil(p, secret, CAP / 4, recorded, tags);
    await stop(p); // writes back the spend settled
    const underBudget = await recorded();
    expect(await row()).toBe(underBudget);

    p = await start(url);
    await spendUntil(p, secret, underBudget + (CAP * 3) / 5, recorded, tags);
    await stop(p);
    expect(await recorded()).toBeLessThan(CAP);

    p = await start(url, withBudget);
    expect(await callUntilRefused(p, secret, tags)).toBe(429);
    await stop(p);
    const total = await recorded();
    expect(total).toBeGreaterThanOrEqual(CAP);
    expect(total).toBeLessThanOrEqual(CAP + ONE_CALL);
  }, 60_000);
});
