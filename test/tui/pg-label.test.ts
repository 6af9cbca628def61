import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import type { CliContext } from '../../src/cli/context.js';
import { registerTuiCommand, type TuiIo } from '../../src/cli/tui.js';
import { edgesFor } from '../../src/edges.js';
import { openPostgresStore } from '../../src/store/pg/pg-store.js';
import type { DashboardSource } from '../../src/tui/types.js';
import { createTestDatabase, dropTestDatabase } from '../support/pg.js';

/**
 * `tokometer tui` on a PostgreSQL URL (--db, $TOKOMETER_DB or the config's db) drew the URL
 * in its header as given, password and all, on the screen of whoever runs it (found by a
 * new-user trial). Every other command, serve's log and config check write it as
 * `postgres://user@host:port/database` (lib/db-location.ts describeDbLocation).
 */

const drawn: DashboardSource[] = [];
vi.mock('../../src/tui/run.js', () => ({
  runTui: async (o: { source: DashboardSource }) => {
    drawn.push(o.source);
    o.source.close();
  },
}));

const adminUrl = inject('pgUrl');
let url: string;
beforeAll(async () => {
  url = await createTestDatabase(adminUrl, 'tuilabel');
  await (await openPostgresStore(url, 'create')).close();
});
afterAll(async () => {
  await dropTestDatabase(adminUrl, url);
});

const tty = { stdin: { isTTY: true }, stdout: { isTTY: true } } as unknown as TuiIo;

describe('tui on a PostgreSQL database', () => {
  it('labels the dashboard with the URL without its password', async () => {
    const password = decodeURIComponent(new URL(url).password);
    expect(password).not.toBe('');
    const ctx: CliContext = { edges: edgesFor('node'), env: {}, cwd: '/nonexistent-dir', clock: () => Date.now(), out: () => {}, err: () => {}, isTTY: true };
    const program = new Command('tokometer').exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
    registerTuiCommand(program, ctx, tty);
    await program.parseAsync(['tui', '--db', url], { from: 'user' });
    expect(drawn).toHaveLength(1);
    const u = new URL(url);
    expect(drawn[0]!.label).toBe(`postgres://${decodeURIComponent(u.username)}@${u.hostname}:${u.port}${u.pathname}`);
    expect(drawn[0]!.label).not.toContain(password);
  });
});
