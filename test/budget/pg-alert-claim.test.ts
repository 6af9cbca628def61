import { afterAll, describe, expect, it } from 'vitest';
import type { PostJson } from '../../src/budget/alerts.js';
import { BudgetService } from '../../src/budget/service.js';
import { hashSecret, keyPrefix, newMeteringKey } from '../../src/lib/ids.js';
import { createPricer } from '../../src/pricing/pricer.js';
import { KeyResolver } from '../../src/proxy/auth.js';
import { openPostgresStore, type PostgresStore } from '../../src/store/pg/pg-store.js';
import { pgDatabases } from '../support/pg-databases.js';
import { USD, keyBudget } from './helpers.js';
import { at, call, NOW } from './service-world.js';

/**
 * Several replicas on one PostgreSQL database: the alerts table keeps one row per alert
 * (unique key, insert-or-ignore), and only the replica whose insert stored that row POSTs
 * the webhook. Each replica still logs the alert and shows it in its TUI list.
 */
const pg = pgDatabases();
const stores: PostgresStore[] = [];
afterAll(async () => {
  for (const s of stores) await s.close();
});

/** One replica: its own connection pool on `url`, its budgets, and the webhook bodies it POSTed. */
async function replica(url: string) {
  const store = await openPostgresStore(url, 'create');
  stores.push(store);
  const posted: Array<Record<string, unknown>> = [];
  const lines: string[] = [];
  const post: PostJson = async (_url, body) => {
    posted.push(JSON.parse(body) as Record<string, unknown>);
    return 200;
  };
  const keys = new KeyResolver(store, {});
  await keys.reload();
  const svc = await BudgetService.create({
    store,
    keys,
    tagBudgets: [],
    timeZone: 'UTC',
    pricer: createPricer(),
    clock: () => at(NOW),
    log: (l) => lines.push(l),
    alerts: { webhookUrl: 'https://hooks.example.invalid/tokometer', post, sleep: async () => {} },
  });
  return { store, svc, posted, lines };
}

describe('two replicas whose ledgers both see one crossing', () => {
  it('send one webhook between them; both log the alert and keep it for the TUI', async () => {
    const url = await pg.url('alert_claim');
    const setup = await openPostgresStore(url, 'create');
    stores.push(setup);
    const secret = newMeteringKey();
    await setup.keys.create({ name: 'k', prefix: keyPrefix(secret), hash: hashSecret(secret), budget: keyBudget(10, { alertAt: [0.5] }), createdAt: at(NOW) });
    const a = await replica(url);
    const b = await replica(url);
    // $6 of a $10 key budget on each replica's own counter: both cross 50 % (one alert: same instance, period, limit and arming).
    expect(call(a.svc, 'k', 6)).toBe(true);
    expect(call(b.svc, 'k', 6)).toBe(true);
    await Promise.all([a.svc.idle(), b.svc.idle()]);

    const periodStart = at('2026-11-01T00:00:00Z');
    expect([...a.posted, ...b.posted].map((p) => p['id'])).toEqual([`key:k:0.5:${periodStart}:${10 * USD}`]);
    expect((await setup.budgets.alerts()).map((r) => [r.budget, r.threshold])).toEqual([['k', 0.5]]);
    for (const r of [a, b]) {
      expect(r.lines.filter((l) => l.includes('passed 50% of its limit (now 60%'))).toHaveLength(1);
      expect(r.svc.recentAlerts().map((e) => e.threshold)).toEqual([0.5]);
    }
    await a.svc.close();
    await b.svc.close();
  });
});
