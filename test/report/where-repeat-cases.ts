import { expect } from 'vitest';
import { planQuery } from '../../src/report/plan.js';
import { spendReport } from '../../src/report/query.js';
import type { ReportQuery, WhereClause } from '../../src/report/types.js';
import { unitEconomics } from '../../src/report/unit-economics.js';
import type { Store } from '../../src/store/facade.js';
import { USD } from './dataset.js';

/**
 * Repeated --where on one key: any of the values (`=`), none of them (`!=`); different keys
 * still all apply. Asked of a store holding windows-harness.ts CALLS, through rollups and
 * through raw rows, for the spend report and unit economics.
 */

const WINDOW = { since: Date.parse('2026-11-01T00:00:00Z'), until: Date.parse('2026-12-07T00:00:00Z'), timeZone: 'UTC' };
const w = (text: string): WhereClause => {
  const [key, op, value] = /^([^=!]+)(!=|=)(.*)$/.exec(text)!.slice(1) as [string, '=' | '!=', string];
  return { key, op, value };
};

async function total(store: Store, filters: string[], source: 'rollups' | 'raw'): Promise<number> {
  const q: ReportQuery = { ...WINDOW, by: [], where: filters.map(w) };
  expect(planQuery(q, { rollups: await store.reports.rollupState() }).source).toBe(source);
  return (await spendReport(store.reports, q)).total.costNano / USD;
}

export async function checkWhereRepeats(store: Store): Promise<void> {
  // Rolled-up keys and built-ins: rollups answer.
  expect(await total(store, ['feature=a', 'feature=b'], 'rollups')).toBe(9);
  expect(await total(store, ['model=gpt-4o-mini', 'model=gpt-4o'], 'rollups')).toBe(9);
  expect(await total(store, ['model=gpt-4o-mini', 'model=nothing'], 'rollups')).toBe(8);
  expect(await total(store, ['feature!=a', 'feature!=b'], 'rollups')).toBe(0);
  // An entity key (user_id): raw rows answer.
  expect(await total(store, ['user_id=u1', 'user_id=u2'], 'raw')).toBe(5);
  expect(await total(store, ['user_id!=u1', 'user_id!=u2'], 'raw')).toBe(4);
  expect(await total(store, ['feature=a', 'user_id=u1', 'user_id=u2'], 'raw')).toBe(4);
  expect(await total(store, ['user_id=u3', 'feature=a', 'feature=b'], 'raw')).toBe(4);
  expect(await total(store, ['user_id=u1', 'user_id=u2', 'user_id!=u2'], 'raw')).toBe(2);
  const ue = await unitEconomics(store.reports, { ...WINDOW, where: ['user_tier=pro', 'user_tier=free'].map(w) }, { price_per_user: { free: 0, pro: 30 }, price_per_tenant: {} });
  expect(ue.activeUsers).toBe(3);
}
