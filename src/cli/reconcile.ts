import type { Command } from 'commander';
import type { Config } from '../config/schema.js';
import type { Clock } from '../lib/clock.js';
import { ExitStatus, UsageError } from '../lib/errors.js';
import { usdToNano } from '../lib/money.js';
import { createPricer } from '../pricing/pricer.js';
import { catalogPricesByProvider } from '../config/catalog-prices.js';
import { builtinProvider } from '../providers/builtins.js';
import { resolveSharedAdminTarget, type AdminFamily, type AdminProvider } from '../reconcile/admin-key.js';
import { isDifference } from '../reconcile/build.js';
import { renderReconcileCsv } from '../reconcile/format/csv.js';
import { renderReconcileJson } from '../reconcile/format/json.js';
import { renderReconcileTable } from '../reconcile/format/table.js';
import type { AdminHttpOptions } from '../reconcile/http.js';
import { DAY_MS, reconcile, recordRun } from '../reconcile/run.js';
import { DEFAULT_TOLERANCE, type ReconcileBy, type Tolerance } from '../reconcile/types.js';
import { parseTimeRange } from '../report/time-range.js';
import type { ReconcileStore } from '../store/reconcile-store.js';
import { configFor, dbPathToReadFor, openStoreFor, type CliContext } from './context.js';
import { closingAfter, formatHelp, JSON_FLAG_HELP, parseFormat, wantsColor, withStoreFlags, type StoreCommandFlags, type TerminalOutput } from './store-command.js';

/**
 * `tokometer reconcile --provider openai|anthropic`: the meter against the provider's own
 * usage and cost reports, per UTC day × model. Several `--provider` names (repeated or a
 * comma list) billed to one organization are compared together with its one report. Exit 0 when every row is within the
 * tolerance, 3 when any differs beyond it, 2 for bad usage or a missing or rejected admin
 * key, 1 when the admin API fails. Never creates a database; records each run's outcome
 * in an existing one (for `audit`).
 */

/** What the command needs (habit 7). */
export interface ReconcileDeps extends TerminalOutput {
  /** The config with the admin keys of `providers` resolved (and no other secret). */
  config: (configPath: string | undefined, providers: readonly string[]) => Config;
  /** --db, else $TOKOMETER_DB, else the config's db, else ./tokometer.db. */
  resolveDbPath: (dbFlag: string | undefined, config: Config) => string;
  /** Opens an existing database read-write (migrating it); `close` releases it. */
  openStore: (dbPath: string) => Promise<ReconcileStore & { close(): Promise<void> }>;
  clock: Clock;
  err: (text: string) => void;
  /** Admin API time limits (tests shorten them). */
  http?: AdminHttpOptions;
}

interface ReconcileFlags extends StoreCommandFlags {
  /** Every `--provider` value, comma lists split (collectProviders). */
  provider: string[];
  by: string;
  tolerance?: string;
}

const FORMATS = ['table', 'json', 'csv'] as const;

export function registerReconcileCommand(program: Command, ctx: CliContext): void {
  registerReconcile(program, {
    config: (configPath, providers) => configFor(ctx, configPath, { adminKeysOf: providers }),
    resolveDbPath: (dbFlag, config) => dbPathToReadFor(ctx, config, dbFlag),
    openStore: async (dbPath) => {
      // It must exist (a missing file or PostgreSQL database is exit 2, named without a password): reconcile stores one outcome row per run.
      const store = await openStoreFor(ctx, dbPath, 'write');
      return { ...store.reconcile, close: () => store.close() };
    },
    clock: ctx.clock,
    env: ctx.env,
    out: ctx.out,
    err: ctx.err,
    isTTY: ctx.isTTY,
  });
}

export function registerReconcile(program: Command, deps: ReconcileDeps): void {
  const reconcileCommand = program
    .command('reconcile')
    .description("check the meter against the provider's own usage and cost reports, per UTC day and model")
    .requiredOption('--provider <name>', 'openai or anthropic (or a configured provider of that kind); several (repeated or a comma list) when they bill one organization', collectProviders)
    .option('--since <when>', 'start: 30d, this-month, 2026-11-01 … widened to whole UTC days (default: 30d)')
    .option('--until <when>', "end, same forms; a date is inclusive (default: the end of yesterday, UTC: providers' reports lag for the current day; --until now includes it)")
    .option('--by <dims>', 'day, model or day,model', 'day,model')
    .option('--tolerance <t>', 'differences within both count as matching: a percentage and/or USD, e.g. 1%,0.05 (default: 0.5%,0.01)')
    .option('--format <format>', formatHelp(FORMATS))
    .option('--json', JSON_FLAG_HELP);
  withStoreFlags(reconcileCommand, 'database file (must exist)', (flags: ReconcileFlags) => runReconcile(flags, deps));
}

