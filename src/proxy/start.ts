import { BudgetService, type AlertDelivery } from '../budget/service.js';
import { fetchPostJson } from '../budget/webhook.js';
import type { Clock } from '../lib/clock.js';
import type { Pricer } from '../pricing/pricer.js';
import { buildProviders } from '../providers/registry.js';
import type { RunningServer, StartServer } from '../server/types.js';
import { HoldingWriter } from '../store/held-writes.js';
import { createStore } from '../store/sqlite-store.js';
import type { CallRecord, RecordWriter } from '../store/types.js';
import type { Store } from '../store/facade.js';
import { renderTelemetryCounts, startTelemetry } from '../telemetry/index.js';
import type { KeyResolver } from './auth.js';
import type { AdminHandler, BudgetGate } from './deps.js';
import { BackgroundWatch } from './background-watch.js';
import { DepartedCalls } from './departed-calls.js';
import { CachedContentSizes } from './cached-content-sizes.js';
import { ContextMemory } from './context-memory.js';
import { FinishedCalls } from './finished-calls.js';
import { openKeyTable } from './key-table.js';
import { declarationOf } from '../keys/effective.js';
import { createHandler } from './handler.js';
import { recordWriter, type RecordWriterOptions } from './record-writer.js';
import { RunningStreams } from './running-streams.js';
import { Metrics } from './metrics.js';
import { startRetention } from './retention.js';
import { shutDownProxy } from './shutdown.js';
import { TagsDroppedNotice } from './tags-dropped.js';
import { UncostedOnBudgetNotice } from './uncosted-on-budget.js';
import type { UpstreamClient } from './types.js';

/** What startProxy builds the proxy from; the settings, storage, log and record-writer options are RecordWriterOptions'. */
export interface StartProxyOptions extends RecordWriterOptions {
  startServer: StartServer;
  upstream: UpstreamClient;
  /** Prices calls, and describes model prices for budget reservation estimates. */
  pricer: Pick<Pricer, 'price' | 'describe'>;
  clock: Clock;
  env: Readonly<Record<string, string | undefined>>;
  host?: string;
  port?: number;
  /**
   * Replaces budget enforcement (benchmarks, tests of the handler alone). Default: a
   * BudgetService over the config's key and tag budgets, seeded from the store. Any
   * reservation type will do: the handler hands each one back to `settle` unchanged.
   */
  budgets?: (parts: ProxyParts) => BudgetGate<unknown>;
  /** Replaces the admin API. Default: enabled when `admin.token` is set. */
  admin?: (parts: ProxyParts & { budgets: BudgetService | null }) => AdminHandler | undefined;
  /** Alert webhook delivery; defaults to a global-fetch POST to `alerts.webhook_url` with 1 s, 2 s, 4 s, 8 s retries. */
  alerts?: Omit<AlertDelivery, 'webhookUrl'>;
  /** Also receives every record (tests, demo progress); the same as subscribing to `finished`. */
  onRecord?: (record: CallRecord) => void;
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
  /** The record writer, able to hold records back while budget spend is read. */
  queue: HoldingWriter;
}

/** ms before the first read of a background response (then doubling up to limits.background_poll_ms). */
const BACKGROUND_FIRST_POLL_MS = 1000;

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
  /** Where every finished call is announced: subscribe to see each record once (telemetry). */
  finished: FinishedCalls;
  /**
   * Stops accepting calls, answers the calls waiting for budget room 503 (retry) without
   * sending them, lets in-flight calls finish (up to `graceMs`, default the
   * config's `limits.shutdown_grace_ms`), drains the write queue so nothing accepted is
   * lost, and closes the upstream pool and the store.
   */
  stop(graceMs?: number): Promise<void>;
  /**
   * Ends the grace period of a `stop` under way (a second Ctrl-C): the calls still in flight
   * are cut now and recorded, and the stop goes on to write every record. Nothing before `stop`.
   */
  cutInFlight(): void;
}

/**
 * Builds every dependency of the proxy handler and starts listening. A start that fails
 * (a setting it cannot use, the store failing, the port taken) first releases what it had
 * started: the telemetry export, the key watch, the record writer (and its thread) and the
 * budgets; the storage stays the caller's to close (store/proxy-storage.ts closeProxyStorage).
 */
