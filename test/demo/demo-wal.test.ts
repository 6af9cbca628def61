import { copyFileSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliContext } from '../../src/cli/context.js';
import { runCli } from '../../src/cli/program.js';
import { edgesFor, type Edges } from '../../src/edges.js';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';

/**
 * After `tokometer demo` the database file alone holds the demo's calls: the built binary
 * left `tokometer-demo.db` at 8 KB and its month of calls in a 32 MB `-wal`, so copying the
 * .db gave an empty database. bun:sqlite's close() leaves a connection open (a "zombie",
 * drivers/bun-sqlite.ts) while any of its statements is alive, and a connection still open
 * at exit neither checkpoints nor removes the WAL. The edges here do the same: close() is
 * put off until the test ends, so the demo must move its calls into the file itself.
 */

const CALLS = 300;
let dir: string;
const putOff: Array<() => void> = [];

/** Node edges whose SQLite connections stay open when closed (until afterAll). */
function edgesClosingLate(): Edges {
  const edges = edgesFor('node');
  return {
    ...edges,
    openDriver: async () => {
      const open = await edges.openDriver();
      return (file, options) => {
        const driver = open(file, options);
        return { ...driver, close: () => void putOff.push(() => driver.close()) };
      };
    },
  };
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'tokometer-demo-wal-'));
  const ctx: CliContext = { edges: edgesClosingLate(), env: {}, cwd: dir, clock: () => Date.parse('2026-11-20T12:00:00Z'), out: () => {}, err: () => {}, isTTY: false };
  expect(await runCli(['demo', '--calls', String(CALLS)], ctx)).toBe(0);
});
afterAll(() => {
  for (const close of putOff) close();
  rmSync(dir, { recursive: true, force: true });
});

describe('tokometer demo and the WAL', () => {
  it('leaves its calls in the database file, the -wal empty', () => {
    const db = path.join(dir, 'tokometer-demo.db');
    const wal = `${db}-wal`;
    expect(existsSync(wal) ? statSync(wal).size : 0).toBe(0);
    // The file alone, as someone copying it would get it.
    const copy = path.join(dir, 'copy.db');
    copyFileSync(db, copy);
    const driver = openDriver(copy, { readonly: true });
    try {
      expect(driver.prepare('SELECT COUNT(*) AS n FROM calls').get()).toEqual({ n: CALLS });
    } finally {
      driver.close();
    }
  });
});
