import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCallWriter } from '../../src/store/call-writer.js';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import type { BudgetTarget, PeriodBounds } from '../../src/store/types.js';
import { testStore } from '../support/store.js';
import { makeCall } from './fixtures.js';

/**
 * store/read/pruned-spend.ts on SQLite beyond the facade contract (contract-pruned-spend.ts):
 * calls whose entity rows are still pending when retention runs, and the upper bounds
 * taken where the kept sums cannot tell a budget's calls apart exactly.
 */

const NOW = Date.parse('2026-11-20T12:00:00Z');
const USD = 1_000_000_000;
const TOTAL: PeriodBounds = { period: 'total', start: 0, end: Infinity };
/** The entity rows a holding writer keeps are never due by age: they stay pending. */
const HOLD_FOREVER = 1e12;

const dir = mkdtempSync(path.join(tmpdir(), 'tokometer-pruned-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

const spend = (iso: string, usd: number, tags: Record<string, string>) => makeCall(0, { ts: Date.parse(iso), keyName: 'k', costNano: Math.round(usd * USD), tags });
const tag = (name: string, match: Record<string, string>, per?: string): BudgetTarget => ({ kind: 'tag', name, match, ...(per === undefined ? {} : { per }) });

describe('pruned spend of total budgets (SQLite)', () => {
  it('counts calls whose entity rows were still pending when retention ran, before and after the cutoff, once', async () => {
    const file = path.join(dir, `pending-${files++}.db`);
    const store = testStore(openDriver(file));
    store.insertCalls([
      spend('2026-08-10T09:00:00Z', 1, { user_id: 'u1' }),
      spend('2026-10-02T09:00:00Z', 0.25, { user_id: 'u1' }),
      spend('2026-10-20T09:00:00Z', 0.125, { user_id: 'u1' }),
    ]);
    // serve's writer holds the entity rows of these: the calls stay listed in entity_pending.
    const holding = createCallWriter(openDriver(file), undefined, { entityHoldMs: HOLD_FOREVER });
    // (Its first transaction writes its rows: a writer starts unsure of what is pending.)
    holding.insertCalls([spend('2026-11-19T09:00:00Z', 0.0625, { user_id: 'u2' })]);
    holding.insertCalls([spend('2026-09-15T09:00:00Z', 2, { user_id: 'u1' }), spend('2026-10-21T09:00:00Z', 0.5, { user_id: 'u1' })]);
    expect(store.driver.prepare('SELECT COUNT(*) AS n FROM entity_pending').get<{ n: number }>()!.n).toBe(1);
    const perUser = tag('per-user', {}, 'user_id');
    const costs = async () => (await store.budgets.periodSpend(perUser, TOTAL)).map((r) => [r.tagValue, r.costNano]);
    const before = await costs();
    expect(before).toEqual([
      ['u1', 3.875 * USD],
      ['u2', 0.0625 * USD],
    ]);

    await store.prune(40, NOW);
    const cutoff = await store.budgets.rawCallsSince();
    expect(cutoff).toBe(Date.parse('2026-10-11T12:00:00Z'));
    // Aug 1 + Sep 2 (pending, kept raw but before the cutoff) + Oct 2 0.25 (pruned).
    expect(await store.budgets.prunedSpend(perUser, TOTAL, cutoff)).toEqual([{ tagValue: 'u1', costNano: 3.25 * USD }]);
    // The raw calls from the cutoff on, plus that (`calls` and tokens count the raw calls only).
    expect(await costs()).toEqual(before);
    holding.close();
    store.close();
  });

  it('takes the least of the sums of each condition where rollups hold no combination of tags (never less than was spent); a per key no kept sum splits is not read', async () => {
    const store = testStore(openDriver(':memory:'));
    store.insertCalls([
      spend('2026-08-10T09:00:00Z', 1, { feature: 'search', env: 'dev', team: 't1', request_id: 'r1' }),
      spend('2026-08-10T09:00:00Z', 2, { feature: 'chat', env: 'prod', team: 't1', request_id: 'r2' }),
      spend('2026-08-10T09:00:00Z', 0.5, { feature: 'search', env: 'prod', team: 't2', request_id: 'r3' }),
    ]);
    await store.prune(40, NOW);
    const cutoff = await store.budgets.rawCallsSince();
    const pruned = async (t: BudgetTarget) => (await store.budgets.prunedSpend(t, TOTAL, cutoff)).map((r) => [r.tagValue, r.costNano]);
    // Spent 0.5: the least of search (1.5), prod (2.5) and every call (3.5).
    expect(await pruned(tag('both', { feature: 'search', env: 'prod' }))).toEqual([[null, 1.5 * USD]]);
    // One rolled-up pair is exact.
    expect(await pruned(tag('one', { env: 'prod' }))).toEqual([[null, 2.5 * USD]]);
    // request_id is never rolled up: every call bounds it (spent 1).
    expect(await pruned(tag('request', { request_id: 'r1' }))).toEqual([[null, 3.5 * USD]]);
    // Per team within prod (spent t1 2, t2 0.5): each team's sum, at most prod's.
    expect(await pruned(tag('prod-teams', { env: 'prod' }, 'team'))).toEqual([
      ['t1', 2.5 * USD],
      ['t2', 0.5 * USD],
    ]);
    // No kept sum tells request ids apart: nothing is read (a documented limit).
    expect(await pruned(tag('per-request', {}, 'request_id'))).toEqual([]);
    store.close();
  });
});
