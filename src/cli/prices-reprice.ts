import type { Command } from 'commander';
import { userInfo, hostname } from 'node:os';
import { UsageError } from '../lib/errors.js';
import { replacePriceNotes } from '../pricing/price-notes.js';
import { CATALOG_SOURCE } from '../pricing/catalog.js';
import { createPricer, type Pricer } from '../pricing/pricer.js';
import { catalogPricesByProvider } from '../config/catalog-prices.js';
import { snapshotSource } from '../pricing/snapshot.js';
import { parseTimeRange } from '../report/time-range.js';
import { costKnown, costLeavesCallsOut } from '../report/known-cost.js';
import { fromSpend, paint, renderGrid, type GridColumn } from '../report/format/text.js';
import type { RepriceModelTotals, RepricePrice, RepriceRun, RepriceTotals } from '../store/price-store.js';
import { configFor, dbPathToReadFor, openStoreFor, type CliContext } from './context.js';
import { newestSnapshot } from './catalog-source.js';
import { retroactiveCounter, retroactiveWarning } from './reprice-retroactive.js';

/**
 * `tokometer prices reprice`: recompute stored calls' costs with the prices in force now
 * (each call at the price valid at its own time), and `prices history`: the snapshots
 * stored and the reprice runs recorded.
 */

/** Exact dollars from nano-USD: all nine decimals when needed, at least two. */
export function exactUsd(nano: number): string {
  const abs = Math.abs(nano);
  const frac = String(abs % 1_000_000_000).padStart(9, '0').replace(/0+$/, '').padEnd(2, '0');
  return `${nano < 0 ? '-' : ''}$${Math.trunc(abs / 1_000_000_000).toLocaleString('en-US')}.${frac}`;
}

function signedUsd(nano: number): string {
  return nano > 0 ? `+${exactUsd(nano)}` : exactUsd(nano);
}

/** The system look-ups actorName uses (tests replace them). */
export interface ActorLookups {
  /** The account name of the process's uid (os.userInfo); throws when the uid has no account entry. */
  username: () => string;
  /** The process's uid; undefined where there is none (Windows). */
  uid: () => number | undefined;
  hostname: () => string;
}

const SYSTEM: ActorLookups = { username: () => userInfo().username, uid: () => process.getuid?.(), hostname };

/**
 * Who runs a command, for audit rows: `user@host`. The user is the uid's account name, else
 * $USER, else $LOGNAME, else `uid-N` (a container running as a uid with no account entry),
 * and `unknown` only with no uid either.
 */
export function actorName(env: Readonly<Record<string, string | undefined>>, sys: ActorLookups = SYSTEM): string {
  let user: string | undefined;
  try {
    user = sys.username();
  } catch {
    user = undefined;
  }
  user = [user, env.USER, env.LOGNAME].find((u) => u !== undefined && u !== '');
  if (user === undefined) {
    const uid = sys.uid();
    user = uid === undefined ? 'unknown' : `uid-${uid}`;
  }
  return `${user}@${sys.hostname()}`;
}

/**
 * The call pricer for repricing: the pricer's result at the call's own time, null when
 * unpriced now. The call's `error` keeps its other text and gets the pricer's notes of the
 * new cost (an unknown service-tier price, advisor sub-inferences left out) in place of the
 * stored ones, once each: none once the call is fully priced (pricing/price-notes.ts). A
 * call whose notes are unchanged gets its stored text back, so its row is not rewritten.
 */
export function repricer(pricer: Pricer): RepricePrice {
  return (call) => {
    const r = pricer.price(call.usage, { provider: call.provider, model: call.model, at: call.ts });
    return r.priced ? { costNano: r.costNano, priceSource: r.source, error: replacePriceNotes(call.error, call.usage.advisors, r.note) } : null;
  };
}

type TableTotals = Pick<RepriceTotals, 'calls' | 'changed' | 'oldTotalNano' | 'newTotalNano' | 'oldPricedCalls' | 'newPricedCalls'>;

/** Footnote of a table that shows `—` or `*` (report/known-cost.ts: a cost none of whose calls has one is unknown, not $0). */
export const UNKNOWN_COST_NOTE = '* sums the calls that have a cost; — no call has one (unpriced, not $0)';

/**
 * A run's note in `prices history` when it was recorded before schema v24 (PostgreSQL v19),
 * which did not keep how many calls had a cost: its totals are shown as recorded.
 */
const UNCOUNTED_RUN_NOTE = 'these totals count calls without a cost as $0 (recorded by an older tokometer, which did not keep how many had one)';

/**
 * One side (old or new cost) of totals as known-cost.ts reads a spend. Without its count of
 * calls with a cost (a run recorded before v24) every call counts as priced, as its totals did.
 */
const side = (t: TableTotals, priced: number | null) => ({ calls: t.calls, pricedCalls: priced ?? t.calls });