export async function startProxy(o: StartProxyOptions): Promise<RunningProxy> {
  const started: Array<() => Promise<void>> = [];
  try {
    return await startParts(o, started);
  } catch (error) {
    // The start's own error is the one to report: a release that fails as well is not.
    for (const release of started.reverse()) await release().catch(() => {});
    throw error;
  }
}

/** startProxy's steps; each part that runs on its own once started is added to `started`. */
async function startParts(o: StartProxyOptions, started: Array<() => Promise<void>>): Promise<RunningProxy> {
  // First: a telemetry setting it cannot use stops the start before anything is opened.
  const providers = buildProviders(o.settings.providers);
  const telemetry = await startTelemetry({ options: o.settings.telemetry, env: o.env, log: o.log, providers: [...providers.values()].map((p) => [p.name, p.baseUrl]) });
  if (telemetry) started.push(() => telemetry.shutdown(0));
  const store = storeOf(o);
  await o.beforeStart?.(store);
  const keys = await openKeyTable({ store, declared: o.settings.keys, env: o.env, clock: o.clock, log: o.log, postgres: o.storage.engine === 'postgres' ? o.storage.store : undefined }, started);
  const queue = new HoldingWriter(await recordWriter(o), { maxHeld: o.settings.store.maxBufferedRecords });
  started.push(() => queue.close());
  if (queue.pending > 0) o.log.warn(`replaying ${queue.pending} call records spilled to ${o.spillPath} by an earlier run`);
  // Before the budgets read their spend from the store: the calls an earlier run spilled count too.
  await writeBacklog(queue);
  const metrics = new Metrics();
  if (telemetry) metrics.addSection(() => renderTelemetryCounts(telemetry.counts()));
  const parts: ProxyParts = { store, keys, queue };
  const service = o.budgets ? null : await defaultBudgets(o, parts);
  if (service) started.push(() => service.close());
  if (service) metrics.watchBudgets(() => service.snapshot());
  const gate = o.budgets ? o.budgets(parts) : service!.gate;
  const admin = o.admin ? o.admin({ ...parts, budgets: service }) : await defaultAdmin(o, parts, service);
  const finished = new FinishedCalls((error) => o.log.error('a listener of finished calls failed', { error: error instanceof Error ? error.message : String(error) }));
  finished.subscribe((record) => metrics.observe(record));
  finished.subscribe((record) => void queue.enqueue(record));
  if (o.onRecord) finished.subscribe(o.onRecord);
  if (telemetry) {
    finished.subscribe((record, call) =>
      telemetry.record({
        record,
        trace: call.traceparent === undefined ? null : call.tracestate === undefined ? { traceparent: call.traceparent } : { traceparent: call.traceparent, tracestate: call.tracestate },
        responseModel: call.responseModel,
        finishReasons: call.finishReasons,
        budget: call.budget,
      }),
    );
  }
  const background = new BackgroundWatch(o.upstream, { pollFirstMs: BACKGROUND_FIRST_POLL_MS, pollMaxMs: o.settings.limits.backgroundPollMs, maxWaitMs: o.settings.limits.backgroundMaxWaitMs }, o.log);
  const departed = new DepartedCalls();
  const streams = new RunningStreams();
  metrics.addSection(() => `# HELP tokometer_background_pending Background responses answered and not yet ended, whose calls wait to be recorded.\n# TYPE tokometer_background_pending gauge\ntokometer_background_pending ${background.size}\n`);
  /** Set when the shutdown's grace period ends (shutdown.ts): calls failing from then on were cut by it. */
  let graceOver = false;
  const handler = createHandler({
    graceOver: () => graceOver,
    providers,
    keys,
    upstream: o.upstream,
    pricer: o.pricer,
    budgets: gate,
    finished,
    clock: o.clock,
    metrics,
    log: o.log,
    maxBodyBytes: o.settings.limits.maxBodyBytes,
    tagsOnInvalid: o.settings.tagsOnInvalid,
    tagsDropped: new TagsDroppedNotice(o.log, o.clock, metrics),
    uncostedOnBudget: new UncostedOnBudgetNotice(o.log),
    background,
    departed,
    streams,
    contexts: new ContextMemory(),
    cachedContents: new CachedContentSizes(),
    admin,
    refusal: () =>
      o.settings.store.onError === 'refuse' && queue.full
        ? 'Calls are refused because their records cannot be stored: the database is failing and the spill buffer is full (store.on_error: refuse).'
        : null,
    health: () => (queue.degraded ? { status: 'degraded', store: 'failing', pending_records: queue.pending, spilled_records: queue.spilled, refusing: o.settings.store.onError === 'refuse' && queue.full } : { status: 'ok' }),
  });
  const host = o.host ?? o.settings.listen.host;
  const server = await o.startServer({
    host,
    port: o.port ?? o.settings.listen.port,
    handler,
    onError: (error) => o.log.error('request failed inside the proxy', { error: error instanceof Error ? error.message : String(error) }),
    clientHeaderTimeoutMs: o.settings.limits.clientHeaderTimeoutMs,
    clientBodyTimeoutMs: o.settings.limits.clientBodyTimeoutMs,
    tls: o.settings.tls,
  });
  const retentionDays = o.settings.retentionDays;
  const stopRetention = retentionDays ? startRetention({ store, retentionDays, clock: o.clock, log: o.log }) : () => {};
  let stopped: Promise<void> | null = null;
  const cut = new AbortController();
  return {
    server,
    store,
    keys,
    queue,
    metrics,
    budgets: service,
    finished,
    url: `${server.scheme}://${host.includes(':') ? `[${host}]` : host}:${server.port}`,
    stop: (graceMs = o.settings.limits.shutdownGraceMs) =>
      (stopped ??= shutDownProxy({ gate, stopRetention, keys, server, cut: cut.signal, atGraceEnd: () => {
            graceOver = true;
            return streams.haltAll();
          },
          background, departed, queue, budgets: service, telemetry, upstream: o.upstream, store, log: o.log }, graceMs)),
    cutInFlight: () => {
      if (stopped !== null) cut.abort();
    },
  };
}

