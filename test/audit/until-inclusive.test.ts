import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliContext } from '../../src/cli/context.js';
import { runCli } from '../../src/cli/program.js';
import { edgesFor } from '../../src/edges.js';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import { testStore as createStore } from '../support/store.js';
import { MINUTE, SINCE, UNTIL, many, record } from './helpers.js';

/**
 * `--until 2026-11-30` is inclusive (the range ends at the next local midnight). `report`
 * echoes the date as typed, "→ 2026-11-30 (inclusive)"; `audit` with the same flags heads
 * its window "→ 2026-12-01", a day the audit did not cover, so the two commands name
 * different end dates for one window.
 */
let dir: string;
let dbPath: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'tokometer-audit-until-'));
  dbPath = path.join(dir, 'calls.db');
  const store = createStore(openDriver(dbPath));
  store.insertCalls(many(5, (i) => ({ at: SINCE + i * 10 * MINUTE, tags: { feature: 'chat' }, outcome: 'client_aborted' as const, cost: 10_000_000 })).map(record));
  store.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(args: string[]): Promise<string> {
  let out = '';
  const ctx: CliContext = { edges: edgesFor('node'), env: {}, cwd: dir, clock: () => UNTIL, out: (t) => void (out += t), err: () => {}, isTTY: false };
  expect(await runCli(args, ctx)).toBe(0);
  return out;
}

describe('audit --until DATE', () => {
  it('names the window as report does: the date as typed, inclusive', async () => {
    const flags = ['--db', dbPath, '--since', '2026-11-01', '--until', '2026-11-30'];
    const report = (await cli(['report', ...flags])).split('\n')[0]!;
    expect(report).toContain('2026-11-01 → 2026-11-30 (inclusive)');
    for (const format of ['table', 'md']) {
      const heading = (await cli(['audit', ...flags, '--format', format])).split('\n')[0]!;
      expect(heading).toContain('2026-11-01 → 2026-11-30 (inclusive)');
    }
  });
});
