import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseConfigText } from '../../src/config/load.js';
import { proxySettings } from '../../src/config/proxy-settings.js';
import type { Config } from '../../src/config/schema.js';
import { hashSecret, keyPrefix, newMeteringKey } from '../../src/lib/ids.js';
import { silentLogger } from '../../src/proxy/log.js';
import { startProxy, type RunningProxy, type StartProxyOptions } from '../../src/proxy/start.js';
import { createPricer } from '../../src/pricing/pricer.js';
import { startNodeServer } from '../../src/server/node.js';
import { createNodeUpstream } from '../../src/server/node-upstream.js';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import type { CallRecord, SqlDriver } from '../../src/store/types.js';
import { HoldingWriter } from '../../src/store/held-writes.js';
import { WriteQueue } from '../../src/store/write-queue.js';
import { FakeUpstream, type FakeUpstreamOptions } from './fake-upstream.js';

export const UPSTREAM_KEY = 'sk-test-upstream-0123456789abcdef';

/** A stored call row as the tests read it back (snake_case columns, tags parsed). */
export type CallRow = Record<string, unknown> & { tags: Record<string, string> };

export interface Harness {
  proxy: RunningProxy;
  /** The proxy's own connection, for reading rows with SQL. */
  driver: SqlDriver;
  fake: FakeUpstream;
  /** A metering key for `name`, created fresh. */
  secret: string;
  /** Base URL for an SDK of `provider`, e.g. http://127.0.0.1:PORT/proxy/openai. */
  baseUrl(provider?: string): string;
  /** Creates another key, reloads the proxy's keys and returns its secret. */
  createKey(name: string, tags?: Record<string, string>): Promise<string>;
  /** Writes what the write queue holds and returns every stored call, oldest first. */
  rows(): CallRow[];
  /** Every record the proxy produced, in order (before storage). */
  records: CallRecord[];
  /** The proxy's database file. */
  dbPath: string;
  close(): Promise<void>;
}

/**
 * What startProxy needs for an in-process test proxy on `driver` (which it then owns):
 * Node edges, the config's settings and prices, the wall clock, no log, 127.0.0.1 on a
 * free port. Spread it and add what the test changes.
 */
export function testProxyOptions(config: Config, driver: SqlDriver): StartProxyOptions {
  return {
    settings: proxySettings(config),
    storage: { engine: 'sqlite', driver },
    startServer: startNodeServer,
    upstream: createNodeUpstream(),
    pricer: createPricer(config.prices),
    clock: Date.now,
    log: silentLogger,
    env: {},
    host: '127.0.0.1',
    port: 0,
  };
}

/**
 * Starts a fake provider and a real tokometer proxy (Node edges, better-sqlite3 in a
 * temp folder) in front of it, with one metering key.
 */
export async function startHarness(options: {
  upstream: Omit<FakeUpstreamOptions, 'expectedKey'>;
  provider?: string;
  configYaml?: (upstreamUrl: string) => string;
  overrides?: Partial<StartProxyOptions>;
  /** The proxy's database connection, opened in the harness's temp folder (default: better-sqlite3 on test.db there). */
  driver?: (dir: string) => SqlDriver;
}): Promise<Harness> {
  const provider = options.provider ?? 'openai';
  const fake = await new FakeUpstream({ ...options.upstream, expectedKey: UPSTREAM_KEY }).start();
  const dir = mkdtempSync(path.join(tmpdir(), 'tokometer-test-'));
  const yaml = options.configYaml?.(fake.url) ?? `providers:\n  ${provider}: { base_url: "${fake.url}", api_key: "${UPSTREAM_KEY}" }\nstore: { flush_interval_ms: 5 }\n`;
  const config = parseConfigText(yaml, { file: 'test.yaml', env: {} });
  const records: CallRecord[] = [];
  const dbPath = path.join(dir, 'test.db');
  const driver = options.driver?.(dir) ?? openDriver(dbPath);
  const proxy = await startProxy({ ...testProxyOptions(config, driver), onRecord: (r) => records.push(r), ...options.overrides });
  const createKey = async (name: string, tags: Record<string, string> = {}) => {
    const secret = newMeteringKey();
    await proxy.store.keys.create({ name, prefix: keyPrefix(secret), hash: hashSecret(secret), tags, createdAt: Date.now() });
    await proxy.keys.reload();
    return secret;
  };
  const secret = await createKey('test-key');
  return {
    proxy,
    driver,
    fake,
    secret,
    records,
    dbPath,
    createKey,
    baseUrl: (p = provider) => `${proxy.url}/proxy/${p}`,
    rows: () => {
      // The harness runs the write queue on this thread (no writerThread): it writes before returning.
      const queue = proxy.queue instanceof HoldingWriter ? proxy.queue.inner : proxy.queue;
      if (queue instanceof WriteQueue) queue.writeNow();
      // The proxy's own connection: the test reads rows with SQL.
      return driver
        .prepare('SELECT * FROM calls ORDER BY id')
        .all<Record<string, unknown>>()
        .map((r) => ({ ...r, tags: JSON.parse(String(r.tags)) as Record<string, string> }));
    },
    close: async () => {
      await proxy.stop(1000);
      await fake.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Waits until `predicate` holds (polling every 10 ms) or fails after `timeoutMs`. */
export async function waitFor(predicate: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
