import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { reportToJson } from '../../src/report/format/json.js';
import { spendReport } from '../../src/report/query.js';
import { parseTimeRange } from '../../src/report/time-range.js';
import type { ReportQuery, WhereClause } from '../../src/report/types.js';
import { unitEconomics } from '../../src/report/unit-economics.js';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import { initial } from '../../src/store/migrations/001-initial.js';
import { migrate } from '../../src/store/migrations/index.js';
import { sqliteDb } from '../../src/store/db.js';
import { createFeedReads } from '../../src/store/read/feed.js';
import { createReportReads } from '../../src/store/read/report/index.js';
import type { BudgetStore, KeyStore, SqlDriver } from '../../src/store/types.js';
import { createDbSource, STALE_MS, type DashboardStore } from '../../src/tui/data/db-source.js';
import type { DashboardQuery, DashboardSource } from '../../src/tui/types.js';
import { readsOf, record, USD } from '../report/dataset.js';
import { NOW, readStore, seedDb, TAG_BUDGETS, type SeededDb } from './fixtures.js';

let db: SeededDb;
let now: number;
let source: DashboardSource;

beforeEach(() => {
  db = seedDb();
  now = NOW;
  source = createDbSource({ store: readStore(db.path), label: db.path, clock: () => now, timeZone: 'UTC', configKeyBudgets: new Map(), tagBudgets: TAG_BUDGETS });
});
afterEach(() => {
  source.close();
  db.close();
});

/**
 * The dashboard's reads on a database a Store would first migrate (an old schema, no tables
 * at all): report and feed reads, no stored keys, so no budget is ever read.
 */
function figuresOnly(driver: SqlDriver): DashboardStore {
  const on = sqliteDb(driver);
  const keys = { list: async () => [] } as unknown as KeyStore;
  return { reports: createReportReads(on), feed: createFeedReads(on), keys, budgets: {} as BudgetStore, close: () => on.close() };
}

const query = (q: Partial<DashboardQuery> = {}): DashboardQuery => ({ since: '30d', dimension: 'feature', filters: [], drill: [], ...q });

/** `tokometer report --format json` for the same period, as the CLI would build it. */
async function report(since: string, by: string[], where: WhereClause[], top?: number) {
  const range = parseTimeRange({ since }, { clock: () => now, timeZone: 'UTC' });
  const q: ReportQuery = { ...range, by, where, timeZone: 'UTC', ...(top ? { top } : {}) };
  const r = await spendReport(readsOf(db.store.driver), q);
  return { report: r, json: reportToJson(r) as { rows: Array<{ cost_usd: number | null; share: number | null; calls: number; priced_calls: number }>; total: { cost_usd: number; calls: number } } };
}

