/**
 * Runs the real proxy on Bun from source (Bun.serve, bun:sqlite, fetch upstream), with
 * server options the CLI does not expose yet. The tests spawn it with the `bun` of
 * node_modules: `bun test/faults/bun-proxy.ts CONFIG DB '{"clientBodyTimeoutMs":500}'`.
 * Prints `listening on URL key mk_…` once ready; SIGTERM stops it cleanly (exit 0).
 */
import { readFileSync } from 'node:fs';
import { parseConfigText } from '../../src/config/load.js';
import { proxySettings } from '../../src/config/proxy-settings.js';
import { edgesFor } from '../../src/edges.js';
import { hashSecret, keyPrefix, newMeteringKey } from '../../src/lib/ids.js';
import { createPricer } from '../../src/pricing/pricer.js';
import { createLogger } from '../../src/proxy/log.js';
import { startProxy } from '../../src/proxy/start.js';
import type { ServeOptions } from '../../src/server/types.js';

const [configPath, dbPath, extraJson] = process.argv.slice(2) as [string, string, string | undefined];
const extra = JSON.parse(extraJson ?? '{}') as Partial<ServeOptions>;
const config = parseConfigText(readFileSync(configPath, 'utf8'), { file: configPath, env: {} });
const edges = edgesFor('bun');
const startServer = await edges.startServer();
const open = await edges.openDriver();
const proxy = await startProxy({
  settings: proxySettings(config),
  storage: { engine: 'sqlite', driver: open(dbPath) },
  startServer: (options) => startServer({ ...options, ...extra }),
  upstream: await edges.createUpstream(),
  pricer: createPricer(config.prices),
  clock: Date.now,
  log: createLogger((line) => process.stderr.write(line)),
  env: {},
  host: '127.0.0.1',
  port: 0,
});
const secret = newMeteringKey();
await proxy.store.keys.create({ name: 'test-key', prefix: keyPrefix(secret), hash: hashSecret(secret), tags: {}, createdAt: Date.now() });
await proxy.keys.reload();
process.stdout.write(`listening on ${proxy.server.scheme}://127.0.0.1:${proxy.server.port} key ${secret}\n`);
process.once('SIGTERM', () => {
  void proxy.stop(5000).then(() => process.exit(0));
});
