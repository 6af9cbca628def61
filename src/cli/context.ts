import { DB_ENV, loadConfig, resolveDb, resolveDbPath } from '../config/load.js';
import type { Config } from '../config/schema.js';
import type { SecretsUsed } from '../config/secret-fields.js';
import type { Edges } from '../edges.js';
import type { Clock } from '../lib/clock.js';
import { isPostgresUrl, type DbLocation, type DbNamedBy } from '../lib/db-location.js';
import { checkDatabasePath, openStoreAt, upgradeNoticeAt, type StoreAccess } from '../store/open.js';
import type { Store } from '../store/facade.js';

/** What every subcommand may need; each takes only the parts it uses (habit 7). */
export interface CliContext {
  edges: Edges;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  clock: Clock;
  out: (text: string) => void;
  err: (text: string) => void;
  isTTY: boolean;
  /** The program's entry file; `serve` starts its writer thread from it. Absent: records are written on the main thread. */
  entry?: string;
  /** How the user started tokometer (`./dist/tokometer`, `npx tokometer`, …), for the commands it suggests; default `tokometer`. */
  invokedAs?: string;
}

/**
 * Loads the config named by `--config` (or ./tokometer.yaml, or defaults) for a command that
 * does not proxy: only the secrets in `secrets` are resolved (none by default), so a report
 * or a cron job needs no provider key (config/secret-fields.ts). `serve` loads every one.
 */
export function configFor(ctx: Pick<CliContext, 'env' | 'cwd'>, configPath: string | undefined, secrets: SecretsUsed = {}): Config {
  return loadConfig({ path: configPath, env: ctx.env, cwd: ctx.cwd, secrets }).config;
}

/** The database path for a command: --db, else $TOKOMETER_DB, else config `db`, else ./tokometer.db. */
export function dbPathFor(ctx: Pick<CliContext, 'env' | 'cwd'>, config: Config, dbFlag: string | undefined): string {
  return resolveDbPath({ flag: dbFlag, env: ctx.env, config, cwd: ctx.cwd });
}

/**
 * dbPathFor for a command that reads a database which must exist (report, audit, prices,
 * keys list), with what named it (pass it to openStoreFor, whose messages of an empty
 * database depend on it): a SQLite path that --db or $TOKOMETER_DB named is checked here,
 * and a missing one is a DatabaseNotFoundError (exit 2) whose message names that flag or
 * variable. A path from the config's `db` or the default is returned unchecked: the
 * store's opener refuses it when missing, and prices list and show then price from the
 * pinned catalog.
 */
export function dbToReadFor(ctx: Pick<CliContext, 'env' | 'cwd'>, config: Config, dbFlag: string | undefined): DbLocation {
  const db = resolveDb({ flag: dbFlag, env: ctx.env, config, cwd: ctx.cwd });
  if (db.namedBy !== null && !isPostgresUrl(db.path)) checkDatabasePath(db.path, 'read', db.namedBy);
  return db;
}

/** dbToReadFor's path alone, for a command that does not open the store with openStoreFor's read messages. */
export function dbPathToReadFor(ctx: Pick<CliContext, 'env' | 'cwd'>, config: Config, dbFlag: string | undefined): string {
  return dbToReadFor(ctx, config, dbFlag).path;
}

/**
 * Opens the store of a command at `dbPath` (a SQLite file or a `postgres://` URL):
 * `read` for commands that only read (report, audit, tui, prices unpriced: read-only, exit
 * 2 naming the path when the database is missing, nothing is created), `create` for
 * commands that write (the file is created when missing). See store/open.ts. Commands
 * get a Store and nothing below it: the runtime's SQLite driver goes from the edges
 * straight to the store's opener. `namedBy`: what named a SQLite path (dbToReadFor), for
 * the message of a missing or empty database; a PostgreSQL URL's is postgresUrlNamedBy.
 */
export async function openStoreFor(ctx: Pick<CliContext, 'edges' | 'err' | 'env'>, dbPath: string, access: StoreAccess, namedBy: DbNamedBy = null): Promise<Store> {
  const notice = await pendingUpgrade(ctx, dbPath);
  if (notice !== null) ctx.err(`tokometer: ${notice}\n`);
  return openStoreAt(dbPath, access, ctx.edges.openDriver, isPostgresUrl(dbPath) ? postgresUrlNamedBy(dbPath, ctx.env) : namedBy);
}

/**
 * What gave a PostgreSQL URL a command opens, for the messages of a missing database or an
 * unreachable server (pg/pg-store.ts), as resolveDb's namedBy does for a SQLite path: $TOKOMETER_DB
 * when the URL is that variable's value. resolveDb takes a URL as written and --db wins
 * over the variable, so another URL came from --db or the config; --db naming the very same
 * URL is the one case told as the variable (which names that URL too). null for a SQLite path.
 */
function postgresUrlNamedBy(dbPath: string, env: CliContext['env']): DbNamedBy {
  return isPostgresUrl(dbPath) && env[DB_ENV] === dbPath ? '$TOKOMETER_DB' : null;
}

/** What to say before opening the SQLite file `dbPath` migrates it, or null (store/open.ts upgradeNotice). */
export function pendingUpgrade(ctx: Pick<CliContext, 'edges'>, dbPath: string): Promise<string | null> {
  return upgradeNoticeAt(dbPath, ctx.edges.openDriver);
}
