import assert from 'node:assert/strict';
import { BudgetLedger } from '../../src/budget/ledger.js';
import { seedLedger } from '../../src/budget/seed.js';
import type { BudgetKind, TagBudget } from '../../src/budget/types.js';
import type { BudgetPeriod, BudgetResetRecord, BudgetTarget, KeyBudget } from '../../src/store/types.js';
import { storeCase, type ContractStore, type FacadeCase } from './contract-facade.js';
import { makeCall } from './fixtures.js';

/**
 * `period: total` budgets across retention, on every store: spend of calls retention
 * pruned still counts when the ledger is seeded at start (from the sums retention keeps),
 * as before the prune, and resets made in the pruned range still apply.
 *
 * Retention of 40 days at NOW prunes raw calls before 2026-10-11T12:00Z on SQLite (the
 * hour of now − 40 days) and before 2026-10-01 on PostgreSQL (its month): the calls of
 * October 1–11 are pruned on SQLite only, so one data set checks both boundaries.
 */

const NOW = Date.parse('2026-11-20T12:00:00Z');
const RETENTION_DAYS = 40;
const USD = 1_000_000_000;
const at = (iso: string) => Date.parse(iso);

const keyBudget = (usd: number): KeyBudget => ({ limitNano: usd * USD, period: 'total', alertAt: [], soft: false });
const tagBudget = (name: string, extra: Partial<TagBudget> = {}): TagBudget => ({ name, match: {}, limitNano: 1000 * USD, period: 'total', alertAt: [], soft: false, ...extra });

/** A priced call of `usd` at `iso` for key `keyName` with `tags`. */
const spend = (iso: string, keyName: string | null, usd: number, tags: Record<string, string> = {}) =>
  makeCall(0, { ts: at(iso), keyName, costNano: Math.round(usd * USD), tags });

/** A fresh ledger with these budgets, seeded from the store as `serve` does at start: spend per budget instance `name[:value]`. */
async function seeded(s: ContractStore, keys: Record<string, KeyBudget>, tags: TagBudget[] = []): Promise<Record<string, number>> {
  const ledger = new BudgetLedger({ clock: () => NOW, timeZone: 'UTC', keyBudgets: new Map(Object.entries(keys)), tagBudgets: tags });
  const periods = new Map<string, BudgetPeriod>([...Object.entries(keys).map(([n, b]) => [`key:${n}`, b.period] as const), ...tags.map((t) => [`tag:${t.name}`, t.period] as const)]);
  const targets: BudgetTarget[] = [
    ...Object.keys(keys).map((name): BudgetTarget => ({ kind: 'key', name })),
    ...tags.map((t): BudgetTarget => ({ kind: 'tag', name: t.name, match: t.match, ...(t.per === undefined ? {} : { per: t.per }) })),
  ];
  await seedLedger(ledger, s.budgets, { now: NOW, timeZone: 'UTC', periodOf: (kind: BudgetKind, name: string) => periods.get(`${kind}:${name}`), targets });
  const out: Record<string, number> = {};
  for (const b of ledger.snapshot()) if (b.spentNano !== 0) out[b.tagValue === null ? b.name : `${b.name}:${b.tagValue}`] = b.spentNano;
  return out;
}

const totalReset = (over: Partial<BudgetResetRecord>): BudgetResetRecord => ({
  kind: 'key',
  budget: 'k',
  tagValue: null,
  allValues: false,
  period: 'total',
  periodStart: 0,
  resetAt: 0,
  by: 'admin',
  ...over,
});

