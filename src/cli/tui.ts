import type { Command } from 'commander';
import { keyBudgetFromConfig, tagBudgetFromConfig } from '../config/budgets.js';
import type { Config } from '../config/schema.js';
import { describeDbLocation } from '../lib/db-location.js';
import { UsageError } from '../lib/errors.js';
import { parseTimeRange } from '../report/time-range.js';
import type { KeyBudget } from '../store/types.js';
import { createDbSource } from '../tui/data/db-source.js';
import { createUrlSource } from '../tui/data/url-source.js';
import type { DashboardSource } from '../tui/types.js';
import { configFor, dbToReadFor, openStoreFor, type CliContext } from './context.js';
import { configDriftNote } from './serve-config-record.js';
import { declaredFingerprint } from '../config/drift.js';

/**
 * `tokometer tui`: the live dashboard, over the database (read-only, beside `serve`) or a
 * running server's admin API (`--url` and the admin token). Needs an interactive
 * terminal; anything else is bad usage (exit 2) with a pointer to `report`. Ink and React
 * load only when the dashboard starts, so other commands never pay for them.
 */
interface TuiFlags {
  db?: string;
  config?: string;
  since: string;
  url?: string;
  token?: string;
}

/** The terminal streams the dashboard draws on and reads keys from. */
export interface TuiIo {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
}

export function registerTuiCommand(program: Command, ctx: CliContext, io: TuiIo = { stdin: process.stdin, stdout: process.stdout }): void {
  program
    .command('tui')
    .description('live terminal dashboard: spend by tag, budgets, daily trend, live tail of calls')
    .option('--db <path>', 'database file (read-only; default $TOKOMETER_DB, the config db, ./tokometer.db)')
    .option('--config <file>', 'config file (time zone, tag budgets, admin token)')
    .option('--since <when>', 'first period: 30m, 24h, 7d, 30d, this-month, a date … (keys 1/7/3/m change it)', '30d')
    .option('--url <url>', 'read a running server through its admin API instead of the database, e.g. http://127.0.0.1:8787')
    .option('--token <token>', 'admin token for --url (default: config admin.token or $TOKOMETER_ADMIN_TOKEN)')
    .action(async (flags: TuiFlags) => {
      // Only --url sends a secret: the admin token, unless --token gives it.
      const config = configFor(ctx, flags.config, { adminToken: flags.url !== undefined && flags.token === undefined });
      parseTimeRange({ since: flags.since }, { clock: ctx.clock, timeZone: config.timezone });
      if (!io.stdin.isTTY || !io.stdout.isTTY) {
        throw new UsageError(
          'tui needs an interactive terminal (stdin and stdout must both be a TTY). For scripts and pipes use `tokometer report` (e.g. --format json).',
        );
      }
      const source = flags.url !== undefined ? urlSource(ctx, config, flags.url, flags.token) : await dbSource(ctx, config, flags);
      const color = colorEnabled(ctx.env);
      // Ink draws only a final frame when CI is set (is-in-ci reads it as Ink loads); both
      // ends are a terminal here (checked above), so this is an interactive session.
      delete process.env.CI;
      delete process.env.CONTINUOUS_INTEGRATION;
      // React's production build unless the user chose another: its development build
      // spends ~12 % more CPU per key and ~20 MB more memory (bench/README.md, "The TUI").
      // React reads this as it loads, on Node; the binary is built with it (`--production`).
      process.env.NODE_ENV ??= 'production';
      const { runTui } = await import('../tui/run.js');
      await runTui({ source, since: flags.since, color, stdin: io.stdin, stdout: io.stdout });
    });
}

/** Colour unless NO_COLOR is set to something (no-color.org) or the terminal is `dumb`. */
export function colorEnabled(env: Readonly<Record<string, string | undefined>>): boolean {
  return !(env.NO_COLOR !== undefined && env.NO_COLOR !== '') && env.TERM !== 'dumb';
}

async function dbSource(ctx: CliContext, config: Config, flags: TuiFlags): Promise<DashboardSource> {
  // A missing database is refused as report refuses it: 'no database at …', exit 2, naming --db or $TOKOMETER_DB.
  const { path: dbPath, namedBy } = dbToReadFor(ctx, config, flags.db);
  const store = await openStoreFor(ctx, dbPath, 'read', namedBy);
  const configKeyBudgets = new Map<string, KeyBudget>();
  for (const [name, key] of Object.entries(config.keys)) if (key.budget) configKeyBudgets.set(name, keyBudgetFromConfig(key.budget));
  return createDbSource({
    store,
    // Drawn in the header: a PostgreSQL URL without its password, as every other command writes it.
    label: describeDbLocation(dbPath, ctx.env),
    clock: ctx.clock,
    timeZone: config.timezone,
    configKeyBudgets,
    tagBudgets: config.budgets.map(tagBudgetFromConfig),
    configDrift: () => configDriftNote(dbPath, store.meta, declaredFingerprint(config)),
  });
}

function urlSource(ctx: CliContext, config: Config, url: string, tokenFlag: string | undefined): DashboardSource {
  const token = tokenFlag ?? config.admin.token;
  if (!token) throw new UsageError('--url needs the admin token: pass --token, set TOKOMETER_ADMIN_TOKEN, or admin.token in the config.');
  if (!/^https?:\/\//.test(url)) throw new UsageError(`--url "${url}" must start with http:// or https://.`);
  return createUrlSource({ url, token, clock: ctx.clock, timeZone: config.timezone, tagKeys: configTagKeys(config) });
}

/** Tag keys offered in --url mode, which cannot list the tags seen: the product's usual ones. */
const USUAL_TAG_KEYS = ['feature', 'user_tier', 'tenant_id'];

/** Tag keys the config mentions (key tags, tag budgets' match and per), plus the usual ones: what --url mode can group by. */
export function configTagKeys(config: Config): string[] {
  const keys = new Set<string>(USUAL_TAG_KEYS);
  for (const k of Object.values(config.keys)) for (const t of Object.keys(k.tags ?? {})) keys.add(t);
  for (const b of config.budgets) {
    for (const t of Object.keys(b.match)) keys.add(t);
    if (b.per) keys.add(b.per);
  }
  return [...keys];
}