describe('db source: numbers equal `report --format json`', () => {
  it.each([
    ['30d', 'feature', [], []],
    ['7d', 'model', [], []],
    ['this-month', 'user_tier', [{ key: 'user_tier', op: '!=', value: 'free' }], []],
    ['30d', 'model', [], [{ key: 'feature', op: '=', value: 'summarizer' }]],
    ['30d', 'user_id', [{ key: 'tenant_id', op: '=', value: 't_acme' }], [{ key: 'feature', op: '=', value: 'chatbot' }]],
  ] as Array<[string, string, WhereClause[], WhereClause[]]>)('since %s by %s', async (since, dimension, filters, drill) => {
    const snap = await source.load(query({ since, dimension, filters, drill }));
    const head = await report(since, [], filters);
    expect(snap.range).toEqual({ since: head.report.query.since, until: head.report.query.until, timeZone: 'UTC' });
    expect(snap.header).toMatchObject({ costNano: head.report.total.costNano, calls: head.report.total.calls, unpricedCalls: head.report.total.unpricedCalls });
    expect(snap.header.costNano / USD).toBe(head.json.total.cost_usd);
    const ue = await unitEconomics(readsOf(db.store.driver), { since: head.report.query.since, until: head.report.query.until, timeZone: 'UTC', where: filters }, { price_per_user: {}, price_per_tenant: {} });
    expect(snap.header.activeUsers).toBe(ue.activeUsers);

    const table = await report(since, [dimension], [...filters, ...drill], 50);
    expect(snap.table.rows).toEqual(table.report.rows.map((r) => ({ value: r.group[dimension], kind: r.kind, costNano: r.costNano, calls: r.calls, pricedCalls: r.pricedCalls, share: r.share })));
    // JSON's cost_usd is null for a group none of whose calls has a cost (unknown, not $0);
    // the TUI's rows still hold its 0 nano-USD of known cost.
    expect(table.json.rows.filter((r) => r.cost_usd === null).every((r) => r.priced_calls === 0 && r.calls > 0)).toBe(true);
    expect(snap.table.rows.map((r) => r.costNano / USD)).toEqual(table.json.rows.map((r) => r.cost_usd ?? 0));
    expect(snap.table.totalNano).toBe(table.report.total.costNano);

    const days = await report(since, ['day'], [...filters, ...drill]);
    expect(snap.trend).toEqual(days.report.rows.map((r) => ({ day: r.group.day, costNano: r.costNano, calls: r.calls, pricedCalls: r.pricedCalls })));
  });

  it('projects the month from month-to-date and the period pace', async () => {
    const snap = await source.load(query());
    const mtd = (await report('this-month', [], [])).report.total.costNano;
    expect(snap.header.monthToDateNano).toBe(mtd);
    const perMs = snap.header.costNano / (30 * 86_400_000);
    expect(snap.header.projectedMonthNano).toBe(mtd + Math.round(perMs * (Date.parse('2026-12-01T00:00:00Z') - NOW)));
  });

  it('lists tag keys seen, then the built-ins', async () => {
    expect((await source.load(query())).dimensions).toEqual(['feature', 'user_tier', 'tenant_id', 'user_id', 'model', 'provider', 'key']);
  });
});

