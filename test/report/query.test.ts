import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/lib/errors.js';
import { spendReport } from '../../src/report/query.js';
import type { ReportQuery, ReportRow } from '../../src/report/types.js';
import { buildDb } from './dataset.js';
import { NOVEMBER, NOVEMBER_CALLS } from './november.js';

const TOTAL = 160.5e6;

const db = buildDb(NOVEMBER_CALLS);
afterAll(() => db.close());

const report = (q: Partial<ReportQuery> = {}) => spendReport(db.reads, { ...NOVEMBER, by: [], where: [], timeZone: 'UTC', ...q });
const row = (rows: ReportRow[], ...values: string[]) => rows.find((r) => Object.values(r.group).join('|') === values.join('|'));

describe('spendReport', () => {
  it('groups by a tag with costs, calls, tokens, averages, shares and p50', async () => {
    const r = await report({ by: ['feature'] });
    expect(r.rows.map((x) => x.group.feature)).toEqual(['summarizer', 'chatbot', 'autocomplete', '(none)']);
    expect(row(r.rows, 'summarizer')).toEqual({
      group: { feature: 'summarizer' },
      kind: 'group',
      costNano: 126e6,
      calls: 3,
      pricedCalls: 3,
      unpricedCalls: 0,
      inputTokens: 30_000,
      outputTokens: 1_500,
      cachedInputTokens: 3_000,
      avgCostNano: 42e6,
      share: 126e6 / TOTAL,
      p50LatencyMs: 200,
    });
    expect(row(r.rows, 'chatbot')).toMatchObject({ costNano: 32e6, calls: 7, pricedCalls: 4, unpricedCalls: 2, avgCostNano: 8e6, inputTokens: 4_200, p50LatencyMs: 40 });
    expect(row(r.rows, 'autocomplete')).toMatchObject({ costNano: 2e6, calls: 2, avgCostNano: 1e6, p50LatencyMs: 6 });
    expect(row(r.rows, '(none)')).toMatchObject({ costNano: 5e5, calls: 2, pricedCalls: 1, unpricedCalls: 1, avgCostNano: 5e5, p50LatencyMs: 55 });
    expect(r.total).toMatchObject({ costNano: TOTAL, calls: 14, pricedCalls: 10, unpricedCalls: 3, share: 1, avgCostNano: 16.05e6 });
    expect(r.rows.reduce((a, x) => a + x.share, 0)).toBeCloseTo(1, 12);
    expect(r.rows.reduce((a, x) => a + x.costNano, 0)).toBe(r.total.costNano);
  });

  it('names unpriced models, most calls first', async () => {
    expect((await report({ by: ['feature'] })).unpriced).toEqual([
      { model: 'mystery-1', calls: 2, provider: 'openai' },
      { model: 'mystery-2', calls: 1, provider: 'openai' },
    ]);
  });

  it('groups by built-in dimensions', async () => {
    const byModel = await report({ by: ['model'] });
    expect(row(byModel.rows, 'gpt-4o')).toMatchObject({ costNano: 126e6, calls: 3 });
    expect(row(byModel.rows, 'gpt-4o-mini')).toMatchObject({ costNano: 32.5e6, calls: 6 });
    expect(row(byModel.rows, 'mystery-1')).toMatchObject({ costNano: 0, calls: 2, unpricedCalls: 2, avgCostNano: 0 });
    expect((await report({ by: ['key'] })).rows.map((x) => [x.group.key, x.calls])).toEqual([
      ['app', 12],
      ['ide', 2],
    ]);
    expect((await report({ by: ['provider'] })).rows).toHaveLength(1);
    expect((await report({ by: ['endpoint'] })).rows[0]).toMatchObject({ group: { endpoint: 'chat.completions' }, calls: 14 });
  });

  it('builds a cross table for two dimensions', async () => {
    const r = await report({ by: ['feature', 'user_tier'] });
    expect(row(r.rows, 'summarizer', 'pro')).toMatchObject({ costNano: 84e6, calls: 2, p50LatencyMs: 250 });
    expect(row(r.rows, 'chatbot', 'free')).toMatchObject({ costNano: 16e6, calls: 4, unpricedCalls: 2 });
    expect(row(r.rows, 'chatbot', '(none)')).toMatchObject({ costNano: 0, calls: 1 });
    expect(row(r.rows, '(none)', '(none)')).toMatchObject({ costNano: 5e5, calls: 2 });
    expect(r.rows.slice(0, 2).map((x) => x.group)).toEqual([
      { feature: 'summarizer', user_tier: 'pro' },
      { feature: 'summarizer', user_tier: 'free' },
    ]);
    const cross = r.cross!;
    expect(cross.rowValues).toEqual(['summarizer', 'chatbot', 'autocomplete', '(none)']);
    expect(cross.colValues).toEqual(['pro', 'free', 'enterprise', '(none)']);
    const costs = (cells: ReadonlyArray<{ costNano: number }>) => cells.map((c) => c.costNano);
    expect(costs(cross.cells[0]!)).toEqual([84e6, 42e6, 0, 0]);
    expect(costs(cross.cells[1]!)).toEqual([8e6, 16e6, 8e6, 0]);
    // chatbot × free: 2 priced calls ($0.016) and 2 unpriced.
    expect(cross.cells[1]![1]).toMatchObject({ calls: 4, pricedCalls: 2, unpricedCalls: 2 });
    expect(costs(cross.rowTotals)).toEqual([126e6, 32e6, 2e6, 5e5]);
    expect(costs(cross.colTotals).reduce((a, b) => a + b, 0)).toBe(TOTAL);
    expect(r.rows.reduce((a, x) => a + x.share, 0)).toBeCloseTo(1, 12);
  });

  it('keeps the top N and sums the rest into (other)', async () => {
    const r = await report({ by: ['feature'], top: 2 });
    expect(r.rows.map((x) => x.group.feature)).toEqual(['summarizer', 'chatbot', '(other)']);
    // (other) = autocomplete + (none); its p50 is the median of their pooled latencies 5,7,50,60.
    expect(row(r.rows, '(other)')).toMatchObject({ costNano: 2.5e6, calls: 4, pricedCalls: 3, unpricedCalls: 1, avgCostNano: Math.round(2.5e6 / 3), p50LatencyMs: 28.5 });
    expect(r.total.costNano).toBe(TOTAL);
    expect((await report({ by: ['feature'], top: 10 })).rows).toHaveLength(4);
  });

  it('applies top N to the first dimension of a cross table', async () => {
    const r = await report({ by: ['feature', 'user_tier'], top: 1 });
    expect(r.cross!.rowValues).toEqual(['summarizer', '(other)']);
    expect(r.cross!.rowKinds).toEqual(['group', 'other']);
    expect(row(r.rows, '(other)', 'free')).toMatchObject({ costNano: 16e6, calls: 4 });
    expect(row(r.rows, '(other)', 'pro')).toMatchObject({ costNano: 10e6, calls: 3 });
    expect(r.rows.reduce((a, x) => a + x.costNano, 0)).toBe(TOTAL);
  });

  it('filters with =, != and (none), on tags and built-ins, and by key', async () => {
    const total = async (q: Partial<ReportQuery>) => (await report(q)).total;
    expect(await total({ where: [{ key: 'feature', op: '=', value: 'chatbot' }] })).toMatchObject({ calls: 7, costNano: 32e6 });
    // != keeps calls without the tag.
    expect(await total({ where: [{ key: 'feature', op: '!=', value: 'chatbot' }] })).toMatchObject({ calls: 7, costNano: 128.5e6 });
    expect(await total({ where: [{ key: 'feature', op: '=', value: '(none)' }] })).toMatchObject({ calls: 2, costNano: 5e5 });
    expect(await total({ where: [{ key: 'feature', op: '!=', value: '(none)' }] })).toMatchObject({ calls: 12 });
    expect(await total({ where: [{ key: 'model', op: '=', value: 'gpt-4o' }] })).toMatchObject({ calls: 3, costNano: 126e6 });
    expect(await total({ where: [{ key: 'model', op: '!=', value: 'gpt-4o' }] })).toMatchObject({ calls: 11 });
    expect(await total({ keyName: 'ide' })).toMatchObject({ calls: 2, costNano: 2e6 });
    const both = await report({ by: ['feature'], where: [{ key: 'user_tier', op: '=', value: 'pro' }, { key: 'feature', op: '!=', value: 'summarizer' }] });
    expect(both.rows.map((x) => [x.group.feature, x.costNano])).toEqual([
      ['chatbot', 8e6],
      ['autocomplete', 2e6],
    ]);
    expect((await report({ where: [{ key: 'feature', op: '=', value: 'chatbot' }] })).unpriced).toEqual([{ model: 'mystery-1', calls: 2, provider: 'openai' }]);
  });

  it('covers [since, until): the boundaries are exact to the millisecond', async () => {
    expect((await report({ since: NOVEMBER.since - 1 })).total.calls).toBe(15);
    expect((await report({ until: NOVEMBER.until + 1 })).total.calls).toBe(15);
    expect((await report({ since: Date.parse('2026-11-13T00:00:00Z') })).total).toMatchObject({ calls: 3, costNano: 42e6 + 5e5 });
  });

  it('fills a day series with quiet days and sums to the total', async () => {
    const r = await report({ by: ['day'] });
    expect(r.rows).toHaveLength(30);
    expect(r.rows[0]!.group.day).toBe('2026-11-01');
    expect(r.rows[29]!.group.day).toBe('2026-11-30');
    expect(row(r.rows, '2026-11-01')).toMatchObject({ calls: 0, costNano: 0, p50LatencyMs: null });
    expect(row(r.rows, '2026-11-02')).toMatchObject({ calls: 1, costNano: 42e6 });
    expect(r.rows.reduce((a, x) => a + x.costNano, 0)).toBe(TOTAL);
    expect((await report({ by: ['week'] })).rows.map((x) => x.group.week)).toEqual(['2026-10-26', '2026-11-02', '2026-11-09', '2026-11-16', '2026-11-23', '2026-11-30']);
    expect((await report({ by: ['month'] })).rows).toMatchObject([{ group: { month: '2026-11' }, costNano: TOTAL }]);
  });

  it('compares with the previous period of the same length', async () => {
    const r = await report({ by: ['feature'], compare: 'previous' });
    expect(r.previous).toEqual({ since: Date.parse('2026-10-02T00:00:00Z'), until: NOVEMBER.since });
    expect(row(r.rows, 'summarizer')).toMatchObject({ prevCostNano: 1e9, change: (126e6 - 1e9) / 1e9 });
    expect(row(r.rows, 'chatbot')).toMatchObject({ prevCostNano: 16e6, change: 1 });
    expect(row(r.rows, 'autocomplete')).toMatchObject({ prevCostNano: 0, change: null });
    expect(r.total).toMatchObject({ prevCostNano: 1.016e9, change: (TOTAL - 1.016e9) / 1.016e9 });
  });

  it('folds the previous period onto the same top N', async () => {
    const r = await report({ by: ['feature'], top: 1, compare: 'previous' });
    expect(r.rows.map((x) => [x.group.feature, x.prevCostNano])).toEqual([
      ['summarizer', 1e9],
      ['(other)', 16e6],
    ]);
  });

  it('leaves time buckets without a previous value but still compares the total', async () => {
    const r = await report({ by: ['day'], compare: 'previous' });
    expect(r.rows.every((x) => x.prevCostNano === null && x.change === null)).toBe(true);
    expect(r.total.prevCostNano).toBe(1.016e9);
  });

  it('reports nothing, without failing, for an empty period', async () => {
    const r = await report({ by: ['feature'], since: Date.parse('2020-01-01T00:00:00Z'), until: Date.parse('2020-02-01T00:00:00Z') });
    expect(r.rows).toEqual([]);
    expect(r.total).toMatchObject({ calls: 0, costNano: 0, share: 0, avgCostNano: 0, p50LatencyMs: null });
    expect(r.unpriced).toEqual([]);
  });

  it.each([
    [{ by: ['a', 'b', 'c'] }, /at most two/],
    [{ by: ['feature', 'feature'] }, /twice/],
    [{ by: ['bad key!'] }, /neither a built-in/],
    [{ top: 0 }, /--top/],
    [{ where: [{ key: 'day', op: '=', value: '2026-11-01' }] }, /--since and --until/],
    [{ since: NOVEMBER.until }, /before --until/],
  ] as Array<[Partial<ReportQuery>, RegExp]>)('rejects %j', async (q, message) => {
    await expect(report(q)).rejects.toThrow(UsageError);
    await expect(report(q)).rejects.toThrow(message);
  });
});

