import path from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_CONFIG_FILE, loadConfig, resolveDbPath } from '../config/load.js';
import { checkDemoConfigWritable, demoConfigPath, writeDemoConfig } from '../demo/config-file.js';
import { prepareDemoDb, preparePostgresDemoDb } from '../demo/db-guard.js';
import { createProgress } from '../demo/progress.js';
import { describeRecorded } from '../demo/recorded.js';
import { runDemo, type DemoRunResult } from '../demo/run.js';
import { UsageError } from '../lib/errors.js';
import { createLogger, type Logger } from '../proxy/log.js';
import { renderTable } from '../report/format/table.js';
import { formatInt } from '../report/format/text.js';
import { spendReport } from '../report/query.js';
import { parseTimeRange } from '../report/time-range.js';
import { describeDbLocation, isPostgresUrl } from '../lib/db-location.js';
import { openStoreFor, type CliContext } from './context.js';
import { DEFAULT_INVOCATION, shellWord, shownPath } from './invocation.js';
import { closingAfter, wantsColor } from './store-command.js';

/**
 * `tokometer demo`: a simulated month of LLM traffic driven through the real proxy into
 * a database of its own (never the user's), then the by-feature report and the
 * commands to try next. See src/demo/ for the simulation and the database rules.
 */

/** Calls simulated by default: about ten seconds on two cores, enough for every report and audit pattern. */
export const DEFAULT_DEMO_CALLS = 4000;
export const DEFAULT_DEMO_DB = 'tokometer-demo.db';
const DEFAULT_SEED = 42;
const DEFAULT_CONCURRENCY = 16;
const MAX_CALLS = 1_000_000;

interface DemoFlags {
  db: string;
  calls: string;
  seed: string;
  concurrency: string;
}

export function registerDemoCommand(program: Command, ctx: CliContext): void {
  program
    .command('demo')
    .description('drive a simulated month of multi-feature, multi-tenant LLM traffic through the real proxy into a demo database, then report it')
    .option('--db <path>', 'demo database; a previous demo database there is replaced, any other data is refused', DEFAULT_DEMO_DB)
    .option('--calls <n>', 'calls to simulate', String(DEFAULT_DEMO_CALLS))
    .option('--seed <n>', 'random seed; the same seed gives the same month of calls', String(DEFAULT_SEED))
    .option('--concurrency <n>', 'user sessions driven at the same time', String(DEFAULT_CONCURRENCY))
    .action(async function (this: Command, flags: DemoFlags) {
      const available = new Set((this.parent?.commands ?? []).map((c) => c.name()));
      await demo(flags, ctx, available);
    });
}

async function demo(flags: DemoFlags, ctx: CliContext, commands: ReadonlySet<string>): Promise<void> {
  const calls = wholeNumber('--calls', flags.calls, 1, MAX_CALLS);
  const seed = wholeNumber('--seed', flags.seed, 0, 2 ** 31 - 1);
  const concurrency = wholeNumber('--concurrency', flags.concurrency, 1, 256);
  const postgres = isPostgresUrl(flags.db);
  const dbPath = postgres ? flags.db : path.resolve(ctx.cwd, flags.db);
  const configPath = postgres ? path.resolve(ctx.cwd, demoConfigPath(DEFAULT_DEMO_DB)) : demoConfigPath(dbPath);
  // A URL is never echoed with its password: the commands shown read it from the demo's config.
  const shownDb = postgres ? describeDbLocation(dbPath) : shown(ctx.cwd, dbPath);
  const shownConfig = shown(ctx.cwd, configPath);
  if (configPath === path.resolve(ctx.cwd, DEFAULT_CONFIG_FILE)) {
    throw new UsageError(`the demo writes its config next to the database as ${shownConfig}, which every tokometer command here would then read by default; choose another --db name (default ./tokometer-demo.db).`);
  }
  checkDemoConfigWritable(configPath, shownConfig);
  const state = postgres ? await preparePostgresDemoDb(dbPath, userDbPath(ctx), shownDb) : await prepareDemoDb(ctx.edges.openDriver, dbPath, userDbPath(ctx), shownDb);

  ctx.out(`tokometer demo: ${formatInt(calls)} simulated calls over the last 30 days, through the real proxy (seed ${seed}), into ${shownDb}${state === 'replaced' ? ' (replacing the previous demo database)' : ''}\n`);
  const result = await runDemo({
    edges: ctx.edges,
    dbPath,
    calls,
    seed,
    concurrency,
    now: ctx.clock(),
    progress: (total, windowStart, windowEnd) => createProgress({ write: ctx.err, tty: ctx.isTTY, total, windowStart, windowEnd }),
    log: errorsOnly(createLogger(ctx.err)),
  });
  writeDemoConfig(configPath, dbPath, result.population);

  ctx.out('\n' + summary(result) + '\n\n');
  const timeZone = 'UTC';
  const range = parseTimeRange({}, { clock: ctx.clock, timeZone });
  await closingAfter(await openStoreFor(ctx, dbPath, 'read'), async (store) => {
    const report = await spendReport(store.reports, { ...range, by: ['feature'], where: [], timeZone });
    ctx.out(renderTable(report, { color: wantsColor(ctx) }));
  });
  ctx.out('\n' + nextSteps(ctx.invokedAs ?? DEFAULT_INVOCATION, postgres ? `--config ${shownConfig}` : `--db ${shownDb}`, shownConfig, commands));
}

