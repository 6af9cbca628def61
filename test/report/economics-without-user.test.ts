import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import { testStore as createStore } from '../support/store.js';
import { USD, record, type CallSpec } from './dataset.js';
import { cliIn, tableRow } from './report-cli.js';

/**
 * A trial: the free tier's cost per user was its whole spend ($1.50) over its 2 users, while
 * $0.60 of that spend came from calls without a user_id, which the user count leaves out.
 * Cost per user is now the spend of the calls that carry a user_id over the users they name
 * (as cost per session is over the calls with a session_id); the rest is shown apart.
 *
 * November 2026, prices pro $29 and free $0 per user:
 *   free  f1, f2: $0.45 each (calls with user_id) + 2 calls without a user_id, $0.30 each
 *         → spend $1.50, cost per user $0.90 / 2 = $0.45; 2 calls, $0.60 without a user_id
 *   pro   p1: 1 call × $3.00 → $3.00 per user
 *   (no tier) a background job, no tags: $0.50
 *   overall $5.00; users 3; calls with a user_id $3.90 → $1.30 per active user;
 *           3 calls, $1.10 without a user_id
 */
let dir: string;
const AT = '2026-11-10T12:00:00Z';
const range = ['--since', '2026-11-01', '--until', '2026-11-30'];
const CALLS: CallSpec[] = [
  { at: AT, cost: 0.45 * USD, tags: { user_id: 'f1', user_tier: 'free' } },
  { at: AT, cost: 0.45 * USD, tags: { user_id: 'f2', user_tier: 'free' } },
  { at: AT, cost: 0.3 * USD, tags: { user_tier: 'free' } },
  { at: AT, cost: 0.3 * USD, tags: { user_tier: 'free' } },
  { at: AT, cost: 3 * USD, tags: { user_id: 'p1', user_tier: 'pro' } },
  { at: AT, cost: 0.5 * USD },
];

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'tokometer-economics-without-user-'));
  const store = createStore(openDriver(path.join(dir, 'e.db')));
  store.insertCalls(CALLS.map(record));
  void store.close();
  writeFileSync(path.join(dir, 'tokometer.yaml'), 'economics:\n  price_per_user: { pro: 29, free: 0 }\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cli = (args: string[]) => cliIn(dir, ['report', '--unit-economics', ...args, ...range, '--db', path.join(dir, 'e.db')]);
type Json = Record<string, unknown>;

describe('unit economics with calls that carry no user_id', () => {
  it('table: cost per user over the calls with a user_id, and a note counting the others', async () => {
    const { code, out } = await cli([]);
    expect(code).toBe(0);
    expect(out).toContain('Active users 3 · AI cost per active user $1.30');
    // user_tier, users, spend, % of spend, cost/user, price/user/mo, revenue, AI COGS, gross margin, margin %
    expect(tableRow(out, 'free')).toEqual(['free', '2', '$1.50', '30.0%', '$0.450', '$0.00', '$0.00', '—', '-$1.50', '—']);
    expect(out).toContain('cost/user counts the calls with a user_id: 3 calls without one ($1.10) are in spend but not in cost/user (free: 2 calls, $0.600; (none): 1 call, $0.500).');
  });

  it('json: cost_per_user_usd over the calls with a user_id; calls_without_user_id and cost_without_user_id_usd beside it', async () => {
    const { code, out } = await cli(['--format', 'json']);
    expect(code).toBe(0);
    const ue = (JSON.parse(out) as { unit_economics: Json & { tiers: Json[] } }).unit_economics;
    expect(ue).toMatchObject({ cost_usd: 5, active_users: 3, cost_per_user_usd: 1.3, calls_without_user_id: 3, cost_without_user_id_usd: 1.1 });
    expect(ue.tiers.find((t) => t.tier === 'free')).toMatchObject({ cost_usd: 1.5, active_users: 2, cost_per_user_usd: 0.45, calls_without_user_id: 2, cost_without_user_id_usd: 0.6 });
    expect(ue.tiers.find((t) => t.tier === 'pro')).toMatchObject({ cost_per_user_usd: 3, calls_without_user_id: 0, cost_without_user_id_usd: 0 });
    // Read from rollups above (a whole month, no filter); --key makes the raw call log answer, alike.
    const raw = await cli(['--format', 'json', '--key', 'app']);
    expect((JSON.parse(raw.out) as { unit_economics: Json }).unit_economics).toEqual(ue);
  });

  it('csv: the same two columns, last', async () => {
    const { code, out } = await cli(['--format', 'csv']);
    expect(code).toBe(0);
    const lines = out.split('\r\n');
    expect(lines[0]).toMatch(/,priced_calls,calls_without_user_id,cost_without_user_id_usd$/);
    expect(lines.find((l) => l.startsWith('free,'))).toMatch(/^free,4,1\.5,0\.3,2,0\.45,.*,2,0\.6$/);
  });
});
