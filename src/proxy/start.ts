import { createAdminHandler } from '../admin/handler.js';
import type { PriceDescriber } from '../budget/estimate-prices.js';
import { BudgetService, type AlertDelivery } from '../budget/service.js';
import { fetchPostJson } from '../budget/webhook.js';
import { tagBudgetFromConfig } from '../config/budgets.js';
import { providerSettings } from '../config/providers.js';
import { telemetryOptions } from '../config/telemetry-schema.js';
import type { Config } from '../config/schema.js';
import type { Clock } from '../lib/clock.js';
import { buildProviders } from '../providers/registry.js';
import type { RunningServer, StartServer } from '../server/types.js';
import { createCallWriter } from '../store/call-writer.js';
import { keyDeclarations } from '../config/keys.js';
import { createStore } from '../store/sqlite-store.js';
import type { CallRecord, RecordWriter, SqlDriver } from '../store/types.js';
import type { Store } from '../store/facade.js';
import { renderTelemetryCounts, startTelemetry } from '../telemetry/index.js';
import { SpillFile } from '../store/spill.js';
import { WriteQueue, type WriteQueueError } from '../store/write-queue.js';
import { startThreadWriter } from '../store/writer-client.js';
import { KeyResolver, syncConfigKeys } from './auth.js';
import type { AdminHandler, BudgetGate, Pricer } from './deps.js';
import { createHandler } from './handler.js';
import type { Logger } from './log.js';
import { Metrics } from './metrics.js';
import { startRetention } from './retention.js';
import type { UpstreamClient } from './types.js';

export interface StartProxyOptions {
  config: Config;
  driver: SqlDriver;
  startServer: StartServer;
  upstream: UpstreamClient;
  /** Prices calls, and describes model prices for budget reservation estimates. */
  pricer: Pricer & PriceDescriber;
  clock: Clock;
  log: Logger;
  env: Readonly<Record<string, string | undefined>>;
  host?: string;
  port?: number;
  /**
   * Replaces budget enforcement (benchmarks, tests of the handler alone). Default: a
   * BudgetService over the config's key and tag budgets, seeded from the store.
   */
  budgets?: (parts: ProxyParts) => BudgetGate;
  /** Replaces the admin API. Default: enabled when `admin.token` is set. */
  admin?: (parts: ProxyParts & { budgets: BudgetService | null }) => AdminHandler | undefined;
  /** Alert webhook delivery; defaults to a global-fetch POST to `alerts.webhook_url` with 1 s, 2 s, 4 s, 8 s retries. */
  alerts?: Omit<AlertDelivery, 'webhookUrl'>;
  /** Also receives every record (tests, demo progress). */
  onRecord?: (record: CallRecord) => void;
  /**
   * File that takes call records while the database cannot (read-only, full); replayed
   * when it recovers, also after a restart. Default: none (records wait in memory only).
   */
  spillPath?: string;
  /**
   * Write call records on a writer thread with its own connection to `dbPath` (serve on a
   * file database), started from `entry`, the program's entry file (see
   * store/writer-thread.ts). Default: the write queue writes on the main thread.
   */
  writerThread?: { entry: string; dbPath: string };
  /**
   * Runs once the store is open and migrated, before budgets are seeded and before the
   * server listens (serve loads the price snapshot in force here).
   */
  beforeStart?: (store: Store) => Promise<void>;
}

/** What the budget and admin hooks are built on. */
export interface ProxyParts {
  store: Store;
  keys: KeyResolver;
  queue: RecordWriter;
}

/** ms `stop` waits for pending alert webhooks after the calls are written. */
const ALERT_DRAIN_MS = 2000;
/** ms `stop` waits for the last spans and metric points to reach the collector. */
const TELEMETRY_DRAIN_MS = 5000;

/** A running proxy: the server, its store and its write queue. */
export interface RunningProxy {
  server: RunningServer;
  store: Store;
  /** The key table; call `reload()` after changing keys through `store` in this process. */
  keys: KeyResolver;
  queue: RecordWriter;
  url: string;
  metrics: Metrics;
  /** The budgets this proxy enforces; null when the `budgets` hook replaced them. */
  budgets: BudgetService | null;
  /**
   * Stops accepting calls, lets in-flight calls finish (up to `graceMs`), drains the
   * write queue so nothing accepted is lost, and closes the upstream pool and the store.
   */
  stop(graceMs?: number): Promise<void>;
}

