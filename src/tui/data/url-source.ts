import type { Clock } from '../../lib/clock.js';
import { tagKeyOf, type WhereClause } from '../../report/types.js';
import { orderDimensions } from '../dimensions.js';
import { projectMonth } from '../projection.js';
import type { DashboardQuery, DashboardSnapshot, DashboardSource } from '../types.js';
import { LIMITS } from '../types.js';
import { readAlerts, readBudgets, readSpend, spendGroups, spendTrend, type SpendDoc } from './admin-json.js';

/**
 * The dashboard over a running server's admin API (SPEC §6), for a TUI on another machine
 * than the database. Requests, all with `Authorization: Bearer <admin token>`:
 *
 * - `GET /admin/spend?by=day&since=S[&where=k=v…]&unit_economics=true`: header totals
 *   and active users (with the `/` filters), and, without a drill path, the trend;
 * - `GET /admin/spend?by=D&since=S&top=50&where=…`: the spend table (filters + drill path);
 * - `GET /admin/spend?by=day&since=S&where=…`: the trend of the drilled scope;
 * - `GET /admin/spend?by=day&since=this-month&where=…`: month-to-date for the projection;
 * - `GET /admin/budgets`: the gauges (and `alerts`, when the server includes them).
 *
 * `where`, `top` and `unit_economics` take the same values as the report flags; the SPEC
 * only names `by` and `since`, so a server that ignores the rest shows unfiltered numbers.
 * The admin API has no call feed, so the live tail is empty in this mode.
 */
export interface UrlSourceOptions {
  /** Server base URL, e.g. http://127.0.0.1:8787. */
  url: string;
  token: string;
  clock: Clock;
  /** Zone used for the month boundary of the projection (config `timezone`). */
  timeZone: string;
  /** Tag keys to offer besides the built-ins (the admin API does not list them): from the config. */
  tagKeys: readonly string[];
  fetch?: typeof fetch;
  /** Per request, ms (default 5000). */
  timeoutMs?: number;
}

export class AdminApiError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AdminApiError';
  }
}

export function createUrlSource(o: UrlSourceOptions): DashboardSource {
  const base = o.url.replace(/\/+$/, '');
  const doFetch = o.fetch ?? fetch;
  const timeoutMs = o.timeoutMs ?? 5000;

  const get = async (path: string): Promise<unknown> => {
    let res: Response;
    try {
      res = await doFetch(`${base}${path}`, { headers: { authorization: `Bearer ${o.token}`, accept: 'application/json' }, signal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      throw new AdminApiError(`cannot reach ${base}: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (res.status === 401 || res.status === 403) throw new AdminApiError(`${base} refused the admin token (HTTP ${res.status})`);
    if (res.status === 404) throw new AdminApiError(`${base}${path.split('?')[0]} not found: is the admin API enabled (admin.token) on that server?`);
    if (!res.ok) throw new AdminApiError(`${base}${path.split('?')[0]} answered HTTP ${res.status}`);
    return res.json();
  };
  const spend = async (by: string, since: string, where: readonly WhereClause[], extra: Record<string, string> = {}): Promise<SpendDoc> => {
    const params = new URLSearchParams({ by, since, ...extra });
    for (const w of where) params.append('where', `${w.key}${w.op}${w.value}`);
    return readSpend(await get(`/admin/spend?${params.toString()}`));
  };

  return {
    label: base,
    async load(q: DashboardQuery): Promise<DashboardSnapshot> {
      const now = o.clock();
      const scoped = [...q.filters, ...q.drill];
      const [head, table, drilledTrend, month, budgetsDoc] = await Promise.all([
        spend('day', q.since, q.filters, { unit_economics: 'true' }),
        spend(q.dimension, q.since, scoped, { top: String(LIMITS.groups) }),
        q.drill.length > 0 ? spend('day', q.since, scoped) : undefined,
        q.since === 'this-month' ? undefined : spend('day', 'this-month', q.filters),
        get('/admin/budgets'),
      ]);
      const monthToDate = (month ?? head).total;
      // The dimension on screen is offered even when the config names no such tag (tag:NAME is the tag NAME).
      const shownTag = tagKeyOf(q.dimension);
      return {
        range: { since: head.since, until: head.until, timeZone: o.timeZone },
        header: {
          costNano: head.total.costNano,
          calls: head.total.calls,
          activeUsers: head.activeUsers,
          unpricedCalls: head.total.unpricedCalls,
          unknownUsageCalls: head.total.unknownUsageCalls,
          excludedCalls: head.excludedCalls,
          monthToDateNano: monthToDate.costNano,
          monthToDateCalls: monthToDate.calls,
          monthToDatePricedCalls: monthToDate.pricedCalls,
          projectedMonthNano: projectMonth({ monthToDateNano: monthToDate.costNano, periodCostNano: head.total.costNano, since: head.since, until: head.until, now, timeZone: o.timeZone }),
        },
        dimensions: orderDimensions([...o.tagKeys, ...(shownTag === null ? [] : [shownTag])]),
        table: { dimension: q.dimension, rows: spendGroups(table, q.dimension), totalNano: table.total.costNano, totalCalls: table.total.calls },
        trend: spendTrend(drilledTrend ?? head),
        budgets: readBudgets(budgetsDoc),
        tail: null,
        alerts: readAlerts(budgetsDoc),
        notes: ['Live tail needs --db: the admin API has no call feed.'],
      };
    },
    close() {},
  };
}
