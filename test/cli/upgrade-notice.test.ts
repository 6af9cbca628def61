import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStoreFor } from '../../src/cli/context.js';
import type { Edges } from '../../src/edges.js';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import { LATEST_VERSION, MIGRATIONS, migrate } from '../../src/store/migrations/index.js';

const dir = mkdtempSync(path.join(tmpdir(), 'tokometer-upgrade-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** openStoreFor's view of the CLI: the runtime's driver and standard error. */
function cli() {
  const err: string[] = [];
  const edges = { openDriver: async () => openDriver } as unknown as Edges;
  return { ctx: { edges, env: {}, err: (text: string) => void err.push(text) }, err };
}

describe('a command opening a database of an older tokometer', () => {
  it('says on stderr that it upgrades the file, once, before the (possibly long) migration', async () => {
    const file = path.join(dir, 'old.db');
    const old = openDriver(file);
    migrate(old, MIGRATIONS.slice(0, LATEST_VERSION - 1));
    old.close();

    const first = cli();
    await (await openStoreFor(first.ctx, file, 'read')).close();
    expect(first.err).toEqual([`tokometer: upgrading ${file} from schema v${LATEST_VERSION - 1} to v${LATEST_VERSION} (once; on a large database this can take minutes)…\n`]);

    const again = cli();
    await (await openStoreFor(again.ctx, file, 'read')).close();
    expect(again.err).toEqual([]);
  });

  it('says nothing for a new database', async () => {
    const fresh = cli();
    await (await openStoreFor(fresh.ctx, path.join(dir, 'new.db'), 'create')).close();
    expect(fresh.err).toEqual([]);
  });
});
