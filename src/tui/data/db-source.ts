import type { Clock } from '../../lib/clock.js';
import { excludedCalls } from '../../report/query.js';
import { defaultReach } from '../../report/reach.js';
import { plannedReads } from '../../report/run-plan.js';
import { parseTimeRange } from '../../report/time-range.js';
import { startOfMonth } from '../../report/tz.js';
import type { Scope } from '../../store/read/scope.js';
import type { Store } from '../../store/facade.js';
import { orderDimensions, TABLE_BUILTINS } from '../dimensions.js';
import { projectMonth } from '../projection.js';
import { LIMITS, type DashboardQuery, type DashboardSnapshot, type DashboardSource } from '../types.js';
import { budgetStates, keyBudgetsFrom, type BudgetDefs } from './db-budgets.js';
import { dailyTrend, groupTable, totals } from './report-figures.js';

/**
 * The dashboard over a store: a SQLite database opened read-only beside a running
 * `serve` (WAL lets it read while serve writes), or a PostgreSQL one. Every figure is a
 * bounded aggregate query; nothing here holds rows of the call log in memory.
 *
 * Re-querying is skipped when nothing can have changed: same query, no commit by another
 * connection since the last load (the store's change counter), and less than STALE_MS elapsed
 * (relative periods such as 30d slide with the clock, and budget periods roll).
 */
/** The parts of the store the dashboard reads: figures from `reports` and `feed`, budget gauges from `keys` and `budgets`. */
export type DashboardStore = Pick<Store, 'reports' | 'feed' | 'keys' | 'budgets' | 'close'>;

export interface DbSourceOptions {
  /** The store the dashboard reads (closed with the source). */
  store: DashboardStore;
  /** Shown in the status line, e.g. the database path. */
  label: string;
  clock: Clock;
  /** IANA zone of report days, months and budget periods (config `timezone`). */
  timeZone: string;
  /** Key budgets declared in the config, by key name; they win over the `keys` table's, as in the proxy. */
  configKeyBudgets: BudgetDefs['keyBudgets'];
  tagBudgets: BudgetDefs['tagBudgets'];
  /**
   * The note when the running serve enforces another config than the one read here (its
   * limits are the file's, not yet enforced), else null; asked on every load (cli/serve-config-record.ts).
   */
  configDrift?: () => Promise<string | null>;
}

/** Longest a loaded snapshot is reused while the database is unchanged, ms. */
export const STALE_MS = 15_000;

export function createDbSource(o: DbSourceOptions): DashboardSource {
  const { store, clock, timeZone } = o;
  const { reports, feed } = store;
  let last: { key: string; version: number; at: number; snapshot: DashboardSnapshot } | undefined;

  const declared = Object.fromEntries([...o.configKeyBudgets].map(([name, budget]) => [name, { budget }]));
  const build = async (q: DashboardQuery, now: number): Promise<DashboardSnapshot> => {
    const range = parseTimeRange({ since: q.since }, { clock: () => now, timeZone });
    const notes: string[] = [];
    const drift = await o.configDrift?.();
    if (drift) notes.push(drift);
    if (!(await feed.hasCallLog())) {
      notes.push('This database has no call log yet: start `tokometer serve` (or `tokometer demo`) and point a client at it.');
      return emptySnapshot(range, timeZone, q.dimension, notes);
    }
    // Planned reads cache per report (rollup state, shared parts): one per refresh.
    const source = await plannedReads(reports);
    // Counted like `report`: only calls the provider served unless a filter names an outcome or status.
    const base: Scope = withReach({ ...range, where: q.filters, timeZone });
    const scoped: Scope = withReach({ ...base, where: [...q.filters, ...q.drill] });
    const head = await totals(source, base);
    const monthStart = startOfMonth(now, timeZone);
    const month = monthStart === range.since && now === range.until ? head : await totals(source, { ...base, since: monthStart, until: now });
    const table = await groupTable(source, scoped, q.dimension);
    // The alerts table keeps no `per`: a tag budget's comes from the config, as its gauges' does.
    const alerts = (await feed.latestAlerts(LIMITS.alerts))?.map((a) => ({ ...a, per: a.kind === 'tag' ? (o.tagBudgets.find((t) => t.name === a.budget)?.per ?? null) : null })) ?? null;
    if (alerts === null) notes.push('No alerts table in this database yet (it arrives with the budgets schema).');
    return {
      range: { ...range, timeZone },
      header: {
        costNano: head.costNano,
        calls: head.calls,
        activeUsers: await feed.activeUsers(base),
        unpricedCalls: head.unpricedCalls,
        unknownUsageCalls: head.unknownUsageCalls,
        excludedCalls: base.reach ? (await excludedCalls(source, { ...base, by: [] })).reduce((a, e) => a + e.calls, 0) : null,
        monthToDateNano: month.costNano,
        monthToDateCalls: month.calls,
        monthToDatePricedCalls: month.pricedCalls,
        projectedMonthNano: projectMonth({ monthToDateNano: month.costNano, periodCostNano: head.costNano, ...range, now, timeZone }),
      },
      dimensions: orderDimensions(await feed.tagKeys()),
      table: { dimension: q.dimension, ...table },
      trend: await dailyTrend(source, scoped),
      budgets: await budgetStates(store.budgets, { keyBudgets: await keyBudgetsFrom(store, declared), tagBudgets: o.tagBudgets }, now, timeZone),
      // The live tail shows every call, refused ones too.
      tail: await feed.latestCalls({ ...scoped, reach: undefined }, LIMITS.tail),
      alerts,
      notes,
    };
  };

  return {
    label: o.label,
    async load(q) {
      const now = clock();
      const key = JSON.stringify(q);
      const v = await feed.changeCounter();
      if (last && last.key === key && last.version === v && now - last.at < STALE_MS) return last.snapshot;
      const snapshot = await build(q, now);
      last = { key, version: v, at: now, snapshot };
      return snapshot;
    },
    close() {
      void store.close();
    },
  };
}

function emptySnapshot(range: { since: number; until: number }, timeZone: string, dimension: string, notes: string[]): DashboardSnapshot {
  return {
    range: { ...range, timeZone },
    header: { costNano: 0, calls: 0, activeUsers: 0, unpricedCalls: 0, unknownUsageCalls: 0, excludedCalls: 0, monthToDateNano: 0, monthToDateCalls: 0, monthToDatePricedCalls: 0, projectedMonthNano: 0 },
    dimensions: [...TABLE_BUILTINS],
    table: { dimension, rows: [], totalNano: 0, totalCalls: 0 },
    trend: [],
    budgets: [],
    tail: [],
    alerts: [],
    notes,
  };
}

/** The scope with the report's default reach (report/reach.ts) for its filters. */
function withReach(scope: Scope): Scope {
  const { reach: _previous, ...rest } = scope;
  const reach = defaultReach(scope.where);
  return reach ? { ...rest, reach } : rest;
}
