import type { Command } from 'commander';
import { renderAuditJson } from '../audit/format/json.js';
import { renderAuditMarkdown } from '../audit/format/markdown.js';
import { renderAuditTable } from '../audit/format/table.js';
import { DEFAULT_MIN_SAVING_PER_MONTH_NANO, runAudit } from '../audit/runner.js';
import type { KeyBudgetRef } from '../audit/types.js';
import { tagBudgetFromConfig } from '../config/budgets.js';
import type { Config } from '../config/schema.js';
import { UsageError } from '../lib/errors.js';
import { usdToNano } from '../lib/money.js';
import { createPricer } from '../pricing/pricer.js';
import { catalogPricesByProvider } from '../config/catalog-prices.js';
import { keyDeclarations } from '../config/keys.js';
import { declarationOf, effectiveKeys } from '../keys/effective.js';
import { newestSnapshot } from './catalog-source.js';
import { parseTimeRange, untilDateAsGiven } from '../report/time-range.js';
import type { Store } from '../store/facade.js';
import { configFor, dbToReadFor, openStoreFor, type CliContext } from './context.js';
import { parseWhere } from '../report/where.js';
import { closingAfter, collect, formatHelp, JSON_FLAG_HELP, parseFormat, wantsColor, withStoreFlags, type ReadOnlyStoreDeps, type StoreCommandFlags } from './store-command.js';

/**
 * `tokometer audit`: runs every cost detector over a window of stored calls and prints
 * ranked, priced findings as a table, JSON or Markdown.
 */

/** The config sections the audit reads. */
export type AuditConfig = Pick<Config, 'timezone' | 'prices' | 'providers' | 'keys' | 'budgets'>;

/** What the audit command needs (habit 7: narrow dependencies). */
export interface AuditDeps extends ReadOnlyStoreDeps<Store> {
  config: (configPath?: string) => AuditConfig;
}

interface AuditFlags extends StoreCommandFlags {
  where: string[];
  batchTag: string[];
  minSaving?: string;
}

const FORMATS = ['table', 'json', 'md'] as const;

/** Registers `audit` with dependencies built from the CLI context. */
export function registerAuditCommand(program: Command, ctx: CliContext): void {
  registerAudit(program, {
    openStore: (db) => openStoreFor(ctx, db.path, 'read', db.namedBy),
    resolveDb: (dbFlag, configPath) => dbToReadFor(ctx, configFor(ctx, configPath), dbFlag),
    clock: ctx.clock,
    config: (configPath) => configFor(ctx, configPath),
    out: ctx.out,
    isTTY: ctx.isTTY,
    env: ctx.env,
  });
}

export function registerAudit(program: Command, deps: AuditDeps): void {
  const audit = program
    .command('audit')
    .description('name the expensive patterns in your LLM traffic and what fixing each would save per month')
    .option('--since <when>', 'start: 30m, 24h, 7d, this-month, last-month, 2026-11-01 or a timestamp (default: 30d)')
    .option('--until <when>', 'end, same forms; a date is inclusive (default: now)')
    .option('--where <k=v>', 'only calls whose tag or built-in (model, provider, key, endpoint) k equals v (k!=v excludes); repeatable', collect, [])
    .option('--batch-tag <k=v>', 'traffic that can wait for a batch API (e.g. feature=summarizer); repeatable, all must match', collect, [])
    .option('--min-saving <usd>', `leave out savings under this many USD per month (default: 0.5% of the monthly spend, between $0.01 and $${DEFAULT_MIN_SAVING_PER_MONTH_NANO / 1e9})`)
    .option('--format <format>', formatHelp(FORMATS))
    .option('--json', JSON_FLAG_HELP);
  withStoreFlags(audit, 'database file', (flags: AuditFlags) => runAuditCommand(flags, deps));
}

async function runAuditCommand(flags: AuditFlags, deps: AuditDeps): Promise<void> {
  const format = parseFormat(flags, FORMATS);
  const config = deps.config(flags.config);
  const timeZone = config.timezone;
  const range = parseTimeRange({ since: flags.since, until: flags.until }, { clock: deps.clock, timeZone });
  const untilAsGiven = untilDateAsGiven(flags.until);
  const where = flags.where.map((w) => parseWhere(w, '--where'));
  const batchTags = flags.batchTag.map((w) => parseWhere(w, '--batch-tag'));
  const minSaving = flags.minSaving === undefined ? undefined : parseUsd(flags.minSaving);

  const report = await closingAfter(await deps.openStore(deps.resolveDb(flags.db, flags.config)), async (store) => {
    const reconcileRuns = await store.reconcile.latestRuns();
    // The newest stored catalog snapshot prices the audit's what-ifs too (an unreadable one: the pinned catalog).
    const snapshot = await newestSnapshot(store.prices).catch(() => null);
    return runAudit({
      store,
      pricer: createPricer(config.prices, { snapshot, catalogPrices: catalogPricesByProvider(config.providers) }),
      ...range,
      ...(untilAsGiven !== undefined ? { untilAsGiven } : {}),
      now: deps.clock(),
      timeZone,
      where,
      keyBudgets: await keyBudgets(store, config),
      tagBudgets: config.budgets.map(tagBudgetFromConfig),
      batchTags,
      minSavingPerMonthNano: minSaving,
      reconcileRuns,
    });
  });

  if (format === 'json') deps.out(renderAuditJson(report));
  else if (format === 'md') deps.out(renderAuditMarkdown(report));
  else deps.out(renderAuditTable(report, { color: wantsColor(deps) }));
}

/** Active keys with a budget, as the proxy enforces them (keys/effective.ts: a key's YAML budget wins). */
async function keyBudgets(store: Store, config: AuditConfig): Promise<KeyBudgetRef[]> {
  const out: KeyBudgetRef[] = [];
  const declared = keyDeclarations(config.keys);
  for (const key of effectiveKeys(await store.keys.list(), declared)) {
    if (key.budget) out.push({ name: key.name, budget: key.budget, fromConfig: declarationOf(declared, key.name)?.budget !== undefined });
  }
  return out;
}

function parseUsd(raw: string): number {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n < 0) throw new UsageError(`--min-saving "${raw}" must be an amount in USD ≥ 0, e.g. 5 or 0.5.`);
  return usdToNano(n);
}
