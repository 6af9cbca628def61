import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planEconomics, type PlanPolicy } from '../../src/report/plan.js';
import { plannedReads } from '../../src/report/run-plan.js';
import { OTHER } from '../../src/report/types.js';
import { startOfMonth } from '../../src/report/tz.js';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import { groupKey, monthPieces, type AggregateSpec, type EconomicsAggregates, type GroupAggregate } from '../../src/store/read/report/index.js';
import type { Scope } from '../../src/store/read/scope.js';
import { testStore as createStore } from '../support/store.js';
import type { CallRecord, SqlDriver } from '../../src/store/types.js';
import type { TestStore as Store } from '../support/store.js';
import { readsOf, record } from './dataset.js';
import { T0, SPAN, ZONES, callArb, withinP50Bound } from './rollup-arbitraries.js';

/**
 * Distinct users and sessions (unit economics) and `--by user_id --top N` from
 * entity_months, against raw-row aggregation, for ranges shaped like calendar months.
 */

const HOUR = 3_600_000;
/** What reports count by default, and all that entity rows hold: calls that reached the provider. */
const REACHED = 'reached' as const;

function storeWith(calls: readonly CallRecord[]): Store {
  const store = createStore(openDriver(':memory:'));
  for (let i = 0; i < calls.length; i += 25) store.insertCalls(calls.slice(i, i + 25));
  return store;
}

/** A local calendar month of some zone, a UTC month, a suffix of one month plus a prefix of the next, or all time. */
const monthRange = fc.oneof(
  fc.constantFrom({ since: Date.parse('2020-01-01T00:00:00Z'), until: Date.parse('2099-12-31T00:00:00Z') }),
  fc.tuple(fc.constantFrom(...ZONES), fc.integer({ min: 0, max: SPAN })).map(([zone, t]) => ({ since: startOfMonth(T0 + t, zone), until: startOfMonth(T0 + t, zone, 1) })),
  fc
    .tuple(fc.integer({ min: 1, max: 20 * 24 }), fc.integer({ min: 1, max: 20 * 24 }), fc.constantFrom(Date.parse('2026-10-01T00:00:00Z'), Date.parse('2026-11-01T00:00:00Z')))
    .map(([back, forward, boundary]) => ({ since: boundary - back * HOUR, until: boundary + forward * HOUR })),
  fc.constantFrom({ since: Date.parse('2026-10-01T00:00:00Z'), until: Date.parse('2026-11-01T00:00:00Z') }),
);

const calls = fc.array(callArb, { minLength: 1, maxLength: 150 });

/** Unit economics from rollups and entity rows; undefined when the plan says raw rows must answer. */
async function economicsFromRollups(driver: SqlDriver, scope: Scope): Promise<EconomicsAggregates | undefined> {
  const reads = readsOf(driver);
  const state = await reads.rollupState();
  return state && planEconomics(scope, state).source === 'summaries' ? reads.summaries(state).economics(scope) : undefined;
}

const economicsFromRawRows = (driver: SqlDriver, scope: Scope) => readsOf(driver).rawEconomics(scope);
const reportSource = (driver: SqlDriver, policy?: PlanPolicy) => plannedReads(readsOf(driver), policy);
const createRawSource = (driver: SqlDriver) => readsOf(driver).raw;

