import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import { testStore as createStore } from '../support/store.js';
import { USD, record, type CallSpec } from './dataset.js';
import { cliIn, matrixRow, tableRow } from './report-cli.js';

/**
 * Unit economics and the matrix's "N more" column, like the report's rows: a group none of
 * whose calls has a cost (unpriced, cost NULL) did not cost $0, its cost is unknown (`—`,
 * null); a sum that leaves some calls out is marked `*`.
 *
 * economics.db, November 2026, prices pro $29 and trial $0 per user, tenant beta $100:
 *   pro/acme    p1: 2 gpt-4o calls × $1.50 (session sp1); p2: 1 unpriced call (session sp2)
 *               → spend $3.00* (2 of 3 calls priced), $1.50 per user, revenue $58
 *   trial/beta  t1, t2: 1 unpriced call each (sessions st1, st2) → spend, cost per user and
 *               session, AI COGS and margins unknown; the free-tier subsidy unknown too
 *   overall     5 calls, 2 priced, $3.00 over 4 users → $0.750* per active user
 * pro's AI COGS ($3.00* / $58 = 5.2%) is then a lower bound, its margin ($58 − $3.00* =
 * $55.00, 94.8%) an upper bound, and so is the headline's COGS: all marked `*` as well.
 *
 * subsidy.db, the same prices: pro p1 1 call × $1.50; trial t1 1 call × $0.58, t2 1 unpriced
 *   → the free tiers cost $0.580* (1 of 2 calls priced), $0.580* per paid user (1), and
 *     $0.58 / $29 = 2.0%* of paid revenue, a lower bound too; trial's margin $0 − $0.580* =
 *     -$0.580* an upper bound; overall $2.08* / $29 = 7.2%* AI COGS.
 *
 * matrix.db, --by team,feature: features a…h (column totals $0.015 … $0.002) are listed, i
 * ($0.001) and j (no priced call) are summed into "2 more":
 *   web  a: $0.009 and 1 unpriced call, b…h: $0.008 … $0.002, i: $0.001, j: 1 unpriced call
 *   ml   a: $0.005, i and j: 1 unpriced call each
 *   ops  a: $0.001
 */

let dir: string;
const AT = '2026-11-10T12:00:00Z';
const range = ['--since', '2026-11-01', '--until', '2026-11-30'];

const user = (id: string, tier: string, tenant: string, session: string, cost: number | null): CallSpec => ({
  at: AT,
  model: cost === null ? 'gpt-9-turbo' : 'gpt-4o',
  cost,
  tags: { user_id: id, user_tier: tier, tenant_id: tenant, session_id: session },
});
const ECONOMICS_CALLS = [
  user('p1', 'pro', 'acme', 'sp1', 1.5 * USD),
  user('p1', 'pro', 'acme', 'sp1', 1.5 * USD),
  user('p2', 'pro', 'acme', 'sp2', null),
  user('t1', 'trial', 'beta', 'st1', null),
  user('t2', 'trial', 'beta', 'st2', null),
];

const cell = (team: string, feature: string, cost: number | null): CallSpec => ({ at: AT, model: cost === null ? 'gpt-9-turbo' : 'gpt-4o', cost, tags: { team, feature } });
const MATRIX_CALLS = [
  ...'abcdefgh'.split('').map((feature, i) => cell('web', feature, (9 - i) * 1_000_000)),
  cell('web', 'a', null),
  cell('web', 'i', 1_000_000),
  cell('web', 'j', null),
  cell('ml', 'a', 5_000_000),
  cell('ml', 'i', null),
  cell('ml', 'j', null),
  cell('ops', 'a', 1_000_000),
];

const SUBSIDY_CALLS = [user('p1', 'pro', 'acme', 'sp1', 1.5 * USD), user('t1', 'trial', 'beta', 'st1', 0.58 * USD), user('t2', 'trial', 'beta', 'st2', null)];

