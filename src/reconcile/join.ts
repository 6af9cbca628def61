import { stripDateSuffix } from '../pricing/catalog.js';
import type { MeteredUsageRow } from '../store/read/metered-usage.js';
import { SEARCH_FEES, type DayFees } from './search-fees.js';
import { RATE_KEYS, TOKEN_KEYS, zeroTokens, type BillSide, type MeterSide, type ProviderCost, type ProviderReport, type ReconcileBy, type TokenCounts } from './types.js';

/**
 * Lines up the meter's rows with the provider's usage and cost reports, per UTC day ×
 * model, then groups them as `--by` asks. Pure: no I/O, no classification.
 *
 * Models are matched case-insensitively. A cost entry names its model as the report does
 * (`gpt-4o-2024-08-06, input`, or a display name); it goes to the day's row with the same
 * model, else to the one row whose model is that name plus a dated suffix, else (a token
 * cost of a model nobody metered) to a row of its own. A cost tied to no model (tools,
 * storage, web search) forms an `outside` group of its own: the meter cannot see it, so
 * it counts in the bill but never as a difference.
 */

/** One group before classification. */
export interface JoinedGroup {
  /** Start of the UTC day; null when not grouped by day. */
  day: number | null;
  /** Model; for outside groups the report's labels; null when not grouped by model. */
  model: string | null;
  /** Costs the meter cannot see. */
  outside: boolean;
  meter: MeterSide;
  bill: BillSide;
  /** Whether the provider's usage report had anything for the group. */
  billedUsage: boolean;
  /** Outside groups: the report's labels of the costs in it. */
  labels: string[];
}

interface Cell extends JoinedGroup {
  day: number;
  model: string;
}

export function emptyMeter(): MeterSide {
  return { calls: 0, usageUnknown: 0, unpriced: 0, tokens: zeroTokens(), costNano: 0 };
}

export function emptyBill(requestCounts: boolean): BillSide {
  return { requests: requestCounts ? 0 : null, tokens: zeroTokens(), costNano: 0, costByRate: {} };
}

function addTokens(into: TokenCounts, from: TokenCounts): void {
  for (const k of TOKEN_KEYS) into[k] += from[k];
}

export function addMeter(into: MeterSide, from: MeterSide): void {
  into.calls += from.calls;
  into.usageUnknown += from.usageUnknown;
  into.unpriced += from.unpriced;
  into.costNano += from.costNano;
  addTokens(into.tokens, from.tokens);
}

export function addBill(into: BillSide, from: BillSide): void {
  into.requests = into.requests === null || from.requests === null ? null : into.requests + from.requests;
  into.costNano += from.costNano;
  addTokens(into.tokens, from.tokens);
  for (const k of [...RATE_KEYS, 'unsplit'] as const) {
    const v = from.costByRate[k];
    if (v !== undefined) into.costByRate[k] = (into.costByRate[k] ?? 0) + v;
  }
}

const norm = (model: string) => model.trim().toLowerCase().replace(/\s+/g, '-');

/**
 * Every day × model cell, then the outside cells, in the order met. `searchFees` (the
 * meter's, split from its model rows by search-fees.ts) go to the meter side of the day's
 * outside cell whose label is their kind's line (web search, file search tool calls), else
 * to an outside cell of their own.
 */
export function joinCells(meter: readonly MeteredUsageRow[], report: ProviderReport, searchFees: readonly DayFees[] = []): Cell[] {
  const cells = new Map<string, Cell>();
  const cell = (day: number, model: string, outside = false): Cell => {
    const key = `${day}\u0000${outside ? '\u0001' : ''}${norm(model)}`;
    let c = cells.get(key);
    if (c === undefined) {
      c = { day, model, outside, labels: [], meter: emptyMeter(), bill: emptyBill(report.requestCounts), billedUsage: false };
      cells.set(key, c);
    }
    return c;
  };
  for (const r of meter) {
    addMeter(cell(r.day, r.model).meter, {
      calls: r.calls,
      usageUnknown: r.usageUnknown,
      unpriced: r.unpriced,
      costNano: r.costNano,
      tokens: { input: r.inputTokens, cachedInput: r.cachedInputTokens, cacheWrite5m: r.cacheWrite5mTokens, cacheWrite1h: r.cacheWrite1hTokens, output: r.outputTokens },
    });
  }
  for (const u of report.usage) {
    const c = cell(u.day, u.model);
    addBill(c.bill, { requests: u.requests, tokens: u.tokens, costNano: 0, costByRate: {} });
    c.billedUsage = true;
  }
  foldAliases(cells);
  for (const cost of report.costs) {
    const target = costCell(cost, [...cells.values()]) ?? (cost.model !== null && cost.tokenCost ? cell(cost.day, cost.model) : cell(cost.day, cost.label, true));
    if (target.outside && !target.labels.includes(cost.label)) target.labels.push(cost.label);
    target.bill.costNano += cost.costNano;
    const rate = cost.rate ?? 'unsplit';
    target.bill.costByRate[rate] = (target.bill.costByRate[rate] ?? 0) + cost.costNano;
  }
  for (const fee of searchFees) {
    const { isLine, meteredLabel } = SEARCH_FEES[fee.kind];
    const line = [...cells.values()].find((c) => c.day === fee.day && c.outside && c.labels.some(isLine));
    const target = line ?? cell(fee.day, meteredLabel, true);
    if (line === undefined && target.labels.length === 0) target.labels.push(target.model);
    target.meter.costNano += fee.costNano;
  }
  return [...cells.values()];
}

