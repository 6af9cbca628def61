import { afterAll, describe, expect, it } from 'vitest';
import { spendReport } from '../../src/report/query.js';
import { plannedReads } from '../../src/report/run-plan.js';
import { unitEconomics } from '../../src/report/unit-economics.js';
import { sqliteDb, type Db } from '../../src/store/db.js';
import { createFeedReads } from '../../src/store/read/feed.js';
import { createReportReads, type ReportReads } from '../../src/store/read/report/index.js';
import type { SqlValue } from '../../src/store/types.js';
import { buildDb } from './dataset.js';
import { NOVEMBER, NOVEMBER_CALLS } from './november.js';

/** Every query the reports run must search indexes, never scan the call log or the rollups. */

const db = buildDb([
  ...NOVEMBER_CALLS,
  { at: '2026-11-03T09:00:00Z', tags: { feature: 'chatbot', user_id: 'u1', session_id: 's1', user_tier: 'free' } },
  { at: '2026-11-30T23:30:00Z', tags: { feature: 'chatbot', user_id: 'u2', session_id: 's2', user_tier: 'pro' } },
]);
afterAll(() => db.close());

/** A Db that records each query it runs, so its plan can be explained afterwards. */
function recording(db: Db): { db: Db; queries: Array<{ sql: string; params: SqlValue[] }> } {
  const queries: Array<{ sql: string; params: SqlValue[] }> = [];
  const recorded = (on: Db): Db => ({
    ...on,
    get: (sql, params = []) => (queries.push({ sql, params: [...params] }), on.get(sql, params)),
    all: (sql, params = []) => (queries.push({ sql, params: [...params] }), on.all(sql, params)),
    // The reads of a snapshot are recorded too.
    snapshot: (fn) => on.snapshot((tx) => fn(recorded(tx))),
  });
  return { queries, db: recorded(db) };
}

interface Plan {
  sql: string;
  detail: string[];
}

async function plans(run: (reads: ReportReads) => Promise<unknown>): Promise<Plan[]> {
  const rec = recording(sqliteDb(db.driver));
  await run(createReportReads(rec.db));
  return rec.queries.map((q) => ({ sql: q.sql, detail: db.driver.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all<{ detail: string }>(...q.params).map((r) => r.detail) }));
}

const fullScan = (detail: string) => /^SCAN (c|calls|d|r|e|p|u|rollups|rollup_dims|entity_months|call_postings)\b(?! VIRTUAL TABLE)/.test(detail);
/** A search of the postings of one value (SQLite v12, migrations/012-tag-postings.ts) by primary key. */
const postingsOfValue = (alias: string) => (d: string) => d.includes(`SEARCH ${alias} USING PRIMARY KEY (key=? AND value=?)`);
const touches = (table: string) => (p: Pick<Plan, 'sql'>) => new RegExp(`(FROM|JOIN) ${table}\\b`).test(p.sql);
const RAW_ONLY = { ...NOVEMBER, where: [], timeZone: 'Europe/Berlin' };

