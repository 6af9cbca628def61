import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, startServe, stopProcess } from '../support/spawn-cli.js';

/**
 * A trial: two `serve` processes on one SQLite file (two ports) each held the budgets in
 * memory, so a key's $0.003 budget let $0.00606 through (202 %). The second serve refuses to
 * start, naming the first; a first one killed with kill -9 does not block a restart; other
 * commands still open the database while serve runs.
 */
const dir = mkdtempSync(path.join(tmpdir(), 'tokometer-one-serve-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('one serve per SQLite database', () => {
  it('a second serve on the same file refuses to start; after kill -9 of the first a new one starts', async () => {
    const db = path.join(dir, 'meter.db');
    const first = await startServe('node', ['--port', '0', '--db', db], { cwd: dir });
    try {
      const port = new URL(first.url).port;
      const second = await runCli('node', ['serve', '--port', '0', '--db', db], { cwd: dir });
      expect(second.code).toBe(2);
      expect(second.stderr).toContain(`another tokometer serve (pid ${first.child.pid}, port ${port}) is using ${db}`);
      expect(second.stderr).toContain('use PostgreSQL (store: / db: postgres://… in the config) for replicas');
      // Other commands still open it.
      expect((await runCli('node', ['keys', 'list', '--db', db], { cwd: dir })).code).toBe(0);
    } finally {
      await stopProcess(first.child, 'SIGKILL');
    }
    const third = await startServe('node', ['--port', '0', '--db', db], { cwd: dir });
    expect(await stopProcess(third.child)).toBe(0);
  }, 60_000);
});
