import type { Config } from '../config/schema.js';
import type { Clock } from '../lib/clock.js';
import { buildProviders } from '../providers/registry.js';
import type { RunningServer, StartServer } from '../server/types.js';
import { createStore } from '../store/sqlite-store.js';
import type { CallRecord, SqlDriver, Store } from '../store/types.js';
import { WriteQueue } from '../store/write-queue.js';
import { KeyResolver, syncConfigKeys } from './auth.js';
import { NO_BUDGETS, type AdminHandler, type BudgetGate, type Pricer } from './deps.js';
import { createHandler } from './handler.js';
import type { Logger } from './log.js';
import { Metrics } from './metrics.js';
import type { UpstreamClient } from './types.js';

export interface StartProxyOptions {
  config: Config;
  /** Resolved upstream API keys per provider name (config value or environment). */
  apiKeys: Readonly<Record<string, string | undefined>>;
  driver: SqlDriver;
  startServer: StartServer;
  upstream: UpstreamClient;
  pricer: Pricer;
  clock: Clock;
  log: Logger;
  env: Readonly<Record<string, string | undefined>>;
  host?: string;
  port?: number;
  /** Budget enforcement; defaults to none. */
  budgets?: (store: Store) => BudgetGate;
  admin?: (store: Store, keys: KeyResolver) => AdminHandler | undefined;
  /** Also receives every record (tests, demo progress). */
  onRecord?: (record: CallRecord) => void;
}

/** A running proxy: the server, its store and its write queue. */
export interface RunningProxy {
  server: RunningServer;
  store: Store;
  /** The key table; call `reload()` after changing keys through `store` in this process. */
  keys: KeyResolver;
  queue: WriteQueue;
  url: string;
  metrics: Metrics;
  /**
   * Stops accepting calls, lets in-flight calls finish (up to `graceMs`), drains the
   * write queue so nothing accepted is lost, and closes the upstream pool and the store.
   */
  stop(graceMs?: number): Promise<void>;
}

/** Builds every dependency of the proxy handler and starts listening. */
export async function startProxy(o: StartProxyOptions): Promise<RunningProxy> {
  const store = createStore(o.driver);
  for (const warning of syncConfigKeys(store, o.config.keys, o.env, o.clock())) o.log.warn(warning);
  const keys = new KeyResolver(store, o.config.keys);
  keys.reload();
  const queue = new WriteQueue(store, {
    flushIntervalMs: o.config.store.flush_interval_ms,
    onError: (error) => o.log.error('could not write call records', { kind: error.kind, count: error.count, cause: String(error.cause ?? '') }),
  });
  const metrics = new Metrics();
  const onRecord = o.onRecord;
  const handler = createHandler({
    providers: buildProviders(o.config, o.apiKeys),
    keys,
    upstream: o.upstream,
    pricer: o.pricer,
    budgets: o.budgets ? o.budgets(store) : NO_BUDGETS,
    sink: onRecord
      ? (record) => {
          queue.enqueue(record);
          onRecord(record);
        }
      : (record) => void queue.enqueue(record),
    clock: o.clock,
    metrics,
    log: o.log,
    maxBodyBytes: o.config.limits.max_body_bytes,
    tagsOnInvalid: o.config.tags.on_invalid,
    admin: o.admin?.(store, keys),
  });
  const host = o.host ?? o.config.listen.host;
  const server = await o.startServer({
    host,
    port: o.port ?? o.config.listen.port,
    handler,
    onError: (error) => o.log.error('request failed inside the proxy', { error: error instanceof Error ? error.message : String(error) }),
  });
  let stopped: Promise<void> | null = null;
  return {
    server,
    store,
    keys,
    queue,
    metrics,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${server.port}`,
    stop: (graceMs = 10_000) =>
      (stopped ??= (async () => {
        await server.close(graceMs);
        await queue.drain();
        await o.upstream.close();
        store.close();
      })()),
  };
}
