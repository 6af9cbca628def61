import path from 'node:path';
import type { Command } from 'commander';
import { type LoadedConfig, readConfig, resolveDbPath } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { describeDbLocation } from '../lib/db-location.js';
import { configWarnings } from '../config/warnings.js';
import { ConfigError } from '../lib/errors.js';
import { secretEnvProblem } from '../keys/effective.js';
import { formatUsd, usdToNano } from '../lib/money.js';
import { MIN_RETENTION_DAYS_WITH_BUDGETS } from '../proxy/retention.js';
import type { TlsMaterial } from '../server/tls.js';
import { telemetryOffReason, type SignalTarget, type TelemetrySettings } from '../telemetry/settings.js';
import { withoutCredentials } from '../lib/url-credentials.js';
import { familyOfWord } from '../config/providers.js';
import { catalogPricesLines } from '../config/catalog-prices.js';
import { familyOf } from '../providers/builtins.js';
import { forwardsWithoutKey } from '../providers/registry.js';
import type { CliContext } from './context.js';
import { serveProblems } from './config-serve-problems.js';

/** What `tokometer config` needs: where it runs, the environment, and where to print. */
export type ConfigCommandDeps = Pick<CliContext, 'cwd' | 'env' | 'out' | 'err'>;

/**
 * `tokometer config check [--config FILE]`: validates the config and prints a summary
 * that never contains a secret (provider keys, admin token, webhook URL). A bad config
 * throws one ConfigError (main maps it to exit code 2) listing every problem found in one
 * run, each at the file and line of its field, in file order: the schema's and the checks
 * across fields (config/load.ts readConfig), and what serve could not use, checked as serve
 * checks it (cli/config-serve-problems.ts: a SQLite `db` it could not create, a
 * `store.spill_path` it could not make or write, `tls` files, then OpenTelemetry settings,
 * which have no line); the warnings follow. Declared keys whose `secret_env` serve cannot
 * use, `prices:` entries for a family's own provider that do not price a custom provider of
 * its kind, and `prices:` entries whose model looks like a typo of a catalog model
 * (config/price-provider-warnings.ts priceConfigWarnings), custom providers named like a
 * built-in one and alert fractions a hard budget never reaches (config/warnings.ts
 * configWarnings, which serve logs at start too) are warned about on `err` (exit 0 when
 * nothing else is wrong).
 */
export function registerConfigCommand(program: Command, deps: ConfigCommandDeps): void {
  const config = program.command('config').description('inspect the config file');
  config
    .command('check')
    .description('validate the config (./tokometer.yaml or --config) and summarize it')
    .option('--config <file>', 'config file (default: ./tokometer.yaml when present)')
    .action((_flags: unknown, cmd: Command) => {
      // optsWithGlobals: main may also declare --config on the program itself.
      const flags = cmd.optsWithGlobals<{ config?: string }>();
      const reading = readConfig({ path: flags.config, env: deps.env, cwd: deps.cwd });
      const loaded = reading.loaded;
      const serve = loaded === null ? null : serveProblems(loaded.config, deps.env, deps.cwd);
      const warnings = loaded === null ? [] : [...unusableSecretEnvs(loaded.config, deps.env), ...configWarnings(loaded.config)];
      const problems = [...reading.problems, ...(serve?.problems ?? [])];
      if (problems.length > 0 || serve === null || serve.unplaced.length > 0) {
        // Every problem of the file in one run, then what it would warn about: nothing waits for the next run.
        const lines = [...(problems.length > 0 ? [reading.format(problems)] : []), ...(serve?.unplaced ?? []), ...warnings.map((w) => `warning: ${w}`)];
        throw new ConfigError(lines.join('\n'));
      }
      deps.out(describeConfig(loaded!, deps, serve.tls, serve.telemetry, warnings.length));
      for (const w of warnings) deps.err(`warning: ${w}\n`);
    });
}

/**
 * One warning per declared key whose `secret_env` variable is unset or not a metering key
 * (mk_ + 32 characters), in the words serve logs for it (keys/effective.ts secretEnvProblem), and
 * what follows: serve starts anyway and applies the declaration only to a key of that name
 * already in the database. Which is the case is in the database, not the config, so the
 * check warns (exit 0) instead of failing a config serve runs with.
 */
function unusableSecretEnvs(config: Config, env: ConfigCommandDeps['env']): string[] {
  return Object.entries(config.keys).flatMap(([name, key]) => {
    const problem = key.secret_env ? secretEnvProblem(name, key.secret_env, env) : null;
    return problem === null ? [] : [`${problem}: serve applies this declaration only to a key named '${name}' already in the database (\`tokometer keys create ${name}\`)`];
  });
}

/**
 * The `config check` report: first line `config OK: <path>` (`config OK with N warnings: <path>`
 * when `warnings` follow on stderr), then one line per section (under providers, also each
 * custom provider's catalog_prices rule: config/catalog-prices.ts catalogPricesLines),
 * each saying what serve will do (a retention below serve's floor shows the floor). `tls`:
 * the certificate read from the config's `tls` files, null without them; `telemetry`: the
 * resolved OpenTelemetry export, null when off.
 */