describe('query plans: raw rows', () => {
  it('two tag keys read the time range from calls_ts and each tag from its call (calls.tags)', async () => {
    const all = (await plans((d) => spendReport(d, { ...RAW_ONLY, by: ['feature', 'user_tier'], top: 5 }))).filter(touches('calls'));
    expect(all.length).toBeGreaterThan(3);
    for (const { detail } of all) {
      expect(detail.some(fullScan), detail.join('\n')).toBe(false);
      expect(detail.some((d) => /SEARCH c(alls)? USING (COVERING )?INDEX calls_ts/.test(d)), detail.join('\n')).toBe(true);
    }
    expect(all.flatMap((p) => p.detail).some((d) => /SCAN d0 VIRTUAL TABLE INDEX/.test(d))).toBe(true);
    expect(all.some((p) => touches('call_postings')(p))).toBe(false);
  });

  it("groups by an entity key through each call's own tags", async () => {
    const all = await plans((d) => spendReport(d, { ...RAW_ONLY, by: ['feature', 'user_id'], top: 5 }));
    const flat = all.flatMap((p) => p.detail);
    expect(flat.some(fullScan), flat.join('\n')).toBe(false);
    expect(flat.some((d) => /SCAN d1 VIRTUAL TABLE INDEX/.test(d)), flat.join('\n')).toBe(true);
    expect(all.some((p) => touches('call_postings')(p))).toBe(false);
  });

  it("reads the postings of the value for = filters on an entity key, and the call's own tags for its != filters and for other keys", async () => {
    const flat = (await plans((d) =>
      spendReport(d, {
        ...RAW_ONLY,
        by: ['model'],
        where: [
          { key: 'user_id', op: '=', value: 'u1' },
          { key: 'session_id', op: '!=', value: 's2' },
          { key: 'feature', op: '!=', value: 'chatbot' },
        ],
      }),
    )).flatMap((p) => p.detail);
    expect(flat.some(postingsOfValue('p')), flat.join('\n')).toBe(true);
    expect(flat.some((d) => /SCAN w VIRTUAL TABLE INDEX/.test(d)), flat.join('\n')).toBe(true);
    expect(flat.some(fullScan)).toBe(false);
  });

  it('reads one conversation through its postings: request-scoped ids have postings too', async () => {
    const flat = (await plans((d) => spendReport(d, { ...RAW_ONLY, by: ['feature'], where: [{ key: 'conversation_id', op: '=', value: 'c1' }] }))).flatMap((p) => p.detail);
    expect(flat.some(postingsOfValue('p')), flat.join('\n')).toBe(true);
    expect(flat.some(fullScan)).toBe(false);
  });

  it("counts the dashboard's active users from user_id's postings, within the id bounds of the calls in scope (each bound read once)", async () => {
    const rec = recording(sqliteDb(db.driver));
    const users = await createFeedReads(rec.db).activeUsers({ ...RAW_ONLY });
    expect(users).toBe(2);
    const [query] = rec.queries.filter(touches('call_postings'));
    const detail = db.driver.prepare(`EXPLAIN QUERY PLAN ${query!.sql}`).all<{ detail: string }>(...query!.params).map((r) => r.detail);
    expect(detail[0], detail.join('\n')).toBe('SEARCH p USING PRIMARY KEY (key=?)');
    // Uncorrelated: SQLite runs them once, not once per posting.
    expect(detail.filter((d) => /^SCALAR SUBQUERY/.test(d)), detail.join('\n')).toHaveLength(2);
    expect(detail.some((d) => /CORRELATED SCALAR|CO-ROUTINE/.test(d)), detail.join('\n')).toBe(false);
    expect(detail.some(fullScan)).toBe(false);
  });

  it('uses calls_key_name_ts for --key when p50 is exact from raw rows', async () => {
    const flat = (await plans((d) => spendReport(d, { ...NOVEMBER, by: [], where: [], keyName: 'ide', timeZone: 'UTC' }))).flatMap((p) => p.detail);
    expect(flat.some((d) => d.includes('calls_key_name_ts (key_name=? AND ts>? AND ts<?)'))).toBe(true);
  });

  it("counts unit-economics users over the range's calls (calls_ts) and their own tags when filters rule out entity rows", async () => {
    const economics = { price_per_user: {}, price_per_tenant: {} };
    const all = (await plans((d) => unitEconomics(d, { ...NOVEMBER, timeZone: 'UTC', where: [{ key: 'feature', op: '!=', value: 'x' }] }, economics))).filter(touches('calls'));
    expect(all).toHaveLength(3);
    for (const { detail } of all) {
      expect(detail.some(fullScan), detail.join('\n')).toBe(false);
      expect(detail.some((d) => /SEARCH c USING (COVERING )?INDEX calls_ts/.test(d)), detail.join('\n')).toBe(true);
      expect(detail.some((d) => /SCAN u VIRTUAL TABLE INDEX \d+:.*LEFT-JOIN/.test(d)), detail.join('\n')).toBe(true);
    }
  });
});