export const prunedSpendCases: FacadeCase[] = [
  storeCase('a total key budget keeps the spend of calls retention pruned, to the nano-USD, at the next start', async (s) => {
    await s.insertCalls([
      spend('2026-08-10T09:15:00Z', 'k', 1.000000001),
      spend('2026-09-15T10:30:00Z', 'k', 2),
      spend('2026-10-05T00:00:00Z', 'k', 0.5), // pruned on SQLite only
      spend('2026-10-11T11:59:59.999Z', 'k', 0.125), // the last ms SQLite prunes
      spend('2026-10-11T12:00:00Z', 'k', 0.0625), // the first it keeps
      spend('2026-11-10T00:00:00Z', 'k', 0.25),
      spend('2026-08-10T09:15:00Z', 'other', 4),
    ]);
    const keys = { k: keyBudget(10), other: keyBudget(10) };
    const before = await seeded(s, keys);
    assert.deepEqual(before, { k: 3_937_500_001, other: 4 * USD });
    const pruned = await s.prune(RETENTION_DAYS, NOW);
    assert.ok(pruned.calls >= 3, `pruned ${pruned.calls} calls`);
    assert.deepEqual(await seeded(s, keys), before);
  }),

  storeCase('total tag budgets keep pruned spend: every call, one tag, per tag value, per user_id (also in a segment) and the (none) instances', async (s) => {
    await s.insertCalls([
      spend('2026-08-10T09:15:00Z', 'a', 1, { feature: 'search', team: 't1', user_id: 'u1', user_tier: 'free' }),
      spend('2026-09-15T10:30:00Z', 'b', 2, { feature: 'chat', team: 't2', user_id: 'u2', user_tier: 'pro' }),
      spend('2026-09-15T10:40:00Z', 'b', 0.5, { feature: 'search' }),
      // October straddles the SQLite cutoff: entity rows of the month hold calls on both sides.
      spend('2026-10-02T08:00:00Z', 'a', 0.25, { feature: 'search', team: 't1', user_id: 'u1', user_tier: 'free' }),
      spend('2026-10-20T08:00:00Z', 'a', 0.125, { feature: 'search', team: 't1', user_id: 'u1', user_tier: 'free' }),
      spend('2026-10-21T08:00:00Z', null, 0.0625, { team: 't2', user_id: 'u2', user_tier: 'free' }),
      spend('2026-11-10T00:00:00Z', 'a', 4, { feature: 'chat', team: 't1', user_id: 'u3', user_tier: 'free' }),
    ]);
    const tags = [
      tagBudget('all'),
      tagBudget('search', { match: { feature: 'search' } }),
      tagBudget('per-team', { per: 'team' }),
      tagBudget('per-user', { per: 'user_id' }),
      tagBudget('free-users', { match: { user_tier: 'free' }, per: 'user_id' }),
    ];
    const before = await seeded(s, {}, tags);
    assert.deepEqual(before, {
      all: 7_937_500_000,
      search: 1_875_000_000,
      'per-team': 0.5 * USD,
      'per-team:t1': 5_375_000_000,
      'per-team:t2': 2_062_500_000,
      'per-user': 0.5 * USD,
      'per-user:u1': 1_375_000_000,
      'per-user:u2': 2_062_500_000,
      'per-user:u3': 4 * USD,
      'free-users:u1': 1_375_000_000,
      'free-users:u2': 0.0625 * USD,
      'free-users:u3': 4 * USD,
    });
    await s.prune(RETENTION_DAYS, NOW);
    assert.deepEqual(await seeded(s, {}, tags), before);
  }),

  storeCase('a reset of a total budget made in the pruned range still applies; inside an hour, that hour counts whole (never less than was spent)', async (s) => {
    await s.insertCalls([
      spend('2026-08-10T09:15:00Z', 'k', 1),
      spend('2026-09-01T00:10:00Z', 'k', 0.5), // before the reset, in its hour
      spend('2026-09-01T00:50:00Z', 'k', 2),
      spend('2026-11-10T00:00:00Z', 'k', 0.25),
      spend('2026-08-10T09:15:00Z', 'h', 1),
      spend('2026-09-01T02:10:00Z', 'h', 2),
    ]);
    await s.budgets.recordReset(totalReset({ resetAt: at('2026-09-01T00:30:00Z') }));
    // On a whole hour the rollups split exactly.
    await s.budgets.recordReset(totalReset({ budget: 'h', resetAt: at('2026-09-01T02:00:00Z') }));
    const keys = { k: keyBudget(10), h: keyBudget(10) };
    assert.deepEqual(await seeded(s, keys), { k: 2.25 * USD, h: 2 * USD });
    await s.prune(RETENTION_DAYS, NOW);
    assert.deepEqual(await seeded(s, keys), { k: 2.75 * USD, h: 2 * USD });
  }),

  storeCase('resets of total tag budgets in the pruned range: of every instance, and of one per value', async (s) => {
    await s.insertCalls([
      spend('2026-08-10T09:15:00Z', 'a', 1, { team: 't1', user_id: 'u1' }),
      spend('2026-08-10T09:15:00Z', 'a', 2, { team: 't2', user_id: 'u2' }),
      spend('2026-09-10T09:15:00Z', 'a', 0.5, { team: 't1', user_id: 'u1' }),
      spend('2026-09-10T09:15:00Z', 'a', 0.25, { team: 't2', user_id: 'u2' }),
      spend('2026-11-10T00:00:00Z', 'a', 0.125, { team: 't1', user_id: 'u1' }),
    ]);
    const tags = [tagBudget('per-team', { per: 'team' }), tagBudget('per-user', { per: 'user_id' })];
    await s.budgets.recordReset(totalReset({ kind: 'tag', budget: 'per-team', allValues: true, resetAt: at('2026-09-01T00:00:00Z') }));
    await s.budgets.recordReset(totalReset({ kind: 'tag', budget: 'per-team', tagValue: 't2', resetAt: at('2026-09-20T00:00:00Z') }));
    await s.budgets.recordReset(totalReset({ kind: 'tag', budget: 'per-user', tagValue: 'u2', resetAt: at('2026-09-01T00:00:00Z') }));
    const before = await seeded(s, {}, tags);
    assert.deepEqual(before, { 'per-team:t1': 0.625 * USD, 'per-user:u1': 1.625 * USD, 'per-user:u2': 0.25 * USD });
    await s.prune(RETENTION_DAYS, NOW);
    assert.deepEqual(await seeded(s, {}, tags), before);
  }),

  storeCase('periodSpend of a total budget (the TUI, the audit, a budget changed while serving) adds the pruned spend, most spent first', async (s) => {
    await s.insertCalls([
      spend('2026-08-10T09:15:00Z', 'k', 3, { team: 't1' }),
      spend('2026-09-10T09:15:00Z', 'k', 1, { team: 't2' }),
      spend('2026-11-10T00:00:00Z', 'k', 0.5, { team: 't2' }),
      spend('2026-11-10T00:00:00Z', 'k', 0.25, { team: 't3' }),
    ]);
    const total = { period: 'total' as const, start: 0, end: Infinity };
    const read = async () => ({
      key: (await s.budgets.periodSpend({ kind: 'key', name: 'k' }, total)).map((r) => [r.tagValue, r.costNano]),
      top2: (await s.budgets.periodSpend({ kind: 'tag', name: 'per-team', match: {}, per: 'team' }, total, { top: 2 })).map((r) => [r.tagValue, r.costNano]),
    });
    const before = await read();
    assert.deepEqual(before, { key: [[null, 4.75 * USD]], top2: [['t1', 3 * USD], ['t2', 1.5 * USD]] });
    assert.equal(await s.budgets.rawCallsSince(), 0);
    await s.prune(RETENTION_DAYS, NOW);
    assert.ok((await s.budgets.rawCallsSince()) >= at('2026-10-01T00:00:00Z'));
    assert.deepEqual(await read(), before);
  }),
];
