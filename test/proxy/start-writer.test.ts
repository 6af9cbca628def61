import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import { proxySettings } from '../../src/config/proxy-settings.js';
import { createPricer } from '../../src/pricing/pricer.js';
import { silentLogger } from '../../src/proxy/log.js';
import { startProxy } from '../../src/proxy/start.js';
import { createNodeUpstream } from '../../src/server/node-upstream.js';
import { startNodeServer } from '../../src/server/node.js';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import type { SqlDriver } from '../../src/store/types.js';
import { NODE_ENTRY } from '../support/spawn-cli.js';

/** serve writes call records only on its writer thread: when that cannot start, serve does not either. */
describe('startProxy with a writer thread', () => {
  let dir: string;
  let driver: SqlDriver;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'tokometer-start-'));
    driver = openDriver(path.join(dir, 'tokometer.db'));
  });
  afterEach(() => {
    driver.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('fails with a clear message, before listening, when the thread cannot open the database; there is no second writer', async () => {
    const config = parseConfigText('', { file: 'test.yaml', env: {} });
    const upstream = createNodeUpstream();
    let listened = false;
    const started = startProxy({
      settings: proxySettings(config),
      storage: { engine: 'sqlite', driver },
      startServer: async (o) => {
        listened = true;
        return startNodeServer(o);
      },
      upstream,
      pricer: createPricer(),
      clock: Date.now,
      log: silentLogger,
      env: {},
      host: '127.0.0.1',
      port: 0,
      writerThread: { entry: NODE_ENTRY, dbPath: path.join(dir, 'no-such-dir', 'tokometer.db') },
    });
    await expect(started).rejects.toThrow(/^the call-record writer thread did not start, so calls could not be recorded: /);
    expect(listened).toBe(false);
    await upstream.close();
  });
});