export function describeConfig(loaded: LoadedConfig, deps: Pick<ConfigCommandDeps, 'cwd' | 'env'>, tls: TlsMaterial | null = null, telemetry: TelemetrySettings | null = null, warnings = 0): string {
  const { config } = loaded;
  const shown = loaded.path === null ? '(defaults, no config file)' : displayPath(loaded.path, deps.cwd);
  const withKey: string[] = [];
  const withoutKey: string[] = [];
  const keyless: string[] = [];
  for (const [name, provider] of Object.entries(config.providers)) {
    const keyFree = forwardsWithoutKey(name, familyOf(name, provider.kind && familyOfWord(provider.kind)), provider.api_key);
    (provider.api_key ? withKey : keyFree ? keyless : withoutKey).push(name);
  }

  const rows: [string, string][] = [
    ['listen', `${config.listen.host}:${config.listen.port}${tls ? ` (https; certificate ${tls.subject}, valid until ${new Date(tls.notAfter).toISOString().slice(0, 10)})` : ''}`],
    ['database', describeDbLocation(resolveDbPath({ env: deps.env, config, cwd: deps.cwd }), deps.env)],
    ['timezone', config.timezone],
    ['providers', `key set: ${list(withKey)}`],
    ['', `key missing: ${list(withoutKey)}`],
    ...(keyless.length > 0 ? [['', `no key: forwarded without Authorization: ${list(keyless)}`] as [string, string]] : []),
    ...catalogPricesLines(config.providers).map((line): [string, string] => ['', line]),
    ['keys', keysLine(config)],
    ['budgets', budgetsLine(config)],
    ['tags', `invalid X-Metering-Tags: ${config.tags.on_invalid}`],
    ['retention', retentionLine(config.retention_days)],
    ['alerts', config.alerts.webhook_url ? 'webhook set' : 'no webhook (log and TUI only)'],
    ['admin API', config.admin.token ? 'enabled (token set)' : 'disabled (no admin.token or TOKOMETER_ADMIN_TOKEN)'],
    ['telemetry', telemetryLine(telemetry, deps.env)],
  ];
  const overrides = Object.keys(config.prices).length;
  if (overrides > 0) rows.push(['prices', `${overrides} override${overrides === 1 ? '' : 's'}: ${list(Object.keys(config.prices))}`]);
  const updates = config.price_updates;
  const every = (ms: number) => (ms % 3_600_000 === 0 ? `${ms / 3_600_000}h` : ms % 60_000 === 0 ? `${ms / 60_000}m` : `${ms / 1000}s`);
  rows.push([
    'catalog',
    `${updates.autoUpdateMs === null ? 'auto update off' : `serve fetches every ${every(updates.autoUpdateMs)} from ${updates.source ?? "the catalog's published URL"}`}; new snapshots checked every ${every(updates.pollIntervalMs)}`,
  ]);
  const width = Math.max(...rows.map(([label]) => label.length));
  const ok = warnings === 0 ? 'config OK' : `config OK with ${warnings} warning${warnings === 1 ? '' : 's'}`;
  return [`${ok}: ${shown}`, ...rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`)].join('\n') + '\n';
}

/** Where serve exports spans and metrics: URLs without their credentials, never the headers. */
function telemetryLine(t: TelemetrySettings | null, env: Readonly<Record<string, string | undefined>>): string {
  if (t === null) return `off (${telemetryOffReason(env)})`;
  const target = (s: SignalTarget | null, extra = '') => (s === null ? 'off' : `to ${withoutCredentials(s.url)} (${s.protocol}${extra})`);
  const every = t.metricIntervalMs % 1000 === 0 ? `${t.metricIntervalMs / 1000} s` : `${t.metricIntervalMs} ms`;
  return `traces ${target(t.traces)}; metrics ${target(t.metrics, `, every ${every}`)}`;
}

/** What serve keeps (proxy/retention.ts raises a shorter `retention_days` to its floor), and why when it differs. */
function retentionLine(days: number | undefined): string {
  if (days === undefined) return 'raw calls kept forever';
  if (days >= MIN_RETENTION_DAYS_WITH_BUDGETS) return `raw calls kept ${days} days`;
  return (
    `raw calls kept ${MIN_RETENTION_DAYS_WITH_BUDGETS} days (retention_days ${days} is raised to the minimum: ` +
    'budgets rebuild the current month\'s spend from raw calls when serve starts)'
  );
}

function keysLine(config: Config): string {
  const entries = Object.entries(config.keys);
  if (entries.length === 0) return 'none declared (keys create adds them to the database)';
  return entries.map(([name, key]) => (key.budget ? `${name} (${money(key.budget.limit_usd)}/${key.budget.period}${key.budget.soft ? ', soft' : ''})` : name)).join(', ');
}

function budgetsLine(config: Config): string {
  if (config.budgets.length === 0) return 'no tag budgets';
  return config.budgets
    .map((b) => `${b.name} (${money(b.limit_usd)}/${b.period}${b.per ? ` per ${b.per}` : ''}${b.soft ? ', soft' : ''})`)
    .join(', ');
}

function money(usd: number): string {
  return formatUsd(usdToNano(usd));
}

function list(names: readonly string[]): string {
  return names.length === 0 ? '(none)' : names.join(', ');
}

function displayPath(file: string, cwd: string): string {
  const rel = path.relative(cwd, file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}