/** What the run recorded (counted from its records, not the plan), and any substituted provider. */
function summary(r: DemoRunResult): string {
  const lines = [
    `${describeRecorded(r.recorded)}, in ${(r.elapsedMs / 1000).toFixed(1)} s.`,
    ...r.substitutions.map((s) => `Note: ${s}.`),
  ];
  return lines.join('\n');
}

/** The follow-up commands, started the way this demo was (`program`), limited to the commands this build has. */
function nextSteps(program: string, dbArgs: string, config: string, commands: ReadonlySet<string>): string {
  const steps: Array<[string, string]> = [
    [`${program} report ${dbArgs} --by user_tier`, 'spend by free / pro / enterprise users'],
    [`${program} report ${dbArgs} --by feature,user_tier`, 'which tier drives each feature'],
    [`${program} report ${dbArgs}${dbArgs.startsWith('--config') ? '' : ` --config ${config}`} --unit-economics`, 'cost per active user and session, AI COGS per tier ($29 pro, $99 enterprise)'],
    [`${program} report ${dbArgs} --by tenant_id --top 5`, 'the most expensive tenants'],
    [`${program} report ${dbArgs} --by provider`, 'spend per provider'],
    [`${program} report ${dbArgs} --by day`, 'the month day by day'],
  ];
  if (commands.has('tui')) steps.push([`${program} tui ${dbArgs}`, 'the live dashboard']);
  // The demo's month costs ~$15, so its savings sit below audit's default $1/month floor.
  if (commands.has('audit')) steps.push([`${program} audit ${dbArgs}`, 'ranked savings: model downgrade, oversized prompts, caching, free tier']);
  const width = Math.max(...steps.map(([cmd]) => cmd.length));
  return `Try next:\n${steps.map(([cmd, what]) => `  ${cmd.padEnd(width)}   ${what}`).join('\n')}\n`;
}

/** The user's own database here ($TOKOMETER_DB, the config's db, ./tokometer.db), which the demo never fills. */
function userDbPath(ctx: CliContext): string {
  let config;
  try {
    config = loadConfig({ env: ctx.env, cwd: ctx.cwd, secrets: {} }).config;
  } catch {
    config = undefined;
  }
  return resolveDbPath({ env: ctx.env, config, cwd: ctx.cwd });
}

/** A path as the user should type it: relative to the working directory when inside it, quoted when needed. */
function shown(cwd: string, file: string): string {
  return shellWord(shownPath(cwd, file, false));
}

function wholeNumber(flag: string, raw: string, min: number, max: number): number {
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || value < min || value > max) throw new UsageError(`${flag} expects a whole number from ${formatInt(min)} to ${formatInt(max)}, got '${raw}'`);
  return value;
}

/** The demo's budgets alert as they would in production; only real errors reach the terminal. */
function errorsOnly(log: Logger): Logger {
  return { info: () => {}, warn: () => {}, error: log.error };
}
