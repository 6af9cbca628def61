import { catalogPricesByProvider, catalogPricesLines } from '../config/catalog-prices.js';
import type { Command } from 'commander';
import path from 'node:path';
import { DEFAULT_DB_FILE, loadConfig } from '../config/load.js';
import { configFacts, declaredFingerprint } from '../config/drift.js';
import { exposureWarnings } from './serve-exposure.js';
import { configWarnings } from '../config/warnings.js';
import { proxySettings } from '../config/proxy-settings.js';
import { UsageError } from '../lib/errors.js';
import { isPostgresUrl } from '../lib/db-location.js';
import { HOST_RULE, isHostOrIp } from '../lib/host.js';
import { dbPathFor, type CliContext } from './context.js';
import { DEFAULT_INVOCATION } from './invocation.js';
import { catalogOrigin } from './price-book.js';
import { checkConfigDb } from './config-db.js';
import { loadConfigTls } from './config-tls.js';
import { checkSpillFolder } from './spill-folder.js';
import { SERVE_PLAN_ENV, discardServePlan, writeServePlan } from './serve-handoff.js';
import { runServe, type ServePlan } from './serve-run.js';

interface ServeFlags {
  config?: string;
  port?: string;
  host?: string;
  db?: string;
  spill?: string;
}

/**
 * `tokometer serve`: the metering proxy (cli/serve-run.ts runs it). This module reads the
 * flags and the config and turns them into a ServePlan; config errors end the command here,
 * before anything is opened. On Bun the plan then runs in a process of its own
 * (cli/serve-handoff.ts), on Node in this one.
 */
export function registerServeCommand(program: Command, ctx: CliContext): void {
  program
    .command('serve')
    .description('run the metering proxy')
    .option('--config <file>', 'config file (default ./tokometer.yaml when present)')
    .option('--port <port>', 'port to listen on (default: listen.port in the config, else 8787)')
    .option('--host <host>', 'address to bind (default: listen.host in the config, else 127.0.0.1)')
    .option('--db <path>', `database file, or a postgres:// URL (several replicas share one PostgreSQL) (default: $TOKOMETER_DB, else db in the config, else ./${DEFAULT_DB_FILE})`)
    .option('--spill <file>', 'file that takes call records while the database cannot (default: store.spill_path in the config, else <db>.spill; with PostgreSQL ./tokometer-pg-<port>.spill)')
    .action(async (flags: ServeFlags) => {
      const plan = servePlan(ctx, flags);
      // On Bun this process ends here: the plan goes to a process that runs only the proxy.
      let planFile: string | undefined;
      const relaunchWarning = await ctx.edges.relaunchForServe(() => {
        planFile = writeServePlan(plan);
        return { [SERVE_PLAN_ENV]: planFile };
      });
      if (planFile !== undefined) discardServePlan(planFile);
      await runServe(plan, { ...ctx, warnings: relaunchWarning === null ? [] : [relaunchWarning] });
    });
}

/** The plan of `serve` with `flags`: the config read and checked, paths resolved against ctx.cwd. @throws UsageError or ConfigError (exit 2). */
export function servePlan(ctx: Pick<CliContext, 'env' | 'cwd' | 'invokedAs'>, flags: ServeFlags): ServePlan {
  const loaded = loadConfig({ path: flags.config, env: ctx.env, cwd: ctx.cwd });
  const config = loaded.config;
  const port = flags.port === undefined ? undefined : Number(flags.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) throw new UsageError(`--port expects a port number 0-65535, got '${flags.port}'`);
  if (flags.host !== undefined && !isHostOrIp(flags.host)) throw new UsageError(`--host expects ${HOST_RULE}, got ${JSON.stringify(flags.host)}`);
  // A config db serve could not create stops it here, at the file and line of db, as config check says it.
  if (flags.db === undefined) checkConfigDb(loaded, ctx.env, ctx.cwd);
  const dbPath = dbPathFor(ctx, config, flags.db);
  const spill = flags.spill ?? config.store.spill_path;
  const spillPath = isPostgresUrl(dbPath)
    ? path.resolve(ctx.cwd, spill ?? `tokometer-pg-${port ?? config.listen.port}.spill`)
    : spill !== undefined
      ? path.resolve(ctx.cwd, spill)
      : dbPath === ':memory:'
        ? undefined
        : `${dbPath}.spill`;
  // Checked now, not when the database first refuses a write (config check runs the same check).
  if (spill !== undefined && spillPath !== undefined) checkSpillFolder(spillPath, flags.spill === undefined ? { config: loaded } : '--spill');
  // Read now as the server will, so a file it cannot use is named at its line (config check does the same).
  loadConfigTls(loaded);
  const updates = config.price_updates;
  return {
    settings: proxySettings(config),
    configPrices: config.prices,
    catalogPrices: { byProvider: catalogPricesByProvider(config.providers), lines: catalogPricesLines(config.providers) },
    configWarnings: [...configWarnings(config), ...exposureWarnings(flags.host ?? config.listen.host, config.tls !== undefined, config.admin.token)],
    priceUpdates: { pollIntervalMs: updates.pollIntervalMs, autoUpdateMs: updates.autoUpdateMs, origin: catalogOrigin(undefined, config) },
    config: { file: loaded.path, facts: configFacts(config), sha256: declaredFingerprint(config) },
    dbPath,
    ...(spillPath === undefined ? {} : { spillPath }),
    host: flags.host ?? config.listen.host,
    ...(port === undefined ? {} : { port }),
    cwd: ctx.cwd,
    invokedAs: ctx.invokedAs ?? DEFAULT_INVOCATION,
  };
}
