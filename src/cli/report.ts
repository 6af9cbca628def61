import type { Pricer } from '../pricing/pricer.js';
import { unpricedAdvice } from './unpriced-advice.js';
import type { Command } from 'commander';
import { UsageError } from '../lib/errors.js';
import { renderCsv, renderUnitEconomicsCsv } from '../report/format/csv.js';
import { renderUnitEconomicsTable } from '../report/format/economics-table.js';
import { renderJson } from '../report/format/json.js';
import { emptyMessage, renderTable } from '../report/format/table.js';
import { excludedNotice, prunedNotice, unknownKeyNotices, unknownUsageNotice, unpricedNotice } from '../report/format/text.js';
import { spendReport, validateQuery } from '../report/query.js';
import type { ReportQuery } from '../report/types.js';
import { unitEconomics, type EconomicsConfig } from '../report/unit-economics.js';
import { parseWhere } from '../report/where.js';
import { reportWindow } from '../report/window.js';
import type { Store } from '../store/facade.js';
import { shellWord } from './invocation.js';
import { closingAfter, collect, formatHelp, JSON_FLAG_HELP, parseFormat, wantsColor, withStoreFlags, type ReadOnlyStoreDeps, type StoreCommandFlags } from './store-command.js';

/**
 * `tokometer report`: spend grouped by tags or built-in dimensions, optional comparison
 * with the previous period and unit economics, as a table, JSON or CSV.
 */

/** What the report command needs; config-derived values are thunks so they load only when it runs. */
export interface ReportDeps extends ReadOnlyStoreDeps<Pick<Store, 'reports' | 'close'>> {
  /** IANA zone from the config (`timezone`), e.g. `UTC`. */
  timeZone: (configPath?: string) => string;
  economics: (configPath?: string) => EconomicsConfig;
  /** Standard error: notes that must not end up inside CSV output. */
  err: (text: string) => void;
  /** The prices for `--config`/`--db` (price-book.ts pricerFor), for the unpriced footer's advice; absent: the plain advice. */
  pricer?: (flags: { config?: string; db?: string }) => Pricer | Promise<Pricer>;
}

interface ReportFlags extends StoreCommandFlags {
  by?: string;
  where: string[];
  key?: string;
  top?: string;
  compare?: string;
  unitEconomics?: boolean;
}

const FORMATS = ['table', 'json', 'csv'] as const;

/** Dimension used when --by is not given. */
export const DEFAULT_BY = ['model'];

export function registerReportCommand(program: Command, deps: ReportDeps): void {
  const report = program
    .command('report')
    .description('where the money goes: spend by tag or model, per period, with unit economics')
    .option('--by <dims>', 'one or two comma-separated dimensions: a tag key or model, provider, key, endpoint, outcome, status, day, week, month (default: model)')
    .option('--since <when>', 'start: 30m, 24h, 7d, today, yesterday, this-week, last-week, this-month, last-month, 2026-11-01 or a timestamp (default: 30d)')
    .option('--until <when>', 'end, same forms; a date is inclusive (default: now)')
    .option('--where <k=v>', 'keep calls whose tag or built-in k equals v (k!=v excludes; v may be "(none)"); repeatable: repeats of one key keep any of its values (k!=v repeats: none of them), different keys all apply. Calls the provider did not serve (refused, answered with an error, never sent) count only with a --where outcome=… or status=…', collect, [])
    .option('--key <name>', 'only calls made with this metering key')
    .option('--top <n>', 'show the N most expensive groups and sum the rest as (other)')
    .option('--format <format>', formatHelp(FORMATS))
    .option('--json', JSON_FLAG_HELP)
    .option('--compare <period>', 'add the change against the previous period ("previous"): for a named --since (this-month…) the same span of the period before, else the same length just before. An end after now counts as now')
    .option('--unit-economics', 'add cost per active user, per tier and per tenant, with AI COGS and margins (with --format csv: the per-tier table)');
  withStoreFlags(report, 'database file', (flags: ReportFlags) => runReport(flags, deps));
}