/** Builds every dependency of the proxy handler and starts listening. */
export async function startProxy(o: StartProxyOptions): Promise<RunningProxy> {
  // First: a telemetry setting it cannot use stops the start before anything is opened.
  const providers = buildProviders(providerSettings(o.config.providers));
  const telemetry = await startTelemetry({ options: telemetryOptions(o.config.telemetry), env: o.env, log: o.log, providers: [...providers.values()].map((p) => [p.name, p.baseUrl]) });
  const store = createStore(o.driver);
  await o.beforeStart?.(store);
  const declared = keyDeclarations(o.config.keys);
  for (const warning of await syncConfigKeys(store, declared, o.env, o.clock())) o.log.warn(warning);
  const keys = new KeyResolver(store, declared, (error) =>
    o.log.error('could not reload the metering keys', { error: error instanceof Error ? error.message : String(error) }),
  );
  await keys.reload();
  keys.watch();
  const queue = await recordWriter(o);
  if (queue.pending > 0) o.log.warn(`replaying ${queue.pending} call records spilled to ${o.spillPath} by an earlier run`);
  const metrics = new Metrics();
  if (telemetry) metrics.addSection(() => renderTelemetryCounts(telemetry.counts()));
  const parts: ProxyParts = { store, keys, queue };
  const service = o.budgets ? null : await defaultBudgets(o, parts);
  const gate = o.budgets ? o.budgets(parts) : service!.gate;
  const admin = o.admin ? o.admin({ ...parts, budgets: service }) : defaultAdmin(o, parts, service);
  const onRecord = o.onRecord;
  const handler = createHandler({
    providers,
    ...(telemetry ? { telemetry } : {}),
    keys,
    upstream: o.upstream,
    pricer: o.pricer,
    budgets: gate,
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
    admin,
    refusal: () =>
      o.config.store.on_error === 'refuse' && queue.full
        ? 'Calls are refused because their records cannot be stored: the database is failing and the spill buffer is full (store.on_error: refuse).'
        : null,
    health: () => (queue.degraded ? { status: 'degraded', store: 'failing', pending_records: queue.pending, spilled_records: queue.spilled, refusing: o.config.store.on_error === 'refuse' && queue.full } : { status: 'ok' }),
  });
  const host = o.host ?? o.config.listen.host;
  const server = await o.startServer({
    host,
    port: o.port ?? o.config.listen.port,
    handler,
    onError: (error) => o.log.error('request failed inside the proxy', { error: error instanceof Error ? error.message : String(error) }),
    clientHeaderTimeoutMs: o.config.limits.client_header_timeout_ms,
    clientBodyTimeoutMs: o.config.limits.client_body_timeout_ms,
    tls: o.config.tls,
  });
  const stopRetention = o.config.retention_days ? startRetention({ store, retentionDays: o.config.retention_days, clock: o.clock, log: o.log }) : () => {};
  let stopped: Promise<void> | null = null;
  return {
    server,
    store,
    keys,
    queue,
    metrics,
    budgets: service,
    url: `${server.scheme}://${host.includes(':') ? `[${host}]` : host}:${server.port}`,
    stop: (graceMs = 10_000) =>
      (stopped ??= (async () => {
        stopRetention();
        await keys.close();
        await server.close(graceMs);
        // Responses handed over in the last turn record themselves in an immediate (relay.ts bufferedJson).
        await new Promise((resolve) => setImmediate(resolve));
        await queue.drain();
        await queue.close?.();
        await telemetry?.shutdown(Math.min(graceMs, TELEMETRY_DRAIN_MS));
        if (service) await waitAtMost(service.idle(), Math.min(graceMs, ALERT_DRAIN_MS));
        await o.upstream.close();
        await store.close();
      })()),
  };
}

/** The queue settings of a proxy, shared by the main-thread queue and the writer thread. */
function queueSettings(o: StartProxyOptions) {
  const maxBuffered = o.config.store.max_buffered_records;
  return {
    flushIntervalMs: o.config.store.flush_interval_ms,
    maxBuffered,
    spillAfter: Math.max(1, Math.min(10_000, Math.floor(maxBuffered / 2))),
    onError: (error: WriteQueueError) =>
      o.log.error(storeErrorMessage(error.kind, o.spillPath, o.config.store.on_error), { kind: error.kind, count: error.count, cause: String(error.cause ?? '') }),
    onRecover: () => o.log.warn('the database accepts writes again; pending and spilled call records are being written'),
  };
}

