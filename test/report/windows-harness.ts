import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { registerReportCommand, type ReportDeps } from '../../src/cli/report.js';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import { testStore } from '../support/store.js';
import { readStore } from '../tui/fixtures.js';
import { record, USD, type CallSpec } from './dataset.js';

/** `tokometer report` on a small November–December database, with the clock at 2026-12-07 19:16 UTC (a week into December). */

export const NOW = Date.parse('2026-12-07T19:16:00Z');

/** feature a/b, users u1–u3: Nov 3 $1 (a, u1), Nov 10 $2 (a, u2), Nov 20 $4 (b, u3), Dec 2 $1 (a, u1), Dec 5 $1 (b, u2). */
export const CALLS: CallSpec[] = [
  { at: '2026-11-03T10:00:00Z', cost: 1 * USD, tags: { feature: 'a', user_id: 'u1', user_tier: 'pro' } },
  { at: '2026-11-10T10:00:00Z', cost: 2 * USD, tags: { feature: 'a', user_id: 'u2', user_tier: 'pro' } },
  { at: '2026-11-20T10:00:00Z', cost: 4 * USD, tags: { feature: 'b', user_id: 'u3', user_tier: 'free' } },
  { at: '2026-12-02T10:00:00Z', cost: 1 * USD, tags: { feature: 'a', user_id: 'u1', user_tier: 'pro' } },
  { at: '2026-12-05T10:00:00Z', cost: 1 * USD, model: 'gpt-4o', tags: { feature: 'b', user_id: 'u2', user_tier: 'pro' } },
];

/** A database file holding CALLS. */
export function windowsDb(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'tokometer-windows-'));
  const file = path.join(dir, 'calls.db');
  const store = testStore(openDriver(file));
  store.insertCalls(CALLS.map(record));
  store.close();
  return file;
}

/** Runs `tokometer report …args` against `db` (given as --db); returns what it printed on each stream. */
export async function report(db: string, args: string[]): Promise<{ out: string; err: string }> {
  let out = '';
  let err = '';
  const deps: ReportDeps = {
    openStore: async ({ path: p }) => readStore(p),
    resolveDb: (flag) => ({ path: flag ?? db, namedBy: flag === undefined ? null : '--db' }),
    clock: () => NOW,
    timeZone: () => 'UTC',
    economics: () => ({ price_per_user: { free: 0, pro: 30 }, price_per_tenant: {} }),
    out: (s) => void (out += s),
    err: (s) => void (err += s),
    isTTY: false,
    env: {},
  };
  const program = new Command('tokometer').exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
  registerReportCommand(program, deps);
  await program.parseAsync(['report', '--db', db, ...args], { from: 'user' });
  return { out, err };
}

/** The JSON document of `report --format json …args`. */
export async function reportJson(db: string, args: string[]): Promise<Record<string, any>> {
  return JSON.parse((await report(db, [...args, '--format', 'json'])).out);
}
