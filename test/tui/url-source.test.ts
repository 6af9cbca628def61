import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import { proxySettings } from '../../src/config/proxy-settings.js';
import { silentLogger } from '../../src/proxy/log.js';
import { startProxy, type RunningProxy } from '../../src/proxy/start.js';
import { createPricer } from '../../src/pricing/pricer.js';
import { startNodeServer } from '../../src/server/node.js';
import { createNodeUpstream } from '../../src/server/node-upstream.js';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import { createDbSource } from '../../src/tui/data/db-source.js';
import { createUrlSource } from '../../src/tui/data/url-source.js';
import type { DashboardQuery, DashboardSnapshot, DashboardSource } from '../../src/tui/types.js';
import { sortBudgets } from '../../src/tui/view/budget-view.js';
import { NOW, readStore, seedDb, TAG_BUDGETS, type SeededDb } from './fixtures.js';

/**
 * `tui --url`: the dashboard read through a running proxy's admin API must show what
 * `tui --db` shows for the same database: same period, figures, table, trend, and the
 * budgets as the proxy's own ledger has them (which also checks the db source's budget
 * arithmetic against the ledger's).
 */

const TOKEN = 'admin-token-for-tests-0123456789';
const CONFIG = `
timezone: UTC
admin: { token: "${TOKEN}" }
budgets:
  - { name: free-daily, match: { user_tier: free }, per: user_id, limit_usd: 0.01, period: day, alert_at: [0.5, 1] }
  - { name: pro-monthly, match: { user_tier: pro }, limit_usd: 2, period: month, alert_at: [0.8], soft: true }
`;

let db: SeededDb;
let proxy: RunningProxy;
let viaUrl: DashboardSource;
let viaDb: DashboardSource;

beforeAll(async () => {
  db = seedDb();
  const config = parseConfigText(CONFIG, { file: 'test.yaml', env: {} });
  proxy = await startProxy({
    settings: proxySettings(config),
    storage: { engine: 'sqlite', driver: openDriver(db.path) },
    startServer: startNodeServer,
    upstream: createNodeUpstream(),
    pricer: createPricer(config.prices),
    clock: () => NOW,
    log: silentLogger,
    env: {},
    host: '127.0.0.1',
    port: 0,
  });
  viaUrl = createUrlSource({ url: proxy.url, token: TOKEN, clock: () => NOW, timeZone: 'UTC', tagKeys: ['feature', 'user_tier', 'tenant_id', 'user_id'] });
  viaDb = createDbSource({ store: readStore(db.path), label: 'db', clock: () => NOW, timeZone: 'UTC', configKeyBudgets: new Map(), tagBudgets: TAG_BUDGETS });
});
afterAll(async () => {
  viaDb.close();
  await proxy.stop(1000);
  db.close();
});

const query = (q: Partial<DashboardQuery> = {}): DashboardQuery => ({ since: '30d', dimension: 'feature', filters: [], drill: [], ...q });
/**
 * The gauges on screen (sortBudgets drops idle `per` instances, which a running ledger also keeps), in one order,
 * without the database's count of their calls with a cost (the admin API's budgets do not give it).
 */
const byInstance = (s: DashboardSnapshot) =>
  sortBudgets(s.budgets)
    .map(({ counts: _counts, ...state }) => state)
    .sort((a, b) => `${a.kind}${a.name}${a.tagValue}`.localeCompare(`${b.kind}${b.name}${b.tagValue}`));

describe('tui --url (admin API)', () => {
  it.each([
    query(),
    query({ since: '7d', dimension: 'model' }),
    query({ since: 'this-month', dimension: 'user_tier', filters: [{ key: 'tenant_id', op: '!=', value: 't_acme' }] }),
    query({ dimension: 'user_tier', drill: [{ key: 'feature', op: '=', value: 'summarizer' }, { key: 'model', op: '=', value: 'gpt-4o' }] }),
  ])('shows what the database shows: %j', async (q) => {
    const [u, d] = await Promise.all([viaUrl.load(q), viaDb.load(q)]);
    expect(u.range).toEqual(d.range);
    expect(u.header).toEqual(d.header);
    expect(u.table).toEqual(d.table);
    expect(u.trend).toEqual(d.trend);
    expect(byInstance(u)).toEqual(byInstance(d));
    expect(byInstance(d).length).toBeGreaterThanOrEqual(4);
    expect(u.tail).toBeNull();
    expect(u.notes.join(' ')).toMatch(/--db/);
  });

  it('sends the admin token, and says so clearly when it is wrong or the server is gone', async () => {
    const wrong = createUrlSource({ url: proxy.url, token: 'nope', clock: () => NOW, timeZone: 'UTC', tagKeys: [] });
    await expect(wrong.load(query())).rejects.toThrow(/refused the admin token \(HTTP 401\)/);
    const gone = createUrlSource({ url: 'http://127.0.0.1:9', token: TOKEN, clock: () => NOW, timeZone: 'UTC', tagKeys: [], timeoutMs: 2000 });
    await expect(gone.load(query())).rejects.toThrow(/cannot reach http:\/\/127\.0\.0\.1:9/);
  });
});