/**
 * The per-model table. An old or new cost none of whose calls has a cost reads `—` (a
 * model's row; the total row is always the sum of the known costs), one that leaves some
 * calls out is marked `*`; the difference reads `—` when neither side is known. With any
 * mark or `—`, the table ends with UNKNOWN_COST_NOTE.
 */
function modelTable(models: readonly RepriceModelTotals[], total: TableTotals): string {
  const columns: GridColumn[] = [
    { header: 'provider', align: 'left' },
    { header: 'model', align: 'left' },
    ...['calls', 'changed', 'old cost', 'new cost', 'difference'].map((header) => ({ header, align: 'right' as const })),
  ];
  const rows = [...models.map((m) => ({ name: [m.provider, m.model], t: m as TableTotals, isTotal: false })), { name: ['total', ''], t: total, isTotal: true }];
  const known = (t: TableTotals, priced: number | null, isTotal: boolean) => isTotal || costKnown(side(t, priced));
  const marking = rows.some(({ t }) => costLeavesCallsOut(side(t, t.oldPricedCalls)) || costLeavesCallsOut(side(t, t.newPricedCalls)));
  const cost = (t: TableTotals, nano: number, priced: number | null, isTotal: boolean) => fromSpend(known(t, priced, isTotal) ? exactUsd(nano) : null, side(t, priced), marking);
  const unknownShown = rows.some(({ t, isTotal }) => !known(t, t.oldPricedCalls, isTotal) || !known(t, t.newPricedCalls, isTotal));
  const cells = rows.map(({ name, t, isTotal }) => {
    const neither = !known(t, t.oldPricedCalls, isTotal) && !known(t, t.newPricedCalls, isTotal);
    return [...name, String(t.calls), String(t.changed), cost(t, t.oldTotalNano, t.oldPricedCalls, isTotal), cost(t, t.newTotalNano, t.newPricedCalls, isTotal), neither ? '—' : signedUsd(t.newTotalNano - t.oldTotalNano)];
  });
  return renderGrid(columns, cells, paint(false)) + (marking || unknownShown ? `\n${UNKNOWN_COST_NOTE}` : '');
}

interface RepriceFlags {
  since?: string;
  until?: string;
  model?: string;
  dryRun?: boolean;
  db?: string;
  config?: string;
}

function registerReprice(prices: Command, ctx: CliContext): void {
  prices
    .command('reprice')
    .description('recompute the cost of stored calls from their usage with the prices in force now (calls, rollups, budgets)')
    .option('--since <time>', 'first call time (30m, 24h, 7d, 2026-11-01, 2026-11-01T09:30Z …); required')
    .option('--until <time>', 'end of the range (default now; a date is inclusive)')
    .option('--model <name>', 'only calls of this model as stored (a trailing * matches a prefix)')
    .option('--dry-run', 'show the differences, change nothing')
    .option('--db <path>', 'database file, or a postgres:// URL')
    .option('--config <file>', 'config file (its prices: section applies)')
    .action(async (flags: RepriceFlags) => {
      if (flags.since === undefined) throw new UsageError('prices reprice needs --since (for example --since 7d or --since 2026-11-01)');
      const config = configFor(ctx, flags.config);
      const range = parseTimeRange({ since: flags.since, until: flags.until }, { clock: ctx.clock, timeZone: config.timezone });
      const dbPath = dbPathToReadFor(ctx, config, flags.db);
      // It writes, but there is nothing to reprice in a database that does not exist: never create one.
      const store = await openStoreFor(ctx, dbPath, 'write');
      try {
        const prices = store.prices;
        const snapshot = await newestSnapshot(prices);
        const pricer = createPricer(config.prices, { snapshot, catalogPrices: catalogPricesByProvider(config.providers) });
        const sources = [Object.keys(config.prices).length > 0 ? 'config' : null, 'overrides', snapshot?.source ?? null, CATALOG_SOURCE].filter((s) => s !== null).join(', ');
        // Counts the calls an undated snapshot price moves that were made before it was stored (reprice-retroactive.ts).
        const retro = retroactiveCounter(repricer(pricer), snapshot, repricer(createPricer(config.prices)));
        const r = await prices.reprice({ since: range.since, until: range.until, model: flags.model ?? null, dryRun: flags.dryRun === true, actor: actorName(ctx.env), clock: ctx.clock, prices: sources, price: retro.price });
        const span = `${new Date(range.since).toISOString()} – ${new Date(range.until).toISOString()}${flags.model ? `, model ${flags.model}` : ''}`;
        if (r.calls === 0) {
          ctx.out(`No calls with known usage in ${span}.\n`);
          return;
        }
        ctx.out(`${modelTable(r.models, r)}\n`);
        if (snapshot !== null) ctx.out(retroactiveWarning(retro.count(), snapshot, flags.dryRun === true));
        if (r.unpriced > 0) ctx.out(r.unpriced === 1 ? '1 call has no price now and keeps its stored cost.\n' : `${r.unpriced} calls have no price now and keep their stored cost.\n`);
        ctx.out(
          flags.dryRun
            ? `dry run: nothing changed (prices: ${sources}; ${span})\n`
            : `repriced ${r.changed} of ${r.calls} calls (run #${r.runId}; prices: ${sources}; ${span}); reports and budgets follow\n`,
        );
        // serve reads the config once, at its start (snapshots it polls for; SIGHUP looks at once):
        // said when calls whose cost changed are priced by the config now.
        const byConfig = r.models.some((m) => m.changed > 0 && pricer.describe(m.model, m.provider, range.until)?.source === 'config');
        if (!flags.dryRun && byConfig) ctx.out('A serve already running keeps the config prices it started with: restart it so new calls get these prices too.\n');
      } finally {
        await store.close();
      }
    });
}

