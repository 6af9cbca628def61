import type { Command } from 'commander';
import { proxySettings } from '../config/proxy-settings.js';
import { UsageError } from '../lib/errors.js';
import { createLogger } from '../proxy/log.js';
import { startProxy } from '../proxy/start.js';
import { createPricer } from '../pricing/pricer.js';
import path from 'node:path';
import { describeDbLocation, isPostgresUrl } from '../lib/db-location.js';
import { openProxyStorage } from '../store/proxy-storage.js';
import { catalogOrigin, newestSnapshot } from './price-book.js';
import { startPriceWatch } from './serve-prices.js';
import { configFor, dbPathFor, pendingUpgrade, type CliContext } from './context.js';
import { DEFAULT_INVOCATION } from './invocation.js';

interface ServeFlags {
  config?: string;
  port?: string;
  host?: string;
  db?: string;
  spill?: string;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

/**
 * `tokometer serve`: the metering proxy, until SIGINT/SIGTERM (then drained, nothing
 * accepted lost). New price snapshots and reprices in the database apply within
 * `prices.poll_interval` (at once on SIGHUP). Budgets (key and tag), alerts and the admin API (with admin.token) are
 * wired by startProxy from the config; budget spend is rebuilt from the database at start.
 */
export function registerServeCommand(program: Command, ctx: CliContext): void {
  program
    .command('serve')
    .description('run the metering proxy')
    .option('--config <file>', 'config file (default ./tokometer.yaml when present)')
    .option('--port <port>', 'port to listen on (default 8787)')
    .option('--host <host>', 'address to bind (default 127.0.0.1)')
    .option('--db <path>', 'database file, or a postgres:// URL (several replicas share one PostgreSQL)')
    .option('--spill <file>', 'file that takes call records while the database cannot (default <db>.spill; with PostgreSQL ./tokometer-pg-<port>.spill)')
    .action(async (flags: ServeFlags) => {
      const relaunchWarning = await ctx.edges.relaunchForServe();
      const config = configFor(ctx, flags.config);
      const port = flags.port === undefined ? undefined : Number(flags.port);
      if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) throw new UsageError(`--port expects a port number 0-65535, got '${flags.port}'`);
      const dbPath = dbPathFor(ctx, config, flags.db);
      const log = createLogger(ctx.err, ctx.clock);
      if (relaunchWarning !== null) log.warn(relaunchWarning);
      const host = flags.host ?? config.listen.host;
      const postgres = isPostgresUrl(dbPath);
      const spill = flags.spill ?? config.store.spill_path;
      const pricer = createPricer(config.prices);
      let spendSeenId = 0;
      const upgrade = await pendingUpgrade(ctx, dbPath);
      if (upgrade !== null) log.info(upgrade);
      const proxy = await startProxy({
        settings: proxySettings(config),
        storage: await openProxyStorage(dbPath, ctx.edges.openDriver),
        // Prices in force before the first call: the newest stored snapshot, if any. The id of
        // the newest reprice spend change is read before the budgets are seeded (see serve-prices.ts).
        beforeStart: async (store) => {
          const snapshot = await newestSnapshot(store.prices).catch((error: Error) => {
            log.error('prices: the newest catalog snapshot cannot be used; pricing from the pinned catalog', { error: error.message });
            return null;
          });
          pricer.useSnapshot(snapshot);
          spendSeenId = await store.prices.latestSpendChangeId();
        },
        ...(postgres
          ? { spillPath: path.resolve(ctx.cwd, spill ?? `tokometer-pg-${port ?? config.listen.port}.spill`) }
          : {
              spillPath: spill !== undefined ? path.resolve(ctx.cwd, spill) : dbPath === ':memory:' ? undefined : `${dbPath}.spill`,
              writerThread: dbPath === ':memory:' || !ctx.entry ? undefined : { entry: ctx.entry, dbPath },
            }),
        startServer: await ctx.edges.startServer(),
        upstream: await ctx.edges.createUpstream(),
        pricer,
        clock: ctx.clock,
        log,
        env: ctx.env,
        host,
        port,
      });
      if (!LOOPBACK.has(host) && !config.admin.token) {
        log.warn(`listening on ${host}, reachable from other machines; anyone who can reach it and holds a metering key can spend through it. Bind 127.0.0.1 unless you mean it.`);
      }
      const missing = Object.entries(config.providers)
        .filter(([, p]) => !p.api_key)
        .map(([name]) => name);
      const shownDb = describeDbLocation(dbPath);
      log.info('tokometer listening', { url: proxy.url, db: shownDb, runtime: ctx.edges.runtime, providers_without_key: missing });
      const budgets = proxy.budgets?.snapshot() ?? [];
      log.info('budgets', {
        enforced: budgets.length,
        blocked: budgets.filter((b) => b.blocked).map((b) => (b.tagValue === null ? b.name : `${b.name}:${b.tagValue}`)),
        alerts_webhook: config.alerts.webhook_url !== undefined,
        admin_api: config.admin.token !== undefined,
      });
      const updates = config.price_updates;
      const watch = startPriceWatch({
        prices: proxy.store.prices,
        pricer,
        budgets: proxy.budgets,
        log,
        pollMs: updates.pollIntervalMs,
        spendSeenId,
        autoUpdate: updates.autoUpdateMs === null ? null : { everyMs: updates.autoUpdateMs, origin: catalogOrigin(undefined, config), cwd: ctx.cwd },
        clock: ctx.clock,
      });
      log.info('prices', { snapshot: pricer.snapshot?.source ?? null, poll_ms: updates.pollIntervalMs, auto_update_ms: updates.autoUpdateMs });
      if (updates.autoUpdateMs !== null) void watch.autoUpdate();
      // The handlers are in place before the URL is printed: a supervisor may send SIGTERM as
      // soon as it reads it (printed first, a SIGTERM in between ended the process by the signal).
      const stopped = new Promise<void>((resolve) => {
        let stopping = false;
        const stop = (signal: string) => {
          if (stopping) return;
          stopping = true;
          watch.stop();
          // All three go: a second SIGINT or SIGTERM during the drain ends the process at once.
          process.off('SIGHUP', reload).off('SIGINT', onInt).off('SIGTERM', onTerm);
          log.info('shutting down: finishing in-flight calls and writing pending records', { signal, pending: proxy.queue.pending });
          // Calls in flight get limits.shutdown_grace_ms to finish.
          proxy
            .stop()
            .catch((error) => log.error('shutdown failed', { error: String(error) }))
            .finally(() => resolve());
        };
        // SIGHUP: look for a new price snapshot or reprice now instead of at the next poll.
        const reload = () => {
          log.info('prices: SIGHUP, checking the database for new prices');
          void watch.check();
        };
        const onInt = () => stop('SIGINT');
        const onTerm = () => stop('SIGTERM');
        process.on('SIGHUP', reload).on('SIGINT', onInt).on('SIGTERM', onTerm);
      });
      ctx.out(`tokometer ${ctx.edges.runtime === 'bun' ? '(bun)' : '(node)'} listening on ${proxy.url} — db ${shownDb}\n`);
      ctx.out(`Point an SDK at ${proxy.url}/proxy/openai with a metering key (${ctx.invokedAs ?? DEFAULT_INVOCATION} keys create NAME).\n`);
      await stopped;
    });
}