describe('query plans: rollups', () => {
  const rollupProbes = (detail: string[]) =>
    detail.some((d) => /SEARCH d USING (COVERING )?INDEX rollup_dims_tag \(tag_key=\?/.test(d)) &&
    detail.some((d) => d.includes('SEARCH r USING PRIMARY KEY (dim_id=? AND hour>? AND hour<?)'));

  it('sums, histograms and the unpriced footer search rollup_dims by tag and rollups by (dim_id, hour)', async () => {
    const all = await plans(async (d) => {
      const source = await plannedReads(d, { exactP50MaxCalls: 0 });
      const spec = { ...NOVEMBER, by: ['feature', 'day'], where: [{ key: 'model', op: '!=' as const, value: 'x' }], timeZone: 'Europe/Berlin' };
      await source.groups(spec, { top: 2 });
      await source.p50(spec, ['summarizer']);
      await source.unpriced(spec);
    });
    const rollupQueries = all.filter(touches('rollups'));
    expect(rollupQueries.length).toBeGreaterThanOrEqual(6);
    for (const { detail } of rollupQueries) {
      expect(detail.some(fullScan), detail.join('\n')).toBe(false);
      expect(rollupProbes(detail), detail.join('\n')).toBe(true);
    }
    // Whole-hour zone, aligned range: nothing is read from the call log.
    expect(all.filter(touches('calls'))).toEqual([]);
  });

  it('reads the cut hours of an unaligned range from calls_ts', async () => {
    const all = await plans(async (d) => (await plannedReads(d)).groups({ since: NOVEMBER.since + 90_000, until: NOVEMBER.until - 90_000, by: ['feature'], where: [], timeZone: 'Asia/Kolkata' }));
    const raw = all.filter(touches('calls'));
    expect(raw.length).toBeGreaterThan(0);
    for (const { detail } of raw) expect(detail.some((d) => /SEARCH c USING (COVERING )?INDEX calls_ts/.test(d)), detail.join('\n')).toBe(true);
  });

  it('counts users of a local month from entity_counts and the first/last indexes of entity_months', async () => {
    const economics = { price_per_user: {}, price_per_tenant: {} };
    const berlinNovember = { since: Date.parse('2026-10-31T23:00:00Z'), until: Date.parse('2026-11-30T23:00:00Z') };
    const all = await plans((d) => unitEconomics(d, { ...berlinNovember, timeZone: 'Europe/Berlin' }, economics));
    // Per count (users overall, per tier, per tenant; sessions overall, per tier): the
    // October hour by the last_minute index and its probes into November, November's counter
    // minus its last hour by the first_minute index (schema v10: the minutes of last_ts / first_ts).
    expect(all.filter(touches('entity_counts'))).toHaveLength(5);
    const entity = all.filter(touches('entity_months'));
    expect(entity.length).toBe(5 * 3);
    const flat = [...entity, ...all.filter(touches('entity_counts'))].flatMap((p) => p.detail);
    expect(flat.some(fullScan)).toBe(false);
    expect(flat.some((d) => d.includes('entity_counts USING PRIMARY KEY (key=? AND seg_key=? AND month=?)'))).toBe(true);
    expect(flat.some((d) => /USING COVERING INDEX entity_months_last \(key=\? AND seg_key=\? AND month=\? AND last_minute>\?\)/.test(d))).toBe(true);
    expect(flat.some((d) => /USING COVERING INDEX entity_months_first \(key=\? AND seg_key=\? AND month=\? AND first_minute>\?\)/.test(d))).toBe(true);
    expect(flat.some((d) => /SEARCH x (EXISTS )?USING PRIMARY KEY \(key=\? AND seg_key=\? AND month=\? AND seg_value=\? AND value=\?\)/.test(d))).toBe(true);
    expect(all.filter(touches('calls'))).toEqual([]);
  });

  it('ranks --by user_id --top N from one month of entity_months and reads kept users through their postings', async () => {
    const all = await plans((d) => spendReport(d, { ...NOVEMBER, by: ['user_id'], where: [], top: 1, timeZone: 'UTC' }));
    const flat = all.flatMap((p) => p.detail);
    expect(flat.some(fullScan)).toBe(false);
    expect(flat.some((d) => /SEARCH entity_months USING (COVERING )?INDEX entity_months_cost \(key=\? AND month=\?\)/.test(d))).toBe(true);
    const ranking = all.filter(touches('entity_months')).flatMap((p) => p.detail);
    expect(ranking.some((d) => /TEMP B-TREE FOR ORDER BY/.test(d)), ranking.join('\n')).toBe(false);
    const p50 = (await plans(async (d) => (await plannedReads(d, { exactP50MaxCalls: 0 })).p50({ ...NOVEMBER, by: ['user_id'], where: [], timeZone: 'UTC', reach: 'reached' }, ['u1']))).flatMap((p) => p.detail);
    expect(p50.some(postingsOfValue('u')), p50.join('\n')).toBe(true);
    expect(p50.some((d) => /SEARCH c USING INTEGER PRIMARY KEY \(rowid=\?\)/.test(d)), p50.join('\n')).toBe(true);
    expect(p50.some(fullScan)).toBe(false);
  });

  it('adds the calls pending for entity rows (schema v13) through entity_pending\'s id ranges, never a scan of calls', async () => {
    const economics = { price_per_user: {}, price_per_tenant: {} };
    // A state serve's writer leaves while it holds entity rows: some calls listed as pending.
    db.driver.exec('INSERT INTO entity_pending (first_id, last_id) SELECT MAX(id) - 50, MAX(id) FROM calls');
    try {
      const all = [
        ...(await plans((d) => unitEconomics(d, { ...NOVEMBER, timeZone: 'UTC' }, economics))),
        ...(await plans((d) => spendReport(d, { ...NOVEMBER, by: ['user_id'], where: [], top: 1, timeZone: 'UTC' }))),
      ].filter(touches('entity_pending'));
      // The presence probe, then per count and for the ranking the pending calls themselves.
      const reads = all.filter(touches('calls'));
      expect(reads.length).toBeGreaterThan(5);
      for (const { detail } of reads) {
        expect(detail.some((d) => /SEARCH c USING INTEGER PRIMARY KEY \(rowid>\? AND rowid<\?\)/.test(d)), detail.join('\n')).toBe(true);
        expect(detail.some(fullScan), detail.join('\n')).toBe(false);
      }
    } finally {
      db.driver.exec('DELETE FROM entity_pending');
    }
  });
});
