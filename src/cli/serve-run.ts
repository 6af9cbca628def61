import type { Edges } from '../edges.js';
import type { BudgetState } from '../budget/types.js';
import type { Clock } from '../lib/clock.js';
import { describeDbLocation, isPostgresUrl } from '../lib/db-location.js';
import { ExitStatus } from '../lib/errors.js';
import { isLoopback } from '../lib/host.js';
import { createPricer } from '../pricing/pricer.js';
import type { ConfiguredPrice } from '../pricing/types.js';
import { createLogger } from '../proxy/log.js';
import type { ProxySettings } from '../proxy/settings.js';
import { startProxy, type RunningProxy } from '../proxy/start.js';
import { upgradeNoticeAt } from '../store/open.js';
import { newDatabaseFiles } from '../store/new-database-files.js';
import { closeProxyStorage, openProxyStorage, type ProxyStorage } from '../store/proxy-storage.js';
import { newestSnapshot } from './catalog-source.js';
import { namingListenFailures, type ListenSource } from './serve-listen.js';
import { startPriceWatch } from './serve-prices.js';
import { reachableUrl } from './serve-exposure.js';
import { lockServeDatabase } from './serve-lock.js';
import type { ConfigFacts } from '../config/drift.js';
import { startConfigWatch } from './serve-config-watch.js';
import { recordConfigAtStart } from './serve-config-record.js';
import type { BudgetLimitRecord } from '../store/types.js';

/**
 * What `serve` runs with, worked out from its flags and config by cli/serve.ts: plain
 * values only, so it survives a JSON round trip (cli/serve-handoff.ts hands it to serve's
 * own process on Bun). Nothing here reads the config again.
 */
export interface ServePlan {
  settings: ProxySettings;
  /** The config's `prices:` (model prices by name). */
  configPrices: Readonly<Record<string, ConfiguredPrice>>;
  /** Provider name → whether the catalog may price its calls (config/catalog-prices.ts), and the rule of each custom provider in words, logged at start. */
  catalogPrices: { byProvider: Readonly<Record<string, boolean>>; lines: readonly string[] };
  /** Logged at start: what `config check` also warns about in the config (config/price-provider-warnings.ts). */
  configWarnings: readonly string[];
  priceUpdates: {
    /** ms between checks of the database for a newer snapshot or reprice. */
    pollIntervalMs: number;
    /** ms between fetches of the published catalog; null = never. */
    autoUpdateMs: number | null;
    /** URL or file (relative to `cwd`) auto_update fetches. */
    origin: string;
  };
  /** The config file serve read (absolute; null: the defaults), its leaves and its keys' and budgets' fingerprint (config/drift.ts): what serve-config-watch.ts compares the file with, and serve records (serve-config-record.ts). */
  config: { file: string | null; facts: ConfigFacts; sha256: string };
  /** A SQLite file, `:memory:` or a `postgres://` URL. */
  dbPath: string;
  /** Absolute path of the spill file; undefined = none (an in-memory database). */
  spillPath?: string;
  /** The address to bind. */
  host: string;
  /** The port from `--port`; undefined = `settings.listen.port`. */
  port?: number;
  /** The working directory relative paths were resolved against. */
  cwd: string;
  /** How the user started tokometer, for the command printed at start (`./dist/tokometer keys create NAME`). */
  invokedAs: string;
}

/** What running a plan needs besides the plan: the process's edges and streams. */
export interface ServeDeps {
  edges: Pick<Edges, 'runtime' | 'openDriver' | 'startServer' | 'createUpstream'>;
  env: Readonly<Record<string, string | undefined>>;
  clock: Clock;
  out: (text: string) => void;
  err: (text: string) => void;
  /** The program's entry file; the SQLite writer thread starts from it. Absent: records are written on the main thread. */
  entry?: string;
  /** Logged at start: why serve runs in the process that read the config (cli/serve-handoff.ts). */
  warnings: readonly string[];
}

/**
 * Runs the metering proxy of `plan` until SIGINT/SIGTERM (then drained, nothing accepted
 * lost). New price snapshots and reprices in the database apply within
 * `priceUpdates.pollIntervalMs` (at once on SIGHUP). Budgets (key and tag), alerts and the
 * admin API (with a token) are wired by startProxy from the settings; budget spend is
 * rebuilt from the database at start.
 */