/** Whether totals show `*` or `—` on either side (then the history ends with UNKNOWN_COST_NOTE). */
const marked = (t: TableTotals) => costLeavesCallsOut(side(t, t.oldPricedCalls)) || costLeavesCallsOut(side(t, t.newPricedCalls));

/**
 * `old → new (difference)` of a run or one of its models, as the reprice table shows them:
 * a cost none of whose calls has one reads `—`, one that leaves calls out is marked `*`; the
 * difference reads `—` when neither side is known.
 */
function costChangeText(t: TableTotals): string {
  const text = (nano: number, priced: number | null) => {
    const s = side(t, priced);
    return fromSpend(costKnown(s) ? exactUsd(nano) : null, s, false);
  };
  const neither = !costKnown(side(t, t.oldPricedCalls)) && !costKnown(side(t, t.newPricedCalls));
  return `${text(t.oldTotalNano, t.oldPricedCalls)} → ${text(t.newTotalNano, t.newPricedCalls)} (${neither ? '—' : signedUsd(t.newTotalNano - t.oldTotalNano)})`;
}

/** The models of a run that `prices history` lists: those with a changed call. */
const shownModels = (run: RepriceRun) => run.models.filter((m) => m.changed > 0);

function renderRun(run: RepriceRun): string {
  const state = run.finishedAt === null ? ' (unfinished: only its committed batches apply)' : '';
  const lines = [
    `#${run.id}  ${new Date(run.startedAt).toISOString()}  by ${run.actor}${state}`,
    `  calls ${new Date(run.since).toISOString()} – ${new Date(run.until).toISOString()}${run.model ? `, model ${run.model}` : ''}; prices: ${run.prices}`,
    `  ${run.changed} of ${run.calls} calls changed${run.unpriced > 0 ? `, ${run.unpriced} without a price now` : ''}: ${costChangeText(run)}`,
  ];
  for (const m of shownModels(run)) lines.push(`    ${m.provider}/${m.model}: ${m.changed} of ${m.calls} calls, ${costChangeText(m)}`);
  if (run.oldPricedCalls === null || run.newPricedCalls === null) lines.push(`  ${UNCOUNTED_RUN_NOTE}`);
  return lines.join('\n');
}

function registerHistory(prices: Command, ctx: CliContext): void {
  prices
    .command('history')
    .description('list the price snapshots stored and the reprice runs recorded, newest first')
    .option('--limit <n>', 'at most this many of each (default 20)')
    .option('--db <path>', 'database file, or a postgres:// URL')
    .option('--config <file>', 'config file')
    .action(async (flags: { limit?: string; db?: string; config?: string }) => {
      const limit = flags.limit === undefined ? 20 : Number(flags.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit expects a positive whole number, got '${flags.limit}'`);
      const config = configFor(ctx, flags.config);
      const dbPath = dbPathToReadFor(ctx, config, flags.db);
      // It writes, but there is nothing to reprice in a database that does not exist: never create one.
      const store = await openStoreFor(ctx, dbPath, 'write');
      try {
        const prices = store.prices;
        const snapshots = await prices.listSnapshots(limit);
        const runs = await prices.repriceRuns(limit);
        const out: string[] = [];
        out.push(snapshots.length === 0 ? `Price snapshots: none (prices come from the pinned catalog, ${CATALOG_SOURCE}).` : 'Price snapshots (the newest is in force):');
        for (const s of snapshots) {
          out.push(`#${s.id}  ${snapshotSource(s.fetchedAt, s.sha256)}  ${new Date(s.fetchedAt).toISOString()}  ${s.providers} providers, ${s.models} models${s.forced ? ', forced' : ''}  from ${s.origin}`);
        }
        out.push('', runs.length === 0 ? 'Reprice runs: none.' : 'Reprice runs:');
        for (const run of runs) out.push(renderRun(run));
        if (runs.some((run) => marked(run) || shownModels(run).some(marked))) out.push(UNKNOWN_COST_NOTE);
        ctx.out(`${out.join('\n')}\n`);
      } finally {
        await store.close();
      }
    });
}

/** Registers `prices reprice` and `prices history` under `prices`. */
export function registerPricesReprice(prices: Command, ctx: CliContext): void {
  registerReprice(prices, ctx);
  registerHistory(prices, ctx);
}
