import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { spendReport } from '../../src/report/query.js';
import { OTHER, type ReportQuery, type SpendReport } from '../../src/report/types.js';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import { groupKey, rollupTagKey, type AggregateReads, type AggregateSpec, type Collapse, type GroupAggregate } from '../../src/store/read/report/index.js';
import { testStore as createStore } from '../support/store.js';
import type { CallRecord, SqlDriver } from '../../src/store/types.js';
import type { TestStore as Store } from '../support/store.js';
import { buildDb, readsOf } from './dataset.js';
import { NOVEMBER, NOVEMBER_CALLS } from './november.js';
import { T0, SPAN, WHOLE_HOUR_ZONES, ZONES, callArb, queryArb, specOf, withinP50Bound, type QueryShape } from './rollup-arbitraries.js';

/** Rollup answers against raw-row aggregation of the same calls, for random data and queries. */

function storeWith(calls: readonly CallRecord[], batches: readonly number[]): Store {
  const store = createStore(openDriver(':memory:'));
  let i = 0;
  for (const size of batches) {
    store.insertCalls(calls.slice(i, i + size));
    i += size;
  }
  store.insertCalls(calls.slice(i));
  return store;
}

async function rollupSource(driver: SqlDriver): Promise<AggregateReads> {
  const reads = readsOf(driver);
  return reads.summaries((await reads.rollupState())!).rollups;
}

const rawSource = (driver: SqlDriver): AggregateReads => readsOf(driver).raw;

const sorted = (groups: GroupAggregate[]) => [...groups].sort((a, b) => (groupKey(a.values) < groupKey(b.values) ? -1 : 1));

interface Answer {
  groups: GroupAggregate[];
  p50: Map<string, number>;
  unpriced: Awaited<ReturnType<AggregateReads['unpriced']>>;
}

/** What spendReport asks a source: groups (folded with --top), p50 on the same folding, unpriced models. */
async function ask(source: AggregateReads, spec: AggregateSpec, top: number | undefined): Promise<Answer> {
  const collapse: Collapse | undefined = top !== undefined && spec.by.length > 0 ? { top } : undefined;
  const groups = await source.groups(spec, collapse);
  const keep = collapse && groups.some((g) => g.values[0] === OTHER) ? [...new Set(groups.map((g) => g.values[0]!).filter((v) => v !== OTHER))] : undefined;
  return { groups: sorted(groups), p50: await source.p50(spec, keep), unpriced: await source.unpriced(spec) };
}

function expectSameAnswer(actual: Answer, exact: Answer, q: QueryShape): void {
  const label = JSON.stringify(q);
  expect(actual.groups, label).toEqual(exact.groups);
  expect(actual.unpriced, label).toEqual(exact.unpriced);
  expect([...actual.p50.keys()].sort(), label).toEqual([...exact.p50.keys()].sort());
  for (const [key, value] of exact.p50) expect(withinP50Bound(actual.p50.get(key)!, value), `${label} p50 ${key}: ${actual.p50.get(key)} vs ${value}`).toBe(true);
}

const dataset = fc.record({
  calls: fc.array(callArb, { minLength: 1, maxLength: 120 }),
  batches: fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 4 }),
});

describe('rollups agree with raw rows', () => {
  it('for random calls, zones, groupings, filters and --top', async () => {
    await fc.assert(
      fc.asyncProperty(dataset, fc.array(queryArb(), { minLength: 1, maxLength: 6 }), async ({ calls, batches }, queries) => {
        const store = storeWith(calls, batches);
        try {
          const raw = rawSource(store.driver);
          const rollups = await rollupSource(store.driver);
          const state = (await readsOf(store.driver).rollupState())!;
          for (const q of queries) {
            const spec = specOf(q);
            expect(rollupTagKey(spec, state)).not.toBeUndefined();
            expectSameAnswer(await ask(rollups, spec, q.top), await ask(raw, spec, q.top), q);
          }
        } finally {
          store.close();
        }
      }),
      { numRuns: 150 },
    );
  });

  it('after retention pruned the raw rows: hour-aligned reports are unchanged', async () => {
    await fc.assert(
      fc.asyncProperty(
        dataset,
        fc.integer({ min: 0, max: SPAN / 3_600_000 }),
        fc.array(queryArb({ aligned: true, zones: WHOLE_HOUR_ZONES }), { minLength: 1, maxLength: 5 }),
        async ({ calls, batches }, cutHour, queries) => {
          const kept = storeWith(calls, batches);
          const pruned = storeWith(calls, batches);
          try {
            const cutoff = T0 + cutHour * 3_600_000;
            const result = await pruned.prune(1, cutoff + 86_400_000);
            expect(result.cutoff).toBe(cutoff);
            expect(result.calls).toBe(calls.filter((c) => c.ts < cutoff).length);
            const raw = rawSource(kept.driver);
            const rollups = await rollupSource(pruned.driver);
            for (const q of queries) expectSameAnswer(await ask(rollups, specOf(q), q.top), await ask(raw, specOf(q), q.top), q);
          } finally {
            kept.close();
            pruned.close();
          }
        },
      ),
      { numRuns: 80 },
    );
  });

  it('after pruning, consecutive days of any zone still add up to the range total', async () => {
    await fc.assert(
      fc.asyncProperty(dataset, fc.integer({ min: 0, max: SPAN / 3_600_000 }), fc.constantFrom(...ZONES), async ({ calls, batches }, cutHour, zone) => {
        const kept = storeWith(calls, batches);
        const pruned = storeWith(calls, batches);
        try {
          await pruned.prune(1, T0 + cutHour * 3_600_000 + 86_400_000);
          const range = { since: T0 - 86_400_000, until: T0 + SPAN + 86_400_000, where: [], timeZone: zone };
          const days = await (await rollupSource(pruned.driver)).groups({ ...range, by: ['day'] });
          const total = (await rawSource(kept.driver).groups({ ...range, by: [] }))[0]!;
          expect(days.reduce((a, g) => a + g.calls, 0)).toBe(total.calls);
          expect(days.reduce((a, g) => a + g.costNano, 0)).toBe(total.costNano);
        } finally {
          kept.close();
          pruned.close();
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('retention through spendReport', () => {
  it('keeps November reports (any grouping, UTC or Berlin) after every raw row of November is gone', async () => {
    const db = buildDb(NOVEMBER_CALLS);
    try {
      const queries: ReportQuery[] = ['feature', 'day', 'model', 'user_tier'].flatMap((dim) =>
        ['UTC', 'Europe/Berlin'].map((timeZone) => ({ ...NOVEMBER, by: [dim], where: [], timeZone, top: 3 })),
      );
      const before = await Promise.all(queries.map((q) => spendReport(db.reads, q)));
      expect((await db.store.prune(7, Date.parse('2026-12-20T00:00:00Z'))).calls).toBe(NOVEMBER_CALLS.length);
      const withoutP50 = (r: SpendReport) => ({ ...r, rows: r.rows.map((x) => ({ ...x, p50LatencyMs: null })), total: { ...r.total, p50LatencyMs: null } });
      for (const [i, q] of queries.entries()) {
        const after = await spendReport(db.reads, q);
        expect(withoutP50(after)).toEqual(withoutP50(before[i]!));
        after.rows.forEach((row, j) => {
          const exact = before[i]!.rows[j]!.p50LatencyMs;
          expect(exact === null ? row.p50LatencyMs === null : withinP50Bound(row.p50LatencyMs!, exact)).toBe(true);
        });
      }
    } finally {
      db.close();
    }
  });
});
