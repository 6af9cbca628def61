import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliContext } from '../../src/cli/context.js';
import { runCli } from '../../src/cli/program.js';
import { edgesFor } from '../../src/edges.js';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import { testStore as createStore } from '../support/store.js';
import { UNTIL, many, record } from '../audit/helpers.js';

// `keys list --json` and `keys show --json` print JSON; report, audit and reconcile took only
// `--format json`, so `report --json` failed with "unknown option" and a page of help.

let dir: string;
let dbPath: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'tokometer-json-flag-'));
  dbPath = path.join(dir, 'calls.db');
  const store = createStore(openDriver(dbPath));
  store.insertCalls(many(20, () => ({ tags: { feature: 'chat' }, input: 1000, output: 100 })).map(record));
  store.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const ctx: CliContext = { edges: edgesFor('node'), env: {}, cwd: dir, clock: () => UNTIL, out: (t) => void (out += t), err: (t) => void (err += t), isTTY: false };
  const code = await runCli(args, ctx);
  return { code, out, err };
}

describe('--json, as keys list takes it, on the commands that print JSON with --format json', () => {
  it.each([
    [['report', '--by', 'feature']],
    [['audit', '--min-saving', '0']],
  ])('%j --json prints what --format json prints', async (args) => {
    const viaFormat = await cli([...args, '--db', dbPath, '--format', 'json']);
    const viaFlag = await cli([...args, '--db', dbPath, '--json']);
    expect(viaFormat.code).toBe(0);
    expect(viaFlag).toEqual(viaFormat);
    expect(JSON.parse(viaFlag.out)).toBeTypeOf('object');
  });

  it.each([[['report']], [['audit']], [['reconcile', '--provider', 'openai']]])('%j refuses --json with another --format, naming both', async (args) => {
    const r = await cli([...args, '--db', dbPath, '--json', '--format', 'csv']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--json and --format csv/);
  });

  it.each([['report'], ['audit'], ['reconcile']])('%s --help lists --json', async (command) => {
    const r = await cli([command, '--help']);
    expect(r.out + r.err).toMatch(/--json\s+same as --format json/);
  });
});