async function runReport(flags: ReportFlags, deps: ReportDeps): Promise<void> {
  const format = parseFormat(flags, FORMATS);
  const timeZone = deps.timeZone(flags.config);
  const { previous, untilAsGiven, soFar, ...range } = reportWindow({ since: flags.since, until: flags.until }, { clock: deps.clock, timeZone });
  if (flags.compare !== undefined && flags.compare !== 'previous') {
    throw new UsageError(`--compare "${flags.compare}" is not supported; use --compare previous.`);
  }
  const query: ReportQuery = {
    ...range,
    by: flags.by === undefined ? DEFAULT_BY : parseBy(flags.by),
    where: flags.where.map((w) => parseWhere(w, '--where')),
    timeZone,
    ...(flags.key !== undefined ? { keyName: flags.key } : {}),
    ...(flags.top !== undefined ? { top: parseTop(flags.top) } : {}),
    ...(flags.compare === 'previous' ? { compare: 'previous' as const, previousWindow: previous } : {}),
    ...(soFar ? { soFar } : {}),
    ...(untilAsGiven !== undefined ? { untilAsGiven } : {}),
  };
  validateQuery(query);
  const economics = flags.unitEconomics ? deps.economics(flags.config) : undefined;

  const { report, ue } = await closingAfter(await deps.openStore(deps.resolveDb(flags.db, flags.config)), async ({ reports: reads }) => {
    const spend = await spendReport(reads, query);
    const scope = { since: query.since, until: query.until, timeZone, where: query.where, keyName: query.keyName };
    return { report: spend, ue: economics ? await unitEconomics(reads, scope, economics) : undefined };
  });

  const advice = deps.pricer === undefined || report.unpriced.length === 0 ? undefined : unpricedAdvice(report.unpriced, await deps.pricer(flags));
  // On stderr whatever the format: the report still prints, and JSON or CSV stays clean.
  for (const line of unknownKeyNotices(report.unknownTagKeys)) deps.err(`note: ${line}\n`);
  const empty = report.total.calls === 0;
  const color = wantsColor(deps);
  if (format === 'json') {
    deps.out(renderJson(report, { ...(ue ? { unitEconomics: ue } : {}), ...(empty ? { message: emptyMessage(report, rerunFlags(flags)) } : {}) }));
  } else if (format === 'csv') {
    deps.out(ue ? renderUnitEconomicsCsv(ue) : renderCsv(report));
    const cutoff = ue ? ue.prunedBefore : (report.prunedBefore ?? null);
    if (cutoff !== null) deps.err(`note: ${prunedNotice(cutoff, timeZone)}\n`);
    // The table's footers: what spend leaves out (unit economics sums the same known costs).
    for (const note of [unpricedNotice(report.unpriced, advice), unknownUsageNotice(report.total), excludedNotice(report.excluded)]) {
      if (note) deps.err(`note: ${note}\n`);
    }
  } else {
    deps.out(renderTable(report, { color, rerun: rerunFlags(flags), ...(advice ? { unpricedAdvice: advice } : {}) }));
    if (ue && !empty) deps.out('\n' + renderUnitEconomicsTable(ue, { color, soFar, ...(untilAsGiven !== undefined ? { untilAsGiven } : {}) }));
  }
}

/** The options a suggested `tokometer report` keeps so it reads the same database and window: --db, --config, --since, --until, shell-quoted. */
function rerunFlags(flags: ReportFlags): string {
  const given: Array<[string, string | undefined]> = [['--db', flags.db], ['--config', flags.config], ['--since', flags.since], ['--until', flags.until]];
  return given.flatMap(([name, value]) => (value === undefined ? [] : [name, shellWord(value)])).join(' ');
}

/** `feature,user_tier` → ['feature', 'user_tier']; dimension names are checked by validateQuery. */
export function parseBy(raw: string): string[] {
  const dims = raw.split(',').map((d) => d.trim());
  if (dims.length === 0 || dims.some((d) => d === '')) {
    throw new UsageError(`--by "${raw}" needs one or two comma-separated dimensions, e.g. --by feature or --by feature,user_tier.`);
  }
  return dims;
}

function parseTop(raw: string): number {
  if (!/^\d+$/.test(raw.trim()) || Number(raw) < 1) throw new UsageError(`--top "${raw}" must be a whole number ≥ 1.`);
  return Number(raw);
}
