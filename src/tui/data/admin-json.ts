import type { BudgetState } from '../../budget/types.js';
import { usdToNano } from '../../lib/money.js';
import { NONE, OTHER, type RowKind } from '../../report/types.js';
import type { BudgetPeriod } from '../../store/types.js';
import type { AlertRow, GroupRow, TrendPoint } from '../types.js';

/**
 * Readers for the admin API's JSON (SPEC §6): `GET /admin/spend` answers the
 * `report --format json` document (SPEC §7), `GET /admin/budgets` each budget's spent,
 * limit and reset_at. USD numbers become integer nano-USD here, ISO times ms. Readers are
 * lenient about optional fields (a missing one becomes null or 0) and strict about the
 * ones the screen needs (a missing one throws AdminShapeError).
 */

export class AdminShapeError extends Error {
  constructor(what: string) {
    super(`unexpected admin API answer: ${what}`);
    this.name = 'AdminShapeError';
  }
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const ms = (v: unknown): number | null => (typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? Date.parse(v) : num(v));
const nano = (usd: unknown): number => usdToNano(num(usd) ?? 0);

/** The parts of a spend document the dashboard reads. */
export interface SpendDoc {
  since: number;
  until: number;
  /**
   * pricedCalls: priced_calls; from a server without it, 0 when cost_usd is null (a group none of whose calls has a cost), else calls.
   * kind: the row's `kind`; from a server without it, `other` for a first value `(other)` (such a server pooled that text with the rest).
   */
  rows: Array<{ group: Record<string, string>; kind: RowKind; costNano: number; calls: number; pricedCalls: number; share: number }>;
  /**
   * pricedCalls: priced_calls, or calls − unpriced_calls when the document has none;
   * unknownUsageCalls: calls − priced_calls − unpriced_calls (served, usage unknown); 0 when the document has no priced_calls.
   */
  total: { costNano: number; calls: number; pricedCalls: number; unpricedCalls: number; unknownUsageCalls: number };
  /** Sum of `excluded_calls` (calls that did not reach the provider); null when the document has none. */
  excludedCalls: number | null;
  /** `unit_economics.active_users`, when the server added unit economics. */
  activeUsers: number | null;
}

export function readSpend(doc: unknown): SpendDoc {
  if (!isObject(doc) || !Array.isArray(doc.rows) || !isObject(doc.total)) throw new AdminShapeError('/admin/spend has no rows or total');
  const since = ms(doc.since);
  const until = ms(doc.until);
  if (since === null || until === null) throw new AdminShapeError('/admin/spend has no since/until');
  const t = doc.total;
  const calls = num(t.calls) ?? 0;
  const unpriced = num(t.unpriced_calls) ?? 0;
  const priced = num(t.priced_calls);
  const ue = isObject(doc.unit_economics) ? num(doc.unit_economics.active_users) : null;
  return {
    since,
    until,
    rows: doc.rows.filter(isObject).map((r) => {
      const rowCalls = num(r.calls) ?? 0;
      const group = isObject(r.group) ? Object.fromEntries(Object.entries(r.group).map(([k, v]) => [k, String(v)])) : {};
      return {
        group,
        kind: rowKindOf(r.kind, group),
        costNano: nano(r.cost_usd),
        calls: rowCalls,
        pricedCalls: num(r.priced_calls) ?? (r.cost_usd === null ? 0 : rowCalls),
        share: num(r.share) ?? 0,
      };
    }),
    total: { costNano: nano(t.cost_usd), calls, pricedCalls: priced ?? Math.max(0, calls - unpriced), unpricedCalls: unpriced, unknownUsageCalls: priced === null ? 0 : Math.max(0, calls - priced - unpriced) },
    excludedCalls: Array.isArray(doc.excluded_calls) ? doc.excluded_calls.filter(isObject).reduce((a, e) => a + (num(e.calls) ?? 0), 0) : null,
    activeUsers: ue,
  };
}

/** A row's `kind` as the report writes it (`group`, `other`); guessed from the label when the server sent none. */
function rowKindOf(kind: unknown, group: Record<string, string>): RowKind {
  if (kind === 'group' || kind === 'other') return kind;
  return Object.values(group)[0] === OTHER ? 'other' : 'group';
}

/** Rows of a one-dimension spend document as table groups. */
export function spendGroups(doc: SpendDoc, dimension: string): GroupRow[] {
  return doc.rows.map((r) => ({ value: r.group[dimension] ?? NONE, kind: r.kind, costNano: r.costNano, calls: r.calls, pricedCalls: r.pricedCalls, share: r.share }));
}

/** Rows of a `by=day` spend document as trend points, oldest first. */
export function spendTrend(doc: SpendDoc): TrendPoint[] {
  return doc.rows
    .map((r) => ({ day: r.group.day ?? '', costNano: r.costNano, calls: r.calls, pricedCalls: r.pricedCalls }))
    .filter((p) => p.day !== '')
    .sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
}

const PERIODS: readonly BudgetPeriod[] = ['day', 'week', 'month', 'total'];

/** `GET /admin/budgets`: a list, or `{budgets: [...]}` (optionally with `alerts: [...]`). */
export function readBudgets(doc: unknown): BudgetState[] {
  const list = Array.isArray(doc) ? doc : isObject(doc) && Array.isArray(doc.budgets) ? doc.budgets : null;
  if (list === null) throw new AdminShapeError('/admin/budgets is neither a list nor {budgets: [...]}');
  return list.filter(isObject).map((b) => {
    const name = str(b.name);
    if (name === null) throw new AdminShapeError('a budget without a name');
    const spentNano = nano(b.spent_usd ?? b.spent);
    const limitNano = nano(b.limit_usd ?? b.limit);
    const soft = b.soft === true;
    const period = PERIODS.find((p) => p === b.period) ?? 'month';
    return {
      name,
      kind: b.kind === 'tag' ? 'tag' : 'key',
      tagValue: str(b.tag_value),
      per: str(b.per),
      spentNano,
      reservedNano: nano(b.reserved_usd ?? b.reserved),
      inFlight: num(b.in_flight) ?? 0,
      waiting: num(b.waiting) ?? 0,
      limitNano,
      period,
      periodStart: ms(b.period_start) ?? 0,
      resetAt: ms(b.reset_at),
      soft,
      blocked: typeof b.blocked === 'boolean' ? b.blocked : !soft && spentNano >= limitNano,
    } satisfies BudgetState;
  });
}

/**
 * `alerts` of a `/admin/budgets` answer, newest first; null when the server sends none. An
 * alert's `per` is its own, else that of the tag budget of its name in the same answer.
 */
export function readAlerts(doc: unknown): AlertRow[] | null {
  if (!isObject(doc) || !Array.isArray(doc.alerts)) return null;
  const listed = Array.isArray(doc.budgets) ? doc.budgets.filter(isObject) : [];
  const perOf = (name: string): string | null => str(listed.find((b) => b.kind === 'tag' && b.name === name && str(b.per) !== null)?.per);
  return doc.alerts
    .filter(isObject)
    .map((a) => {
      const budget = isObject(a.budget) ? a.budget : a;
      const kind: AlertRow['kind'] = budget.kind === 'tag' ? 'tag' : 'key';
      const name = str(budget.name) ?? str(a.budget) ?? '?';
      return {
        at: ms(a.at ?? a.fired_at) ?? 0,
        kind,
        budget: name,
        per: kind === 'tag' ? (str(budget.per) ?? perOf(name)) : null,
        tagValue: str(budget.tag_value),
        threshold: num(a.threshold) ?? 0,
        spentNano: nano(budget.spent_usd),
        limitNano: nano(budget.limit_usd),
      };
    })
    .sort((x, y) => y.at - x.at);
}
