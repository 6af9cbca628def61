import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { economicsFromRawRows, economicsFromRollups } from '../../src/report/economics-source.js';
import { monthPieces } from '../../src/report/entity-months.js';
import { createRawSource } from '../../src/report/raw-source.js';
import { groupKey, reportSource, type AggregateSpec } from '../../src/report/source.js';
import { OTHER } from '../../src/report/types.js';
import { startOfMonth } from '../../src/report/tz.js';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import { createStore } from '../../src/store/sqlite-store.js';
import type { CallRecord, Store } from '../../src/store/types.js';
import { T0, SPAN, ZONES, callArb, withinP50Bound } from './rollup-arbitraries.js';

/**
 * Distinct users and sessions (unit economics) and `--by user_id --top N` from
 * entity_months, against raw-row aggregation, for ranges shaped like calendar months.
 */

const HOUR = 3_600_000;

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

describe('entity rollups', () => {
  it('cut ranges into whole months, prefixes and suffixes, and refuse middle slices', () => {
    const oct = Date.parse('2026-10-01T00:00:00Z');
    const nov = Date.parse('2026-11-01T00:00:00Z');
    const state = { rawSince: 0, firstHour: oct - 100 * HOUR, lastHour: nov + 100 * HOUR };
    expect(monthPieces({ since: oct - HOUR, until: nov - HOUR }, state)?.map((p) => p.kind)).toEqual(['suffix', 'prefix']);
    expect(monthPieces({ since: oct, until: nov }, state)?.map((p) => p.kind)).toEqual(['whole']);
    expect(monthPieces({ since: oct + HOUR, until: nov - HOUR }, state)).toBeUndefined();
    expect(monthPieces({ since: oct, until: nov }, { ...state, rawSince: nov + HOUR })).toBeUndefined();
    // Months without any call are left out, whatever --since says.
    expect(monthPieces({ since: Date.parse('2020-01-01T00:00:00Z'), until: Date.parse('2099-12-01T00:00:00Z') }, state)?.map((p) => [p.month, p.kind])).toEqual([
      [Date.parse('2026-09-01T00:00:00Z'), 'whole'],
      [oct, 'whole'],
      [nov, 'whole'],
    ]);
    expect(monthPieces({ since: oct, until: nov }, { rawSince: 0, firstHour: null, lastHour: null })).toEqual([]);
  });

  it('count active users and sessions per tier and tenant exactly', () => {
    fc.assert(
      fc.property(calls, monthRange, fc.constantFrom(...ZONES), (cs, range, timeZone) => {
        const store = storeWith(cs);
        try {
          const scope = { ...range, where: [], timeZone };
          const fast = economicsFromRollups(store.driver, scope);
          expect(fast).toBeDefined();
          expect(fast).toEqual(economicsFromRawRows(store.driver, scope));
        } finally {
          store.close();
        }
      }),
      { numRuns: 120 },
    );
  });

  it('rank --by user_id --top N exactly, with (none) and (other), and p50 within the bound', () => {
    fc.assert(
      fc.property(calls, monthRange, fc.integer({ min: 1, max: 6 }), fc.constantFrom('user_id', 'session_id'), (cs, range, top, key) => {
        const store = storeWith(cs);
        try {
          const spec: AggregateSpec = { ...range, by: [key], where: [], timeZone: 'UTC' };
          const fast = reportSource(store.driver, { exactP50MaxCalls: 0 });
          const raw = createRawSource(store.driver);
          const groups = fast.groups(spec, { top });
          const sorted = (gs: typeof groups) => [...gs].sort((a, b) => (a.values[0]! < b.values[0]! ? -1 : 1));
          expect(sorted(groups)).toEqual(sorted(raw.groups(spec, { top })));
          const keep = groups.map((g) => g.values[0]!).filter((v) => v !== OTHER);
          const exact = raw.p50(spec, keep);
          const approx = fast.p50(spec, keep);
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

  it('after pruning, month ranges still count users exactly while their month is kept', () => {
    fc.assert(
      fc.property(calls, fc.integer({ min: 0, max: 30 * 24 - 1 }), (cs, cutHours) => {
        const kept = storeWith(cs);
        const pruned = storeWith(cs);
        try {
          const nov = Date.parse('2026-11-01T00:00:00Z');
          pruned.prune(1, nov + cutHours * HOUR + 86_400_000);
          const scope = { since: nov, until: Date.parse('2026-12-01T00:00:00Z'), where: [], timeZone: 'UTC' };
          expect(economicsFromRollups(pruned.driver, scope)).toEqual(economicsFromRawRows(kept.driver, scope));
        } finally {
          kept.close();
          pruned.close();
        }
      }),
      { numRuns: 40 },
    );
  });
});