/** A model name without a trailing `-latest` or `-0` (Anthropic's claude-sonnet-4-0), or null when it is a dated snapshot. */
function aliasFamily(model: string): string | null {
  const m = norm(model);
  return stripDateSuffix(m) === null ? m.replace(/-(latest|0)$/, '') : null;
}

/**
 * A cell one side knows only under an alias or family name (Anthropic echoes
 * `claude-3-5-sonnet-latest`; a call whose answer named no model keeps the request's
 * `gpt-4o`) joins the day's one cell of a dated snapshot of that model the other side
 * has (`claude-3-5-sonnet-20241022`, `gpt-4o-2024-08-06`); two snapshots never merge.
 */
function foldAliases(cells: Map<string, Cell>): void {
  for (const [key, c] of cells) {
    const family = c.outside ? null : aliasFamily(c.model);
    const meterOnly = !c.billedUsage;
    if (family === null || (!meterOnly && c.meter.calls > 0)) continue;
    const partners = [...cells.values()].filter((p) => p !== c && p.day === c.day && !p.outside
      && stripDateSuffix(norm(p.model)) === family && (meterOnly ? p.billedUsage : p.meter.calls > 0));
    if (partners.length !== 1) continue;
    const into = partners[0]!;
    addMeter(into.meter, c.meter);
    addBill(into.bill, c.bill);
    into.billedUsage ||= c.billedUsage;
    cells.delete(key);
  }
}

/** The day's row a model cost belongs to: same model, else the one dated snapshot of it. */
function costCell(cost: ProviderCost, cells: readonly Cell[]): Cell | undefined {
  if (cost.model === null) return undefined;
  const want = norm(cost.model);
  const sameDay = cells.filter((c) => c.day === cost.day && !c.outside);
  const exact = sameDay.find((c) => norm(c.model) === want);
  if (exact) return exact;
  // A dated snapshot of that very model (gpt-4o-2024-08-06), never a longer name that
  // shares its prefix (gpt-4o-mini-2024-07-18 is not gpt-4o).
  const dated = sameDay.filter((c) => stripDateSuffix(norm(c.model)) === want);
  return dated.length === 1 ? dated[0] : undefined;
}

/** Groups cells as `--by` asks; days ascending, then models, outside groups after a day's models. */
export function groupCells(cells: readonly Cell[], by: ReconcileBy, requestCounts: boolean): JoinedGroup[] {
  const byDay = by !== 'model';
  const byModel = by !== 'day';
  const groups = new Map<string, JoinedGroup>();
  for (const c of cells) {
    const day = byDay ? c.day : null;
    const model = byModel ? (c.outside ? c.labels.join(', ') : c.model) : null;
    const key = `${day ?? ''}\u0000${c.outside ? 1 : 0}\u0000${model === null ? '' : norm(model)}`;
    let g = groups.get(key);
    if (g === undefined) {
      g = { day, model, outside: c.outside, labels: [], meter: emptyMeter(), bill: emptyBill(requestCounts), billedUsage: false };
      groups.set(key, g);
    }
    addMeter(g.meter, c.meter);
    addBill(g.bill, c.bill);
    g.billedUsage ||= c.billedUsage;
    for (const l of c.labels) if (!g.labels.includes(l)) g.labels.push(l);
  }
  return [...groups.values()].sort((a, b) => (a.day ?? 0) - (b.day ?? 0) || Number(a.outside) - Number(b.outside) || (a.model ?? '').localeCompare(b.model ?? ''));
}