describe('db source: budgets, tail, alerts', () => {
  it('computes each budget in its current period from the stored calls', async () => {
    const snap = await source.load(query());
    const nov = Date.parse('2026-11-01T00:00:00Z');
    const sum = (sql: string, ...p: Array<string | number>) => Number(db.store.driver.prepare(sql).get<{ s: number }>(...p)?.s ?? 0);
    const summarizer = snap.budgets.find((b) => b.name === 'summarizer')!;
    expect(summarizer).toMatchObject({ kind: 'key', limitNano: USD, period: 'month', periodStart: nov, resetAt: Date.parse('2026-12-01T00:00:00Z'), blocked: false });
    expect(summarizer.spentNano).toBe(sum('SELECT SUM(cost_nano) AS s FROM calls WHERE key_name = ? AND ts >= ?', 'summarizer', nov));
    expect(snap.budgets.find((b) => b.name === 'ide')).toBeUndefined();

    const today = Date.parse('2026-11-20T00:00:00Z');
    const free = snap.budgets.filter((b) => b.name === 'free-daily');
    expect(free.length).toBeGreaterThan(0);
    for (const b of free) {
      expect(b).toMatchObject({ kind: 'tag', per: 'user_id', period: 'day', periodStart: today });
      const spent = sum(
        `SELECT SUM(c.cost_nano) AS s FROM calls c WHERE json_extract(c.tags, '$.user_tier') = 'free'
         AND json_extract(c.tags, '$.user_id') = ? AND c.ts >= ?`,
        b.tagValue!,
        today,
      );
      expect(b.spentNano).toBe(spent);
    }
    const pro = snap.budgets.find((b) => b.name === 'pro-monthly')!;
    expect(pro).toMatchObject({ soft: true, tagValue: null, per: null, blocked: false });
  });

  it('marks a hard budget at its limit blocked; a config key budget wins over the stored one; resets count', async () => {
    const tight = createDbSource({
      store: readStore(db.path),
      label: 'x',
      clock: () => now,
      timeZone: 'UTC',
      configKeyBudgets: new Map([['chatbot', { limitNano: 0.01 * USD, period: 'month', alertAt: [1], soft: false }]]),
      tagBudgets: [],
    });
    const chatbot = (await tight.load(query())).budgets.find((b) => b.name === 'chatbot')!;
    expect(chatbot).toMatchObject({ limitNano: 0.01 * USD, blocked: true });
    db.store.driver
      .prepare("INSERT INTO budget_resets (kind, budget, tag_value, all_values, period, period_start, reset_at, by) VALUES ('key', 'chatbot', NULL, 0, 'month', ?, ?, 'admin')")
      .run(Date.parse('2026-11-01T00:00:00Z'), NOW - 86_400_000 + 1);
    const after = (await tight.load(query({ since: '7d' }))).budgets.find((b) => b.name === 'chatbot')!;
    const since = NOW - 86_400_000 + 1;
    expect(after.spentNano).toBe(Number(db.store.driver.prepare("SELECT COALESCE(SUM(cost_nano), 0) AS s FROM calls WHERE key_name = 'chatbot' AND ts >= ?").get<{ s: number }>(since)!.s));
    expect(after.blocked).toBe(false);
    tight.close();
  });

  it('tails the latest calls and sees calls another connection writes', async () => {
    const first = await source.load(query());
    expect(first.tail!.length).toBeGreaterThan(5);
    expect(first.tail!.map((c) => c.ts)).toEqual([...first.tail!.map((c) => c.ts)].sort((a, b) => b - a));
    expect(await source.load(query())).toBe(first); // nothing changed: the snapshot is reused
    db.store.insertCalls([record({ at: NOW - 1000, model: 'brand-new-model', key: 'chatbot', cost: 7e6, tags: { feature: 'chatbot' } })]);
    const second = await source.load(query());
    expect(second).not.toBe(first);
    expect(second.tail![0]).toMatchObject({ model: 'brand-new-model', keyName: 'chatbot', costNano: 7e6, tags: { feature: 'chatbot' } });
    expect(second.header.calls).toBe(first.header.calls + 1);
    now += STALE_MS;
    expect(await source.load(query())).not.toBe(second); // the period slid: loaded again
  });

  it('counts like report: refused calls stay out of the figures, are counted apart, and show in the tail', async () => {
    const before = await source.load(query());
    const refused = { ...record({ at: NOW - 2000, key: 'chatbot', cost: 0, usage: false, tags: { feature: 'chatbot' } }), outcome: 'refused' as const, status: 429, usageSource: 'not_metered' as const };
    db.store.insertCalls([refused, { ...refused, ts: NOW - 1500 }]);
    const after = await source.load(query());
    expect(after.header).toMatchObject({ calls: before.header.calls, costNano: before.header.costNano, excludedCalls: 2 });
    expect(after.table.totalCalls).toBe(before.table.totalCalls);
    expect(after.tail![0]).toMatchObject({ status: 429, keyName: 'chatbot' });
    const head = await report('30d', [], []);
    expect(head.report.total.calls).toBe(after.header.calls);
    expect(head.report.excluded).toEqual([{ outcome: 'refused', calls: 2 }]);
    const only = await source.load(query({ filters: [{ key: 'outcome', op: '=', value: 'refused' }] }));
    expect(only.header).toMatchObject({ calls: 2, excludedCalls: null });
  });

  it('lists the latest alerts, newest first', async () => {
    const snap = await source.load(query());
    expect(snap.alerts!.map((a) => [a.budget, a.threshold])).toEqual([
      ['summarizer', 0.8],
      ['summarizer', 0.5],
    ]);
  });

  it('works on a schema without the alerts table, and on a file without any table', async () => {
    const old = openDriver(':memory:');
    migrate(old, [initial]);
    const v1 = createDbSource({ store: figuresOnly(old), label: 'v1', clock: () => now, timeZone: 'UTC', configKeyBudgets: new Map(), tagBudgets: [] });
    const snap = await v1.load(query());
    expect(snap.alerts).toBeNull();
    expect(snap.notes.join(' ')).toMatch(/alerts/);
    v1.close();
    const blank = createDbSource({ store: figuresOnly(openDriver(':memory:')), label: 'blank', clock: () => now, timeZone: 'UTC', configKeyBudgets: new Map(), tagBudgets: [] });
    const empty = await blank.load(query());
    expect(empty.header.calls).toBe(0);
    expect(empty.notes.join(' ')).toMatch(/tokometer serve/);
    blank.close();
  });
});