describe('time zones', () => {
  const tz = buildDb([
    { at: '2026-11-10T23:30:00Z', cost: 1e6 }, // Tuesday; already Wednesday 00:30 in Berlin
    { at: '2026-11-15T23:30:00Z', cost: 2e6 }, // Sunday in UTC, Monday 00:30 in Berlin
    { at: '2026-11-30T23:30:00Z', cost: 4e6 }, // December 1st in Berlin
    // Around the switch to summer time on 2026-03-29 (CET +1 → CEST +2 at 01:00 UTC).
    { at: '2026-03-28T23:30:00Z', cost: 8e6 }, // 03-29 00:30 CET
    { at: '2026-03-29T21:30:00Z', cost: 16e6 }, // 03-29 23:30 CEST
    { at: '2026-03-29T22:30:00Z', cost: 32e6 }, // 03-30 00:30 CEST
  ]);
  afterAll(() => tz.close());
  const series = async (by: string, timeZone: string, since: string, until: string) =>
    (await spendReport(tz.reads, { since: Date.parse(since), until: Date.parse(until), by: [by], where: [], timeZone }))
      .rows.filter((r) => r.calls > 0)
      .map((r) => [r.group[by], r.costNano]);

  /** Each [dimension, zone, buckets with calls as [bucket, costNano]] over November 2026 (and 1 December, UTC bounds). */
  const expectNovember = async (cases: Array<[string, string, Array<[string, number]>]>) => {
    for (const [by, zone, buckets] of cases) expect(await series(by, zone, '2026-11-01T00:00:00Z', '2026-12-02T00:00:00Z'), `${by} in ${zone}`).toEqual(buckets);
  };

  it('buckets days in the configured zone', async () => {
    await expectNovember([
      ['day', 'UTC', [['2026-11-10', 1e6], ['2026-11-15', 2e6], ['2026-11-30', 4e6]]],
      ['day', 'Europe/Berlin', [['2026-11-11', 1e6], ['2026-11-16', 2e6], ['2026-12-01', 4e6]]],
      ['day', 'America/New_York', [['2026-11-10', 1e6], ['2026-11-15', 2e6], ['2026-11-30', 4e6]]],
    ]);
  });

  it('starts weeks on Monday and months on the 1st, locally', async () => {
    await expectNovember([
      ['week', 'UTC', [['2026-11-09', 3e6], ['2026-11-30', 4e6]]],
      ['week', 'Europe/Berlin', [['2026-11-09', 1e6], ['2026-11-16', 2e6], ['2026-11-30', 4e6]]],
      ['month', 'Europe/Berlin', [['2026-11', 3e6], ['2026-12', 4e6]]],
    ]);
  });

  it('follows the offset across a DST switch', async () => {
    expect(await series('day', 'Europe/Berlin', '2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z')).toEqual([
      ['2026-03-29', 24e6],
      ['2026-03-30', 32e6],
    ]);
  });
});
