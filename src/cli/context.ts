import { loadConfig, resolveDbPath } from '../config/load.js';
import type { Config } from '../config/schema.js';
import type { Edges } from '../edges.js';
import type { Clock } from '../lib/clock.js';
import { openDriverToRead, openStoreAt, type StoreAccess } from '../store/open.js';
import { isPostgresUrl } from '../lib/db-location.js';
import { sqliteReads, type StoreReads } from '../store/read/index.js';
import type { SqlDriver } from '../store/types.js';
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

/** Loads the config named by `--config` (or ./tokometer.yaml, or defaults). */
export function configFor(ctx: Pick<CliContext, 'env' | 'cwd'>, configPath: string | undefined): Config {
  return loadConfig({ path: configPath, env: ctx.env, cwd: ctx.cwd }).config;
}

/** The database path for a command: --db, else $TOKOMETER_DB, else config `db`, else ./tokometer.db. */
export function dbPathFor(ctx: Pick<CliContext, 'env' | 'cwd'>, config: Config, dbFlag: string | undefined): string {
  return resolveDbPath({ flag: dbFlag, env: ctx.env, config, cwd: ctx.cwd });
}

/**
 * Opens the store of a command: `read` for commands that only read (exit 2 naming the
 * path when the database is missing; nothing is created), `create` for commands that
 * write (the file is created when missing). See store/open.ts.
 */
export async function openStoreFor(ctx: Pick<CliContext, 'edges'>, dbPath: string, access: StoreAccess): Promise<Store> {
  return openStoreAt(dbPath, access, () => ctx.edges.openDriver());
}

/**
 * The read-only connection the report engine's queries run on (report, prices unpriced,
 * the TUI's figures), with the same checks as `openStoreFor(…, 'read')`; until reports
 * read through the store (issue #15: `store.reports`).
 */
export async function openReader(ctx: Pick<CliContext, 'edges'>, dbPath: string): Promise<SqlDriver> {
  return openDriverToRead(await ctx.edges.openDriver(), dbPath);
}

/**
 * The report engine's reads for `report`, `prices unpriced` and the TUI: on SQLite over a
 * read-only connection (openReader), on PostgreSQL the read-only store's own modules.
 */
export async function openReads(ctx: Pick<CliContext, 'edges'>, dbPath: string): Promise<StoreReads> {
  if (isPostgresUrl(dbPath)) return openStoreFor(ctx, dbPath, 'read');
  return sqliteReads(await openReader(ctx, dbPath));
}