export async function runServe(plan: ServePlan, deps: ServeDeps): Promise<void> {
  const { settings, dbPath, host } = plan;
  const log = createLogger(deps.err, deps.clock);
  for (const warning of [...deps.warnings, ...plan.configWarnings]) log.warn(warning);
  const pricer = createPricer(plan.configPrices, { catalogPrices: plan.catalogPrices.byProvider });
  for (const line of plan.catalogPrices.lines) log.info(`prices: ${line}`);
  let spendSeenId = 0;
  const upgrade = await upgradeNoticeAt(dbPath, deps.edges.openDriver);
  if (upgrade !== null) log.info(upgrade);
  const sqliteFile = !isPostgresUrl(dbPath) && dbPath !== ':memory:';
  const listen: ListenSource = {
    host,
    port: plan.port ?? settings.listen.port,
    hostField: host === settings.listen.host ? 'listen.host' : '--host',
    portField: plan.port === undefined ? 'listen.port' : '--port',
  };
  const startServer = namingListenFailures(await deps.edges.startServer(), listen);
  const upstream = await deps.edges.createUpstream();
  // Noted before the database is opened: a start that fails removes the file it created,
  // unless another command wrote to it meanwhile.
  const newDatabase = newDatabaseFiles(dbPath, plan.spillPath);
  // One serve per SQLite file: each holds the budgets' spend in memory (serve-lock.ts).
  const startedAt = deps.clock();
  const lock = sqliteFile ? lockServeDatabase(dbPath, { sha256: plan.config.sha256, startedAt }) : undefined;
  let knownLimits: BudgetLimitRecord[] = [];
  let storage: ProxyStorage | undefined;
  let proxy: RunningProxy;
  try {
    storage = await openProxyStorage(dbPath, deps.edges.openDriver);
    newDatabase.opened(storage);
    proxy = await startProxy({
      settings,
      storage,
      // Prices in force before the first call: the newest stored snapshot, if any. The id of
      // the newest reprice spend change is read before the budgets are seeded (see serve-prices.ts).
      beforeStart: async (store) => {
        const snapshot = await newestSnapshot(store.prices).catch((error: Error) => {
          log.error('prices: the newest catalog snapshot cannot be used; pricing from the pinned catalog', { error: error.message });
          return null;
        });
        pricer.useSnapshot(snapshot);
        spendSeenId = await store.prices.latestSpendChangeId();
        // The limits the previous serve ran with, before the budgets write this start's.
        knownLimits = await store.budgets.budgetLimits().catch(() => []);
      },
      spillPath: plan.spillPath,
      writerThread: sqliteFile && deps.entry ? { entry: deps.entry, dbPath } : undefined,
      startServer,
      upstream,
      pricer,
      clock: deps.clock,
      log,
      env: deps.env,
      host,
      port: plan.port,
    });
  } catch (error) {
    // startProxy has released what it started; the storage (the last connection) and the
    // upstream pool close here. The files go right after the storage closes: the less time
    // between, the less room for another command to write to them unseen.
    if (storage !== undefined) {
      newDatabase.closing();
      await closeProxyStorage(storage).catch(() => {});
    }
    newDatabase.remove();
    lock?.release();
    await upstream.close().catch(() => {});
    throw error;
  }
  lock?.setPort(Number(new URL(proxy.url).port));
  await recordConfigAtStart({ dbPath, store: proxy.store, sha256: plan.config.sha256, startedAt, declared: settings.keys, known: knownLimits, budgets: proxy.budgets?.snapshot() ?? [], warn: (line) => log.warn(line) });
  if (!isLoopback(host) && !settings.adminToken) {
    log.warn(`listening on ${host}, reachable from other machines; anyone who can reach it and holds a metering key can spend through it. Bind 127.0.0.1 unless you mean it.`);
  }
  const missing = Object.entries(settings.providers)
    .filter(([, p]) => !p.apiKey)
    .map(([name]) => name);
  const shownDb = describeDbLocation(dbPath);
  log.info('tokometer listening', { url: proxy.url, db: shownDb, runtime: deps.edges.runtime, providers_without_key: missing });
  log.info('budgets', {
    ...budgetsAtStart(proxy.budgets?.snapshot() ?? []),
    alerts_webhook: settings.alertsWebhookUrl !== undefined,
    admin_api: settings.adminToken !== undefined,
  });
  const updates = plan.priceUpdates;
  const watch = startPriceWatch({
    prices: proxy.store.prices,
    pricer,
    budgets: proxy.budgets,
    log,
    pollMs: updates.pollIntervalMs,
    spendSeenId,
    autoUpdate: updates.autoUpdateMs === null ? null : { everyMs: updates.autoUpdateMs, origin: updates.origin, cwd: plan.cwd },
    clock: deps.clock,
  });
  const configWatch = startConfigWatch({ file: plan.config.file, started: plan.config.facts, env: deps.env, cwd: plan.cwd, log, pollMs: updates.pollIntervalMs });
  log.info('prices', { snapshot: pricer.snapshot?.source ?? null, poll_ms: updates.pollIntervalMs, auto_update_ms: updates.autoUpdateMs });
  if (updates.autoUpdateMs !== null) void watch.autoUpdate();
  // The handlers are in place before the URL is printed: a supervisor may send SIGTERM as
  // soon as it reads it (printed first, a SIGTERM in between ended the process by the signal).
  // A shutdown that failed (call records lost): logged, and exit 1 (SPEC §7), not a clean stop.
  let stopFailed = false;
  const stopped = new Promise<void>((resolve) => {
    let stoppingAt: number | null = null;
    const stop = (signal: string) => {
      if (stoppingAt !== null) {
        // One Ctrl-C can arrive twice within milliseconds (`npm exec` forwards it to a process
        // the terminal signals too): a repeat that soon is the same request, not a second one.
        if (performance.now() - stoppingAt < REPEAT_SIGNAL_MS) return;
        // A second SIGINT or SIGTERM during the drain: the grace period ends now. The calls in
        // flight (which the provider bills) are cut and recorded, the records still written; a
        // third signal ends the process at once. SIGHUP (a config and price check) is ignored until the
        // drain is over: its default action would kill the drain.
        process.off('SIGINT', onInt).off('SIGTERM', onTerm);
        log.info(`${signal} again: cutting the calls in flight now and writing every record (another SIGINT or SIGTERM ends the process at once)`, { in_flight: proxy.server.inFlight, pending: proxy.queue.pending });
        proxy.cutInFlight();
        return;
      }
      stoppingAt = performance.now();
      watch.stop();
      configWatch.stop();
      process.off('SIGHUP', reload).on('SIGHUP', ignoreHup);
      log.info('shutting down: finishing in-flight calls and writing pending records (SIGINT or SIGTERM again cuts them now)', { signal, pending: proxy.queue.pending });
      // Calls in flight get limits.shutdown_grace_ms to finish.
      proxy
        .stop()
        .then(() => {
          // Records the database refused and the spill file took are not lost, and not written either.
          const spilled = proxy.queue.spilled;
          if (spilled === 0) log.info('stopped: every call record written', { signal });
          else log.warn(`stopped: ${spilled} call records are in the spill file ${plan.spillPath}, not in the database; the next serve on it writes them once the database takes writes`, { signal });
        })
        .catch((error) => {
          stopFailed = true;
          log.error('shutdown failed', { error: String(error) });
        })
        .finally(() => {
          process.off('SIGHUP', ignoreHup).off('SIGINT', onInt).off('SIGTERM', onTerm);
          resolve();
        });
    };
    const ignoreHup = () => log.info('SIGHUP ignored: shutting down');
    // SIGHUP: compare the config file with the one serve started with (an edit applies at a
    // restart: serve-config-watch.ts says what differs), and look for a new price snapshot
    // or reprice in the database now instead of at the next poll.
    const reload = () => {
      log.info('SIGHUP: comparing the config file with the one serve started with (the config applies at a restart) and checking the database for new prices');
      void configWatch.check();
      void watch.check();
    };
    const onInt = () => stop('SIGINT');
    const onTerm = () => stop('SIGTERM');
    process.on('SIGHUP', reload).on('SIGINT', onInt).on('SIGTERM', onTerm);
  });
  deps.out(`tokometer ${deps.edges.runtime === 'bun' ? '(bun)' : '(node)'} listening on ${proxy.url} — db ${shownDb}\n`);
  const reachable = reachableUrl(proxy.url, plan.host);
  deps.out(`Point an SDK at ${reachable.url}/proxy/openai with a metering key (${plan.invokedAs} keys create NAME)${reachable.note}.\n`);
  await stopped;
  lock?.release();
  if (stopFailed) throw new ExitStatus(1);
}

/** ms after the signal that starts the drain within which another SIGINT or SIGTERM is taken as the same one (a wrapper forwarding it). */
export const REPEAT_SIGNAL_MS = 1000;

/** Blocked budget instances the start-up line names; `blocked_count` says how many there are in all. */
export const BLOCKED_SHOWN = 10;

/**
 * The start-up line's budget fields: how many instances are enforced and which are blocked.
 * A budget `per: user_id` can have thousands blocked at once, so the line names the first
 * BLOCKED_SHOWN (`name:value`) and counts them all (`GET /admin/budgets` and the TUI list them).
 */
export function budgetsAtStart(budgets: readonly BudgetState[]): { enforced: number; blocked: string[]; blocked_count: number } {
  const blocked = budgets.filter((b) => b.blocked);
  return {
    enforced: budgets.length,
    blocked: blocked.slice(0, BLOCKED_SHOWN).map((b) => (b.tagValue === null ? b.name : `${b.name}:${b.tagValue}`)),
    blocked_count: blocked.length,
  };
}
