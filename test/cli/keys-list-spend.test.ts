import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import { record } from '../audit/helpers.js';
import { testStore } from '../support/store.js';
import { cliFolder } from './cli-folder.js';

/**
 * `keys list` showed each key's budget but not what was spent against it nor whether serve
 * now refuses the key (found by a new-user trial: that took /admin/budgets, the TUI or
 * audit). It shows the spend in the current period against the budget, `blocked` at a hard
 * cap, and `--json` gives the figures. cliFolder's clock is 2026-12-01T00:00:00Z.
 */

const { dir, cli } = cliFolder('tokometer-keys-spend-');
const NOW = Date.parse('2026-12-01T00:00:00Z');

async function spend(db: string, key: string, nanos: number[], at = NOW - 1000): Promise<void> {
  const store = testStore(openDriver(db));
  store.insertCalls(nanos.map((cost, i) => record({ at: at + i, key, cost })));
  await store.close();
}

describe('keys list with spend', () => {
  it('shows the spend this period against the budget, and blocked at a hard cap', async () => {
    const db = path.join(dir(), 'k.db');
    expect((await cli(['keys', 'create', 'half', '--budget', '0.01', '--period', 'day', '--db', db])).code).toBe(0);
    expect((await cli(['keys', 'create', 'capped', '--budget', '0.01', '--period', 'day', '--db', db])).code).toBe(0);
    expect((await cli(['keys', 'create', 'open', '--db', db])).code).toBe(0);
    // half: $0.0042 today (the day period starts at 00:00 UTC); the call of an hour before is yesterday's.
    await spend(db, 'half', [2_000_000, 2_200_000], NOW + 1);
    await spend(db, 'half', [9_000_000], NOW - 3_600_000); // yesterday: another period
    await spend(db, 'capped', [6_000_000, 4_000_000], NOW + 1); // exactly at the cap
    await spend(db, 'open', [1_000_000], NOW + 1);
    const table = await cli(['keys', 'list', '--db', db]);
    expect(table.code).toBe(0);
    const line = (name: string) => table.out.split('\n').find((l) => l.startsWith(name))!;
    expect(line('half')).toContain('$0.0042 of $0.01/day (42 %)');
    expect(line('half')).not.toContain('blocked');
    expect(line('capped')).toContain('$0.01 of $0.01/day (100 %) blocked');
    expect(line('open')).not.toContain('blocked');

    const json = JSON.parse((await cli(['keys', 'list', '--json', '--db', db])).out) as Array<Record<string, unknown>>;
    const of = (name: string) => json.find((k) => k.name === name)!;
    expect(of('half').spend).toEqual({ period: 'day', period_start: '2026-12-01T00:00:00.000Z', spent_usd: 0.0042, limit_usd: 0.01, fraction: 0.42, blocked: false });
    expect(of('capped').spend).toMatchObject({ spent_usd: 0.01, limit_usd: 0.01, fraction: 1, blocked: true });
    expect(of('open').spend).toBeNull();
  });

  it('writes a spend under $1 to three significant digits, as the 429 does, so a small cap exceeded by a fraction reads so', async () => {
    const db = path.join(dir(), 'k.db');
    expect((await cli(['keys', 'create', 'small', '--budget', '0.05', '--period', 'day', '--db', db])).code).toBe(0);
    await spend(db, 'small', [61_700_000], NOW + 1);
    const table = await cli(['keys', 'list', '--db', db]);
    // Was '$0.06 of $0.05/day (123 %) blocked', while the refusal says '$0.0617 of $0.05'.
    expect(table.out.split('\n').find((l) => l.startsWith('small'))).toContain('$0.0617 of $0.05/day (123 %) blocked');
  });

  it('a soft budget past its cap is not blocked', async () => {
    const db = path.join(dir(), 'k.db');
    expect((await cli(['keys', 'create', 'soft', '--budget', '0.01', '--period', 'day', '--soft', '--db', db])).code).toBe(0);
    await spend(db, 'soft', [20_000_000], NOW + 1);
    const table = await cli(['keys', 'list', '--db', db]);
    expect(table.out.split('\n').find((l) => l.startsWith('soft'))).toContain('$0.02 of $0.01/day (soft) (200 %)');
    expect(table.out).not.toContain('blocked');
    const [key] = JSON.parse((await cli(['keys', 'list', '--json', '--db', db])).out) as Array<Record<string, unknown>>;
    expect(key!.spend).toMatchObject({ spent_usd: 0.02, blocked: false });
  });
});