/**
 * The writer thread when asked for and able to start, else a WriteQueue on the main
 * thread. With the thread, checkpoints run inside its commits, so the main connection's
 * own automatic checkpoint (rare key and alert writes) is pushed out to a safety net.
 */
async function recordWriter(o: StartProxyOptions): Promise<RecordWriter> {
  const settings = queueSettings(o);
  // The store's own connection: the writer's statements run synchronously, between its units of work.
  const inline = () => new WriteQueue(createCallWriter(o.driver), { ...settings, ...(o.spillPath ? { spill: new SpillFile(o.spillPath, o.config.store.spill_max_bytes) } : {}) });
  if (!o.writerThread) return inline();
  try {
    const writer = await startThreadWriter({
      ...settings,
      ...o.writerThread,
      ...(o.spillPath ? { spillPath: o.spillPath } : {}),
      spillMaxBytes: o.config.store.spill_max_bytes,
      fallback: () => {
        o.driver.exec(`PRAGMA wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT_PAGES}`);
        return inline();
      },
      onThreadLost: (message) => o.log.error(message),
    });
    o.driver.exec(`PRAGMA wal_autocheckpoint = ${MAIN_AUTOCHECKPOINT_PAGES}`);
    return writer;
  } catch (error) {
    o.log.warn('call records are written on the main thread: the writer thread did not start', { error: error instanceof Error ? error.message : String(error) });
    return inline();
  }
}

/** SQLite's default wal_autocheckpoint (pages). */
const DEFAULT_AUTOCHECKPOINT_PAGES = 1000;
/** The main connection's wal_autocheckpoint while the writer thread checkpoints: about 40 MB of WAL. */
const MAIN_AUTOCHECKPOINT_PAGES = 10_000;

function defaultBudgets(o: StartProxyOptions, parts: ProxyParts): Promise<BudgetService> {
  const webhookUrl = o.config.alerts.webhook_url;
  return BudgetService.create({
    store: parts.store,
    keys: parts.keys,
    tagBudgets: o.config.budgets.map(tagBudgetFromConfig),
    timeZone: o.config.timezone,
    pricer: o.pricer,
    clock: o.clock,
    log: (line) => o.log.warn(line),
    alerts: { post: fetchPostJson, ...o.alerts, ...(webhookUrl ? { webhookUrl } : {}) },
    // Until RecordWriter.flush is asynchronous (issue #15, the call path), this adapts the blocking one.
    flush: () => Promise.resolve(parts.queue.flush()),
  });
}

function defaultAdmin(o: StartProxyOptions, parts: ProxyParts, budgets: BudgetService | null): AdminHandler | undefined {
  const token = o.config.admin.token;
  if (!token) return undefined;
  return createAdminHandler({
    token,
    store: parts.store,
    keys: parts.keys,
    budgets,
    clock: o.clock,
    timeZone: o.config.timezone,
    economics: o.config.economics,
    configKeys: keyDeclarations(o.config.keys),
    reports: parts.store.reports,
    // drain() is asynchronous: it never blocks the event loop the way flush() waits on the
    // writer thread. A store that keeps failing leaves the report at what was written.
    flush: () => parts.queue.drain().catch(() => {}),
    log: o.log,
  });
}

/** The loud line logged when call records cannot be written. */
function storeErrorMessage(kind: string, spillPath: string | undefined, onError: 'serve' | 'refuse'): string {
  if (kind === 'retrying') return `STORE UNAVAILABLE: call records cannot be written to the database; they are kept in memory${spillPath ? ` and spilled to ${spillPath}` : ''} and written when it recovers`;
  if (kind === 'overflow') return `STORE UNAVAILABLE AND BUFFER FULL: new call records are being dropped; ${onError === 'refuse' ? 'calls are refused with 503 (store.on_error: refuse)' : 'calls are still served (store.on_error: serve)'}`;
  return 'a call record could not be stored and was dropped';
}

/** Waits for `p`, but no longer than `ms` (the timer never holds the process open). */
function waitAtMost(p: Promise<void>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms) as unknown as { unref?: () => void };
    t.unref?.();
    p.then(resolve, resolve);
  });
}
