import { describe, expect, it } from 'vitest';
import { EXACT_P50_MAX_CALLS, countScope, needsCallCount, planEconomics, planQuery, type PlanSpec } from '../../src/report/plan.js';
import type { RollupState } from '../../src/store/read/report/index.js';

/** planQuery is pure: the same spec and facts always give the same plan, with nothing read. */

const OCT = Date.parse('2026-10-01T00:00:00Z');
const NOV = Date.parse('2026-11-01T00:00:00Z');
const DEC = Date.parse('2026-12-01T00:00:00Z');

function state(o: { rawSince?: number; demoted?: string[] } = {}): RollupState {
  const demoted = new Set(o.demoted ?? []);
  return { rawSince: o.rawSince ?? 0, entitySince: 0, firstHour: OCT, lastHour: DEC - 3_600_000, rolledUp: (k) => !demoted.has(k) };
}

const spec = (o: Partial<PlanSpec> = {}): PlanSpec => ({ since: NOV, until: DEC, by: [], where: [], timeZone: 'UTC', reach: 'reached', ...o });
const SMALL = 100;
const LARGE = EXACT_P50_MAX_CALLS + 1;

describe('planQuery', () => {
  it('reads raw rows for everything on a database without rollups', () => {
    expect(planQuery(spec({ by: ['feature'] }), { rollups: undefined, callsInScope: SMALL })).toMatchObject({ source: 'raw', p50: 'raw' });
  });

  it('answers built-ins and one rolled-up tag key from rollups; p50 exact while the scope is small', () => {
    const facts = { rollups: state(), callsInScope: SMALL };
    for (const s of [spec(), spec({ by: ['model', 'day'] }), spec({ by: ['feature'] }), spec({ by: ['model'], where: [{ key: 'feature', op: '!=', value: 'chat' }] }), spec({ keyName: 'app' })]) {
      expect(planQuery(s, facts), JSON.stringify(s)).toMatchObject({ source: 'rollups', p50: 'raw' });
    }
    expect(planQuery(spec({ by: ['feature'] }), facts).reason).toContain('feature');
  });

  it('takes p50 from histograms when the scope is large, uncounted, or its raw rows were pruned', () => {
    expect(planQuery(spec({ by: ['feature'] }), { rollups: state(), callsInScope: LARGE }).p50).toBe('histogram');
    expect(planQuery(spec({ by: ['feature'] }), { rollups: state(), callsInScope: EXACT_P50_MAX_CALLS }).p50).toBe('raw');
    expect(planQuery(spec({ by: ['feature'] }), { rollups: state() }).p50).toBe('histogram');
    expect(planQuery(spec({ by: ['feature'] }), { rollups: state({ rawSince: NOV + 3_600_000 }), callsInScope: SMALL }).p50).toBe('histogram');
    expect(planQuery(spec(), { rollups: state(), callsInScope: SMALL }, { exactP50MaxCalls: 0 }).p50).toBe('histogram');
  });

  it('reads raw rows for two tag keys at once, a demoted key, or an entity key used as a value filter', () => {
    const facts = { rollups: state({ demoted: ['order_no'] }), callsInScope: LARGE };
    for (const s of [
      spec({ by: ['feature', 'user_tier'] }),
      spec({ by: ['feature'], where: [{ key: 'tenant_id', op: '=', value: 't1' }] }),
      spec({ by: ['order_no'] }),
      spec({ where: [{ key: 'user_id', op: '=', value: 'u1' }] }),
    ]) {
      expect(planQuery(s, facts), JSON.stringify(s)).toMatchObject({ source: 'raw', p50: 'raw' });
    }
  });

  it('uses rollups for an entity key only as a presence filter', () => {
    const s = spec({ by: ['feature'], where: [{ key: 'session_id', op: '!=', value: '(none)' }] });
    expect(planQuery(s, { rollups: state(), callsInScope: LARGE })).toMatchObject({ source: 'rollups', p50: 'histogram' });
  });

  it('ranks --by user_id --top N from entity rows of one month, with their p50 when the scope is large', () => {
    const top = spec({ by: ['user_id'], top: 5 });
    expect(planQuery(top, { rollups: state(), callsInScope: LARGE })).toMatchObject({ source: 'entities', p50: 'entities' });
    expect(planQuery(top, { rollups: state(), callsInScope: SMALL })).toMatchObject({ source: 'entities', p50: 'raw' });
    // Per-user latencies live only in raw rows: pruned ones leave the p50 to raw rows (which say so).
    expect(planQuery(top, { rollups: state({ rawSince: NOV + 3_600_000 }), callsInScope: LARGE })).toMatchObject({ source: 'entities', p50: 'raw' });
    // Without --top every user is listed: sums from raw rows, medians of a large scope still from entity rows.
    expect(planQuery(spec({ by: ['user_id'] }), { rollups: state(), callsInScope: LARGE })).toMatchObject({ source: 'raw', p50: 'entities' });
  });

  it('leaves entity keys to raw rows for filters, --key, or a range inside a month', () => {
    const facts = { rollups: state(), callsInScope: LARGE };
    expect(planQuery(spec({ by: ['user_id'], top: 5, where: [{ key: 'model', op: '=', value: 'x' }] }), facts).source).toBe('raw');
    expect(planQuery(spec({ by: ['user_id'], top: 5, keyName: 'app' }), facts).source).toBe('raw');
    expect(planQuery(spec({ by: ['user_id'], top: 5, since: NOV + 5 * 86_400_000, until: NOV + 12 * 86_400_000 }), facts)).toMatchObject({ source: 'raw', p50: 'raw' });
  });
});

describe('facts for the plan', () => {
  it('counts the spec scope when rollups apply its filters, else the unfiltered scope (an upper bound)', () => {
    const tagged = spec({ where: [{ key: 'feature', op: '=', value: 'chat' }] });
    expect(countScope(tagged, state())).toEqual(tagged);
    const twoKeys = spec({ where: [{ key: 'feature', op: '=', value: 'chat' }, { key: 'tenant_id', op: '=', value: 't1' }], keyName: 'app' });
    expect(countScope(twoKeys, state())).toEqual({ ...twoKeys, where: [] });
  });

  it('needs a count only where the exact p50 is possible', () => {
    expect(needsCallCount(spec(), { rollups: undefined })).toBe(false);
    expect(needsCallCount(spec(), { rollups: state() })).toBe(true);
    expect(needsCallCount(spec(), { rollups: state({ rawSince: NOV + 1 }) })).toBe(false);
  });
});

describe('planEconomics', () => {
  it('uses rollups and entity rows for unfiltered month-shaped ranges, raw rows otherwise', () => {
    expect(planEconomics(spec(), state()).source).toBe('summaries');
    expect(planEconomics(spec({ since: OCT, until: DEC }), state()).source).toBe('summaries');
    expect(planEconomics(spec(), undefined).source).toBe('raw');
    expect(planEconomics(spec({ where: [{ key: 'feature', op: '=', value: 'x' }] }), state()).source).toBe('raw');
    expect(planEconomics(spec({ keyName: 'app' }), state()).source).toBe('raw');
    expect(planEconomics(spec({ since: NOV + 86_400_000, until: DEC - 86_400_000 }), state()).source).toBe('raw');
    expect(planEconomics(spec(), state({ demoted: ['tenant_id'] })).source).toBe('raw');
  });
});
