import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import type { Store } from '../../src/store/facade.js';
import { postgresCallSink } from '../../src/store/pg/call-sink.js';
import { openPostgresStore, type PostgresStore } from '../../src/store/pg/pg-store.js';
import type { CallRecord } from '../../src/store/types.js';
import { createDbSource } from '../../src/tui/data/db-source.js';
import type { DashboardQuery } from '../../src/tui/types.js';
import { pgDatabases } from '../support/pg-databases.js';
import { testStore, type TestStore } from '../support/store.js';
import { T0, callArb, queryArb } from './rollup-arbitraries.js';
import { answers } from './store-answers.js';

/**
 * Issue #16 point 5: for the same calls, `report` (spendReport, with --compare and --top),
 * `--unit-economics`, `audit` and the TUI's figures are identical on SQLite and on
 * PostgreSQL. Random datasets from the rollup property tests' generators (spanning two
 * month ends and DST changes), written to both stores in the same random batches, then
 * random queries in every zone asked of both.
 */
const databases = pgDatabases();

async function bothStores(calls: readonly CallRecord[], sizes: readonly number[]): Promise<{ lite: TestStore; pg: PostgresStore }> {
  const lite = testStore(openDriver(':memory:'));
  const url = await databases.url('equality');
  const pg = await openPostgresStore(url, 'create');
  const sink = postgresCallSink(pg.db);
  for (let i = 0, k = 0; i < calls.length; k++) {
    const batch = calls.slice(i, i + Math.max(1, sizes[k % sizes.length]!));
    lite.insertCalls(batch);
    await sink.write(batch);
    i += batch.length;
  }
  return { lite, pg };
}

/** The TUI's snapshot for a few dashboard queries. */
async function dashboard(store: Store, now: number, queries: readonly DashboardQuery[]) {
  const source = createDbSource({ store, label: 'x', clock: () => now, timeZone: 'UTC', configKeyBudgets: new Map(), tagBudgets: [] });
  const out = [];
  for (const q of queries) {
    const snap = await source.load(q);
    out.push({ ...snap, label: undefined });
  }
  return out;
}

describe('reports read the same numbers on SQLite and PostgreSQL', () => {
  it('property: report (with --compare and --top), --unit-economics and audit agree for random months and queries', async () => {
    let answered = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(callArb, { minLength: 30, maxLength: 250 }),
        fc.array(fc.integer({ min: 1, max: 90 }), { minLength: 1, maxLength: 4 }),
        fc.array(queryArb(), { minLength: 3, maxLength: 6 }),
        async (calls, sizes, queries) => {
          const { lite, pg } = await bothStores(calls, sizes);
          try {
            for (const q of queries) {
              const expected = await answers(lite, q);
              expect(await answers(pg, q), JSON.stringify(q)).toEqual(expected);
              if (((expected.report as { total?: { calls?: number } }).total?.calls ?? 0) > 0) answered++;
            }
          } finally {
            await lite.close();
            await pg.close();
          }
        },
      ),
      { numRuns: 8 },
    );
    // The random queries found calls to compare, not only empty ranges.
    expect(answered).toBeGreaterThan(3);
  }, 240_000);

  it('property: the TUI shows the same table, totals, trend, tail and alerts', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(callArb, { minLength: 30, maxLength: 200 }), fc.integer({ min: 0, max: 40 }), async (calls, day) => {
        const { lite, pg } = await bothStores(calls, [50]);
        const now = T0 + day * 86_400_000 + 13 * 3_600_000;
        const queries: DashboardQuery[] = [
          { since: '30d', dimension: 'feature', filters: [], drill: [] },
          { since: '7d', dimension: 'model', filters: [{ key: 'user_tier', op: '=', value: 'pro' }], drill: [] },
          { since: '30d', dimension: 'tenant_id', filters: [], drill: [{ key: 'feature', op: '=', value: 'chatbot' }] },
        ];
        try {
          const expected = await dashboard(lite, now, queries);
          expect(await dashboard(pg, now, queries)).toEqual(expected);
          // The first query covers every call of the 30 days before `now`: the views are not empty.
          if (calls.some((c) => c.ts < now && c.ts >= now - 30 * 86_400_000)) {
            expect(expected[0]!.table.totalCalls + expected[0]!.tail!.length).toBeGreaterThan(0);
            expected.forEach((snap) => expect(snap.trend.length).toBeGreaterThan(0));
          }
        } finally {
          await lite.close();
          await pg.close();
        }
      }),
      { numRuns: 5 },
    );
  }, 240_000);
});
