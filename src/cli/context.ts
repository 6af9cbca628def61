import { loadConfig, resolveDbPath } from '../config/load.js';
import type { Config } from '../config/schema.js';
import type { Edges } from '../edges.js';
import type { Clock } from '../lib/clock.js';
import { createStore } from '../store/sqlite-store.js';
import type { SqlDriver, Store } from '../store/types.js';

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

/** Opens the store read-write (migrating it when needed). */
export async function openStore(ctx: Pick<CliContext, 'edges'>, dbPath: string): Promise<Store> {
  const open = await ctx.edges.openDriver();
  return createStore(open(dbPath));
}

/** Opens the database read-only for reports; migrates first when the file is new or old. */
export async function openReader(ctx: Pick<CliContext, 'edges'>, dbPath: string): Promise<SqlDriver> {
  const open = await ctx.edges.openDriver();
  // Run migrations once with a writable connection so reports work on an empty or older file.
  createStore(open(dbPath)).close();
  return open(dbPath, { readonly: true });
}