describe('entity rollups', () => {
  it('cut ranges into whole months, prefixes and suffixes, and refuse middle slices', () => {
    const oct = Date.parse('2026-10-01T00:00:00Z');
    const nov = Date.parse('2026-11-01T00:00:00Z');
    const state = { entitySince: 0, firstHour: oct - 100 * HOUR, lastHour: nov + 100 * HOUR };
    expect(monthPieces({ since: oct - HOUR, until: nov - HOUR }, state)?.map((p) => p.kind)).toEqual(['suffix', 'prefix']);
    expect(monthPieces({ since: oct, until: nov }, state)?.map((p) => p.kind)).toEqual(['whole']);
    expect(monthPieces({ since: oct + HOUR, until: nov - HOUR }, state)).toBeUndefined();
    // A database pruned before schema v4 lost the entity rows of months before entitySince.
    expect(monthPieces({ since: oct, until: nov }, { ...state, entitySince: nov })).toBeUndefined();
    expect(monthPieces({ since: nov, until: nov + 100 * HOUR }, { ...state, entitySince: nov })?.map((p) => p.kind)).toEqual(['prefix']);
    // Months without any call are left out, whatever --since says.
    expect(monthPieces({ since: Date.parse('2020-01-01T00:00:00Z'), until: Date.parse('2099-12-01T00:00:00Z') }, state)?.map((p) => [p.month, p.kind])).toEqual([
      [Date.parse('2026-09-01T00:00:00Z'), 'whole'],
      [oct, 'whole'],
      [nov, 'whole'],
    ]);
    expect(monthPieces({ since: oct, until: nov }, { entitySince: 0, firstHour: null, lastHour: null })).toEqual([]);
  });

  it('count active users and sessions per tier and tenant exactly', async () => {
    await fc.assert(
      fc.asyncProperty(calls, monthRange, fc.constantFrom(...ZONES), async (cs, range, timeZone) => {
        const store = storeWith(cs);
        try {
          const scope = { ...range, where: [], timeZone, reach: REACHED };
          const fast = await economicsFromRollups(store.driver, scope);
          expect(fast).toBeDefined();
          expect(fast).toEqual(await economicsFromRawRows(store.driver, scope));
        } finally {
          store.close();
        }
      }),
      { numRuns: 120 },
    );
  });

  it('count users exactly when a range ends inside a minute, and for a month of a half-hour zone', async () => {
    // Entity rows keep the minutes of first_ts / last_ts indexed (schema v10). Asia/Kolkata's November
    // (2026-10-31T18:30Z to 2026-11-30T18:30Z: an October suffix and a November prefix) ends on whole
    // minutes; the second range ends at 18:30:30Z, inside a minute, where the exact ms must decide.
    const user = (id: string, ...at: string[]) => at.map((a) => record({ at: a, tags: { user_id: id, user_tier: 'pro' } }));
    const cs = [
      ...user('u_october_before_start', '2026-10-31T18:29:59.999Z'),
      ...user('u_october_at_start', '2026-10-31T18:30:00Z'),
      ...user('u_october_both_sides', '2026-10-31T18:10:00Z', '2026-10-31T18:40:00Z'),
      ...user('u_before_end_minute', '2026-11-30T18:29:59Z'),
      ...user('u_in_end_minute_before', '2026-11-30T18:30:10Z'),
      ...user('u_in_end_minute_after', '2026-11-30T18:30:45Z'),
      ...user('u_in_end_minute_both', '2026-11-30T18:30:29.999Z', '2026-11-30T18:30:31Z'),
      ...user('u_after_end_minute', '2026-11-30T18:31:00Z'),
    ];
    const store = storeWith(cs);
    const usersIn = async (since: number, until: number) => {
      const scope = { since, until, where: [], timeZone: 'Asia/Kolkata', reach: REACHED };
      const fast = await economicsFromRollups(store.driver, scope);
      expect(fast).toEqual(await economicsFromRawRows(store.driver, scope));
      return fast?.overall.activeUsers;
    };
    try {
      const mid = Date.parse('2026-11-15T00:00:00Z');
      const [since, until] = [startOfMonth(mid, 'Asia/Kolkata'), startOfMonth(mid, 'Asia/Kolkata', 1)];
      expect([since, until]).toEqual([Date.parse('2026-10-31T18:30:00Z'), Date.parse('2026-11-30T18:30:00Z')]);
      // october_at_start, october_both_sides, before_end_minute.
      expect(await usersIn(since, until)).toBe(3);
      // A November prefix ending at 18:30:30Z: before_end_minute, in_end_minute_before, in_end_minute_both.
      expect(await usersIn(Date.parse('2026-11-01T00:00:00Z'), Date.parse('2026-11-30T18:30:30Z'))).toBe(3);
      // Its complement inside November (a suffix from 18:30:30Z): in_end_minute_after, in_end_minute_both, after_end_minute.
      expect(await usersIn(Date.parse('2026-11-30T18:30:30Z'), Date.parse('2026-12-01T00:00:00Z'))).toBe(3);
    } finally {
      store.close();
    }
  });

  it('rank --by user_id --top N exactly, with (none) and (other), and p50 within the bound', async () => {
    await fc.assert(
      fc.asyncProperty(calls, monthRange, fc.integer({ min: 1, max: 6 }), fc.constantFrom('user_id', 'session_id'), async (cs, range, top, key) => {
        const store = storeWith(cs);
        try {
          const spec: AggregateSpec = { ...range, by: [key], where: [], timeZone: 'UTC', reach: REACHED };
          const fast = await reportSource(store.driver, { exactP50MaxCalls: 0 });
          const raw = createRawSource(store.driver);
          const groups = await fast.groups(spec, { top });
          const sorted = (gs: typeof groups) => [...gs].sort((a, b) => (a.values[0]! < b.values[0]! ? -1 : 1));
          expect(sorted(groups)).toEqual(sorted(await raw.groups(spec, { top })));
          const keep = groups.map((g) => g.values[0]!).filter((v) => v !== OTHER);
          const exact = await raw.p50(spec, keep);
          const approx = await fast.p50(spec, keep);
          for (const g of groups) {
            const k = groupKey(g.values);
            expect(withinP50Bound(approx.get(k)!, exact.get(k)!), `${k}: ${approx.get(k)} vs ${exact.get(k)}`).toBe(true);
          }
        } finally {
          store.close();
        }
      }),
      { numRuns: 120 },
    );
  });

  it('after pruning, months whose raw calls are gone still answer users, tiers, tenants and top users exactly', async () => {
    const month = (iso: string) => ({ since: Date.parse(iso), until: startOfMonth(Date.parse(iso), 'UTC', 1) });
    const wholeMonth = fc.constantFrom(month('2026-09-01T00:00:00Z'), month('2026-10-01T00:00:00Z'), month('2026-11-01T00:00:00Z'));
    // Whole-hour ranges only: a pruned hour cut by a range edge is counted whole (rollup-plan.ts).
    const range = fc.oneof(
      wholeMonth,
      fc.constantFrom({ since: Date.parse('2020-01-01T00:00:00Z'), until: Date.parse('2099-12-01T00:00:00Z') }),
      fc
        .tuple(fc.integer({ min: 1, max: 20 * 24 }), fc.integer({ min: 1, max: 20 * 24 }), fc.constantFrom(Date.parse('2026-10-01T00:00:00Z'), Date.parse('2026-11-01T00:00:00Z')))
        .map(([back, forward, boundary]) => ({ since: boundary - back * HOUR, until: boundary + forward * HOUR })),
    );
    await fc.assert(
      fc.asyncProperty(calls, range, fc.integer({ min: 0, max: 60 * 24 }), fc.integer({ min: 1, max: 6 }), async (cs, r, cutHours, top) => {
        const kept = storeWith(cs);
        const pruned = storeWith(cs);
        try {
          const { cutoff } = await pruned.prune(1, T0 + cutHours * HOUR + 86_400_000);
          const scope = { ...r, where: [], timeZone: 'UTC', reach: REACHED };
          const fast = await economicsFromRollups(pruned.driver, scope);
          expect(fast).toBeDefined();
          expect(fast).toEqual(await economicsFromRawRows(kept.driver, scope));
          if (r.until - r.since > 32 * 86_400_000 || (r.since !== startOfMonth(r.since, 'UTC'))) return;
          const spec: AggregateSpec = { ...scope, by: ['user_id'] };
          const sorted = (gs: GroupAggregate[]) => [...gs].sort((a, b) => (a.values[0]! < b.values[0]! ? -1 : 1));
          const source = await reportSource(pruned.driver);
          const groups = await source.groups(spec, { top });
          expect(sorted(groups)).toEqual(sorted(await createRawSource(kept.driver).groups(spec, { top })));
          // Sums come from entity rows; per-user latencies only exist in raw rows, so a p50 reaching before the cutoff says so.
          await source.p50(spec, groups.map((g) => g.values[0]!).filter((v) => v !== OTHER));
          expect(source.prunedBefore()).toBe(r.since < cutoff ? cutoff : null);
        } finally {
          kept.close();
          pruned.close();
        }
      }),
      { numRuns: 60 },
    );
  });
});