function writeDb(name: string, calls: readonly CallSpec[]): void {
  const store = createStore(openDriver(path.join(dir, name)));
  store.insertCalls(calls.map(record));
  void store.close();
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'tokometer-unpriced-economics-'));
  writeDb('economics.db', ECONOMICS_CALLS);
  writeDb('matrix.db', MATRIX_CALLS);
  writeDb('subsidy.db', SUBSIDY_CALLS);
  writeFileSync(path.join(dir, 'tokometer.yaml'), 'economics:\n  price_per_user: { pro: 29, trial: 0 }\n  price_per_tenant: { beta: 100 }\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cli = (db: string, args: string[]) => cliIn(dir, [...args, ...range, '--db', path.join(dir, db)]);

type Json = Record<string, unknown>;

describe('unit economics of calls without a cost', () => {
  it('table: a tier and a tenant of unpriced calls show — for spend, share, cost per user and session and the margin; partial spends are marked', async () => {
    const { code, out } = await cli('economics.db', ['report', '--by', 'model', '--unit-economics']);
    expect(code).toBe(0);
    // COGS from a partial spend is a lower bound, the margin an upper bound: marked as the spend is.
    expect(out).toContain('Active users 4 · AI cost per active user $0.750* · per session $0.750* · AI COGS 5.2%* of $58.00 revenue');
    // user_tier, users, spend, % of spend, cost/user, sessions, cost/session, price/user/mo, revenue, AI COGS, gross margin, margin %
    expect(tableRow(out, 'pro')).toEqual(['pro', '2', '$3.00*', '100.0%', '$1.50*', '2', '$1.50*', '$29.00', '$58.00', '5.2%*', '$55.00*', '94.8%*']);
    expect(tableRow(out, 'trial')).toEqual(['trial', '2', '—', '—', '—', '2', '—', '$0.00', '$0.00', '—', '—', '—']);
    expect(out).toContain('Subsidy: trial usage cost —, carried by 2 paid users.');
    // tenant_id, users, calls, spend, % of spend, contract/mo, revenue, AI COGS, gross margin, margin %
    expect(tableRow(out, 'acme')).toEqual(['acme', '2', '3', '$3.00*', '100.0%', '—', '—', '—', '—', '—']);
    expect(tableRow(out, 'beta')).toEqual(['beta', '2', '2', '—', '—', '$100.00', '$100.00', '—', '—', '—']);
  });

  it("table: the free tiers' share of paid revenue made from a partial subsidy is marked as the subsidy is", async () => {
    const { code, out } = await cli('subsidy.db', ['report', '--unit-economics']);
    expect(code).toBe(0);
    expect(out).toContain('Subsidy: trial usage cost $0.580*, carried by 1 paid user, $0.580* per paid user, 2.0%* of paid revenue.');
    // Overall $2.08* of $29 revenue = 7.2%*.
    expect(out).toContain('AI COGS 7.2%* of $29.00 revenue');
    // pro is wholly priced: $1.50 / $29 = 5.2%, margin $27.50 (94.8%), unmarked.
    expect(tableRow(out, 'pro')).toEqual(['pro', '1', '$1.50', '72.1%', '$1.50', '1', '$1.50', '$29.00', '$29.00', '5.2%', '$27.50', '94.8%']);
    // trial's margin $0 − $0.580* = -$0.580 is an upper bound: marked (no revenue: no COGS or margin %).
    expect(tableRow(out, 'trial')).toEqual(['trial', '2', '$0.580*', '27.9%', '$0.290*', '2', '$0.290*', '$0.00', '$0.00', '—', '-$0.580*', '—']);
  });

  it('json: cost_usd, share, costs per user and session, COGS and margin are null for the unpriced tier and tenant; priced_calls says what a sum covers', async () => {
    const { code, out } = await cli('economics.db', ['report', '--unit-economics', '--format', 'json']);
    expect(code).toBe(0);
    const ue = (JSON.parse(out) as { unit_economics: Json & { tiers: Json[]; tenants: Json[]; subsidy: Json } }).unit_economics;
    expect(ue).toMatchObject({ calls: 5, priced_calls: 2, cost_usd: 3, cost_per_user_usd: 0.75, cost_per_session_usd: 0.75, revenue_usd: 58 });
    expect(ue.tiers.find((t) => t.tier === 'pro')).toMatchObject({ calls: 3, priced_calls: 2, cost_usd: 3, share: 1, cost_per_user_usd: 1.5, gross_margin_usd: 55 });
    expect(ue.tiers.find((t) => t.tier === 'trial')).toEqual({
      tier: 'trial',
      calls: 2,
      priced_calls: 0,
      cost_usd: null,
      share: null,
      active_users: 2,
      cost_per_user_usd: null,
      sessions: 2,
      cost_per_session_usd: null,
      price_per_month_usd: 0,
      revenue_usd: 0,
      cogs_ratio: null,
      gross_margin_usd: null,
      gross_margin_ratio: null,
      calls_without_user_id: 0,
      cost_without_user_id_usd: 0,
    });
    expect(ue.tenants.find((t) => t.tenant === 'beta')).toMatchObject({ calls: 2, priced_calls: 0, cost_usd: null, share: null, revenue_usd: 100, cogs_ratio: null, gross_margin_usd: null, gross_margin_ratio: null });
    expect(ue.subsidy).toEqual({ free_tiers: ['trial'], cost_usd: null, paid_active_users: 2, per_paid_user_usd: null, share_of_paid_revenue: null });
    // Read from rollups above (a whole month, no filter); --key makes the raw call log answer, alike.
    const raw = await cli('economics.db', ['report', '--unit-economics', '--format', 'json', '--key', 'app']);
    expect((JSON.parse(raw.out) as { unit_economics: Json }).unit_economics).toEqual(ue);
  });

  it('csv: empty fields for the unpriced tier, and priced_calls last', async () => {
    const { code, out } = await cli('economics.db', ['report', '--unit-economics', '--format', 'csv']);
    expect(code).toBe(0);
    const lines = out.split('\r\n');
    expect(lines[0]).toBe('tier,calls,cost_usd,share,active_users,cost_per_user_usd,sessions,cost_per_session_usd,price_per_month_usd,revenue_usd,cogs_ratio,gross_margin_usd,gross_margin_ratio,priced_calls,calls_without_user_id,cost_without_user_id_usd');
    expect(lines).toContain('trial,2,,,2,,2,,0,0,,,,0,0,0');
  });
});

describe('the matrix of calls without a cost', () => {
  it('"2 more" is — for a row whose summed columns have calls and no cost, marked when partial; partial cells and totals are marked', async () => {
    const { code, out } = await cli('matrix.db', ['report', '--by', 'team,feature']);
    expect(code).toBe(0);
    expect(out).toMatch(/team \\ feature\s+a\s+b\s+c\s+d\s+e\s+f\s+g\s+h\s+2 more\s+total/);
    const none = Array<string>(7).fill('');
    const cells = (values: string[]) => Object.fromEntries(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', '2 more', 'total'].map((h, i) => [h, values[i]]));
    // web: i $0.001 priced and j unpriced → $0.001*; a has an unpriced call beside $0.009.
    expect(tableRow(out, 'web', true)).toEqual(['web', '$0.009*', '$0.008', '$0.007', '$0.006', '$0.005', '$0.004', '$0.003', '$0.002', '$0.001*', '$0.045*']);
    // ml: no call in b…h (blank); i and j unpriced only → unknown, not $0.00.
    expect(matrixRow(out, 'ml')).toEqual(cells(['$0.005', ...none, '—', '$0.005*']));
    // ops: no call in b…h nor in i or j → blank.
    expect(matrixRow(out, 'ops')).toEqual(cells(['$0.001', ...none, '', '$0.001']));
    expect(tableRow(out, 'total', true)).toEqual(['total', '$0.015*', '$0.008', '$0.007', '$0.006', '$0.005', '$0.004', '$0.003', '$0.002', '$0.001*', '$0.051*']);
  });
});