/**
 * Writes what the queue holds at start (the records an earlier run spilled), as far as the
 * store takes them: flushes again while each flush gets through more of them (a spill file
 * comes back into memory in parts), and stops when one makes no progress (the store fails).
 */
async function writeBacklog(queue: HoldingWriter): Promise<void> {
  let left: number;
  do {
    left = queue.pending + queue.spilled;
    await queue.flush();
  } while (queue.pending + queue.spilled > 0 && queue.pending + queue.spilled < left);
}

/** The store of a proxy: the PostgreSQL one given, or one built on the SQLite driver. */
function storeOf(o: StartProxyOptions): Store {
  if (o.storage.engine === 'postgres') {
    if (o.writerThread) throw new Error('startProxy: the writer thread writes to a SQLite file; a PostgreSQL store is written on the main thread');
    return o.storage.store;
  }
  return createStore(o.storage.driver);
}

function defaultBudgets(o: StartProxyOptions, parts: ProxyParts): Promise<BudgetService> {
  const webhookUrl = o.settings.alertsWebhookUrl;
  return BudgetService.create({
    store: parts.store,
    keys: parts.keys,
    tagBudgets: o.settings.tagBudgets,
    timeZone: o.settings.timeZone,
    pricer: o.pricer,
    clock: o.clock,
    log: (line) => o.log.warn(line),
    alerts: { post: fetchPostJson, ...o.alerts, ...(webhookUrl ? { webhookUrl } : {}) },
    holdWrites: () => parts.queue.hold(),
    admissionWaitMs: o.settings.budgetAdmissionWaitMs,
    outputHold: o.settings.budgetOutputHold,
    configKeyBudget: (name) => declarationOf(o.settings.keys, name)?.budget !== undefined,
    ...(o.storage.engine === 'postgres' ? { leases: o.storage.store.leases } : {}),
  });
}

/** The admin API when a token is set. Its module (and zod, which checks its request bodies) loads only then. */
async function defaultAdmin(o: StartProxyOptions, parts: ProxyParts, budgets: BudgetService | null): Promise<AdminHandler | undefined> {
  const token = o.settings.adminToken;
  if (!token) return undefined;
  const { createAdminHandler } = await import('../admin/handler.js');
  return createAdminHandler({
    token,
    store: parts.store,
    keys: parts.keys,
    budgets,
    clock: o.clock,
    timeZone: o.settings.timeZone,
    economics: o.settings.economics,
    configKeys: o.settings.keys,
    providerNames: new Set(Object.keys(o.settings.providers)),
    reports: parts.store.reports,
    flush: () => parts.queue.flush(),
    log: o.log,
  });
}