async function runReconcile(flags: ReconcileFlags, deps: ReconcileDeps): Promise<void> {
  const format = parseFormat(flags, FORMATS);
  const by = parseBy(flags.by);
  const tolerance = parseTolerance(flags.tolerance);
  const range = completeDays(parseTimeRange({ since: flags.since, until: flags.until }, { clock: deps.clock, timeZone: 'UTC' }), flags.until, deps.clock());
  const providers = [...new Set(flags.provider)];
  const config = deps.config(flags.config, providers);
  const target = resolveSharedAdminTarget(providers.map((name) => adminProvider(config, name)), deps.env);
  const dbPath = deps.resolveDbPath(flags.db, config);
  const report = await closingAfter(await deps.openStore(dbPath), async (store) => {
    const now = deps.clock();
    const run = await reconcile({ store, target, providers, range, by, tolerance, pricer: createPricer(config.prices, { catalogPrices: catalogPricesByProvider(config.providers) }), now, ...(deps.http ? { http: deps.http } : {}) });
    try {
      await recordRun(store, run, now);
    } catch (error) {
      deps.err(`tokometer: note: this run's outcome was not recorded for audit: ${(error as Error).message}\n`);
    }
    return run;
  });

  const color = wantsColor(deps);
  if (format === 'json') deps.out(renderReconcileJson(report));
  else if (format === 'csv') {
    deps.out(renderReconcileCsv(report));
    for (const n of report.notes) deps.err(`note: ${n}\n`);
  } else deps.out(renderReconcileTable(report, { color }));
  if (report.rows.some(isDifference)) throw new ExitStatus(3);
}

/**
 * Without `--until`, the window ends where the current UTC day starts: the providers'
 * reports lag behind the meter for the day in progress, and a run from cron should not
 * fail on that. A window that would then be empty (`--since today`) keeps its end.
 */
function completeDays(range: { since: number; until: number }, untilFlag: string | undefined, now: number): { since: number; until: number } {
  if (untilFlag !== undefined) return range;
  const today = now - (now % DAY_MS);
  return range.since < today ? { since: range.since, until: Math.min(range.until, today) } : range;
}

/**
 * What the config says about `--provider NAME`, as plain values. The admin API family is
 * the built-in openai or anthropic provider's, or a configured `kind: openai` /
 * `kind: anthropic`; other vendors speaking the openai family (groq, `openai-compatible`)
 * have no such API.
 */
function adminProvider(config: Config, name: string): AdminProvider {
  const pc = Object.hasOwn(config.providers, name) ? config.providers[name] : undefined;
  const builtin = builtinProvider(name);
  const word = pc?.kind ?? (builtin && builtin.family === name ? builtin.family : undefined);
  const family: AdminFamily | null = word === 'openai' || word === 'anthropic' ? word : null;
  return { provider: name, known: pc !== undefined || builtin !== undefined, family, baseUrl: pc?.base_url ?? builtin?.baseUrl, configuredKey: pc?.admin_key };
}

/** `--provider a --provider b,c` → [a, b, c]: repeated and comma-listed names add up. */
function collectProviders(value: string, previous: string[] | undefined): string[] {
  const names = value.split(',').map((n) => n.trim());
  if (names.some((n) => n === '')) throw new UsageError(`--provider "${value}" names an empty provider; give names separated by commas, e.g. openai,openai-batch.`);
  return [...(previous ?? []), ...names];
}

function parseBy(raw: string): ReconcileBy {
  const dims = raw.split(',').map((d) => d.trim());
  const set = new Set(dims);
  if (dims.length === set.size && [...set].every((d) => d === 'day' || d === 'model')) {
    if (set.size === 2) return 'day,model';
    if (set.size === 1) return dims[0] as ReconcileBy;
  }
  throw new UsageError(`--by "${raw}" is not supported; use day, model or day,model.`);
}

/** `1%`, `0.05`, `$0.05`, `1%,0.05`: a percentage and/or a USD amount; what is not given keeps its default. */
export function parseTolerance(raw: string | undefined): Tolerance {
  if (raw === undefined) return DEFAULT_TOLERANCE;
  const t = { ...DEFAULT_TOLERANCE };
  const seen = new Set<string>();
  const bad = () => new UsageError(`--tolerance "${raw}" must be a percentage and/or a USD amount, e.g. 1%, 0.05 or 1%,0.05.`);
  for (const part of raw.split(',').map((s) => s.trim())) {
    const pct = /^(\d+(?:\.\d+)?)%$/.exec(part);
    const usd = /^\$?(\d+(?:\.\d+)?)$/.exec(part);
    const kind = pct ? 'percent' : usd ? 'usd' : null;
    if (kind === null || seen.has(kind)) throw bad();
    seen.add(kind);
    if (pct) t.percent = Number(pct[1]);
    else t.usdNano = usdToNano(Number(usd![1]));
  }
  return t;
}
