import { afterAll, describe, expect, it } from 'vitest';
import { spendReport } from '../../src/report/query.js';
import { unitEconomics } from '../../src/report/unit-economics.js';
import type { SqlDriver, SqlValue } from '../../src/store/types.js';
import { buildDb } from './dataset.js';
import { NOVEMBER, NOVEMBER_CALLS } from './november.js';

/** Every query the reports run must search indexes, never scan the whole call log. */

const db = buildDb(NOVEMBER_CALLS);
afterAll(() => db.close());

/** A driver that records each query it runs, so its plan can be explained afterwards. */
function recording(driver: SqlDriver): { driver: SqlDriver; queries: Array<{ sql: string; params: SqlValue[] }> } {
  const queries: Array<{ sql: string; params: SqlValue[] }> = [];
  return {
    queries,
    driver: {
      ...driver,
      prepare(sql) {
        const stmt = driver.prepare(sql);
        return {
          run: (...p) => stmt.run(...p),
          get: (...p) => (queries.push({ sql, params: p }), stmt.get(...p)),
          all: (...p) => (queries.push({ sql, params: p }), stmt.all(...p)),
        } as typeof stmt;
      },
    },
  };
}

function plans(run: (driver: SqlDriver) => void): string[][] {
  const rec = recording(db.driver);
  run(rec.driver);
  return rec.queries.map((q) => db.driver.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all<{ detail: string }>(...q.params).map((r) => r.detail));
}

const fullScanOfCalls = (detail: string) => /^SCAN c\b/.test(detail) || /^SCAN calls\b/.test(detail);

describe('query plans', () => {
  it('reads the time range from calls_ts and tags by primary key', () => {
    const all = plans((d) => spendReport(d, { ...NOVEMBER, by: ['feature', 'day'], where: [], timeZone: 'Europe/Berlin', top: 5 }));
    expect(all.length).toBeGreaterThan(3);
    for (const plan of all) {
      expect(plan.some(fullScanOfCalls), plan.join('\n')).toBe(false);
      expect(plan.some((d) => /SEARCH c(alls)? USING (COVERING )?INDEX calls_ts/.test(d)), plan.join('\n')).toBe(true);
    }
    expect(all.flat().some((d) => /SEARCH d0 USING PRIMARY KEY \(call_id=\? AND key=\?\)/.test(d))).toBe(true);
  });

  it('uses the (key, value) index for = filters and primary-key probes for != filters', () => {
    const all = plans((d) =>
      spendReport(d, {
        ...NOVEMBER,
        by: ['model'],
        where: [
          { key: 'tenant_id', op: '=', value: 't1' },
          { key: 'feature', op: '!=', value: 'chatbot' },
        ],
        timeZone: 'UTC',
      }),
    );
    const flat = all.flat();
    expect(flat.some((d) => d.includes('call_tags_key_value (key=? AND value=?)'))).toBe(true);
    expect(flat.some((d) => /SEARCH w USING PRIMARY KEY \(call_id=\? AND key=\?\)/.test(d))).toBe(true);
    expect(flat.some(fullScanOfCalls)).toBe(false);
  });

  it('uses calls_key_name_ts for --key', () => {
    const flat = plans((d) => spendReport(d, { ...NOVEMBER, by: [], where: [], keyName: 'ide', timeZone: 'UTC' })).flat();
    expect(flat.some((d) => d.includes('calls_key_name_ts (key_name=? AND ts>? AND ts<?)'))).toBe(true);
  });

  it('counts unit-economics users from indexed joins', () => {
    const all = plans((d) => unitEconomics(d, { ...NOVEMBER, timeZone: 'UTC' }, { price_per_user: {}, price_per_tenant: {} }));
    expect(all).toHaveLength(3);
    for (const plan of all) {
      expect(plan.some(fullScanOfCalls)).toBe(false);
      expect(plan.filter((d) => /USING PRIMARY KEY \(call_id=\? AND key=\?\) LEFT-JOIN/.test(d)).length).toBeGreaterThanOrEqual(2);
    }
  });
});
