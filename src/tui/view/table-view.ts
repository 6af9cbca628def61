import { groupLabel } from '../../report/format/table.js';
import { bar, formatInt, formatPercent, spendText } from '../../report/format/text.js';
import { costKnown, costLeavesCallsOut } from '../../report/known-cost.js';
import { sumCostCounts } from '../../store/measures.js';
import { NONE, OTHER, type WhereClause } from '../../report/types.js';
import type { DashboardSnapshot, GroupRow } from '../types.js';
import { cell, fit, lineWidth, textWidth, type Line } from './text.js';

/** The spend table: a title with dimension, drill path and totals, then the visible rows. */
export interface TableView {
  title: Line;
  rows: Array<{ line: Line; selected: boolean }>;
  /** Shown instead of rows when the scope has no calls. */
  empty: string | null;
}

/**
 * A row's label as `report`'s table writes it: the pool past the top N is `(other)`, a group
 * value that reads like that label (or `total`, or starts with a quote) is JSON-quoted, the
 * empty value `""` (report/format/table.ts groupLabel).
 */
export function rowLabel(r: Pick<GroupRow, 'value' | 'kind'>): string {
  return r.kind === 'other' ? OTHER : groupLabel(r.value);
}

/** Index of the selected row after clamping to the rows there are. */
export function clampSelection(selected: number, rowCount: number): number {
  return Math.max(0, Math.min(selected, rowCount - 1));
}

/**
 * `rows` visible lines of the table, scrolled so the selected row is on screen. Columns:
 * marker, group value, spend, share, a bar relative to the largest group, calls.
 */
export function tableView(
  t: DashboardSnapshot['table'],
  ctx: { selected: number; rows: number; width: number; drill: readonly WhereClause[]; dimensions: readonly string[] },
): TableView {
  const count = t.rows.length;
  const selected = clampSelection(ctx.selected, count);
  const start = Math.max(0, Math.min(selected - ctx.rows + 1, count - ctx.rows));
  const visible = t.rows.slice(start, start + ctx.rows);
  const title: Line = [cell('Spend by ', 'strong'), cell(t.dimension, 'accent')];
  for (const d of ctx.drill) title.push(cell(` · ${d.key}${d.op}${d.value}`, 'accent'));
  const total = { costNano: t.totalNano, calls: t.totalCalls, pricedCalls: sumCostCounts(t.rows).pricedCalls };
  title.push(cell(`  ${spendText(total, false)} · ${formatInt(t.totalCalls)} calls`));
  // The source keeps the top groups by spend and sums the rest into (other): say so.
  const top = t.rows.some((r) => r.kind === 'other') ? `top ${count - 1} + (other)` : null;
  if (count > ctx.rows) title.push(cell(`  ${start + 1}–${start + visible.length} of ${count}${top ? `: ${top}` : ''}`, 'muted'));
  else if (top) title.push(cell(`  ${top}`, 'muted'));
  const hint = cell(`  ◂ Tab ▸ ${ctx.dimensions.length} dimensions`, 'muted');
  // The keys line says it too: the hint goes first when the title is short of room.
  if (lineWidth(title) + lineWidth([hint]) <= ctx.width) title.push(hint);
  if (count === 0) return { title, rows: [], empty: 'No calls in this period and scope.' };

  const { money, calls, moneyW, callsW, valueW, fixed } = columns(t, ctx.width);
  const barW = Math.max(4, Math.min(60, ctx.width - fixed));
  const maxCost = Math.max(0, ...t.rows.map((r) => r.costNano));

  const rows = visible.map((r, i) => {
    const at = start + i;
    const special = r.value === NONE || r.kind === 'other';
    const line: Line = [
      cell(at === selected ? '› ' : '  ', 'accent'),
      cell(fit(rowLabel(r), valueW), special ? 'muted' : undefined),
      cell('  ' + fit(money[at]!, moneyW, 'right'), 'strong'),
      cell('  ' + fit(costKnown(r) ? formatPercent(r.share) : '—', 6, 'right')),
      cell('  ' + fit(bar(r.costNano, maxCost, barW), barW), 'accent'),
      cell('  ' + fit(calls[at]!, callsW, 'right'), 'muted'),
    ];
    return { line, selected: at === selected };
  });
  return { title, rows, empty: null };
}

/**
 * The rows' texts and column widths in a panel of `width` columns (which caps the group
 * values at 30% of it, 12 at least); `fixed` is every column but the bar, separators counted.
 */
function columns(t: DashboardSnapshot['table'], width: number) {
  // Spends as report shows them: `—` when none of the calls has a cost, `*` when the sum leaves
  // some out; with one marked, the others end with a space so the digits line up.
  const total = { costNano: t.totalNano, calls: t.totalCalls, pricedCalls: sumCostCounts(t.rows).pricedCalls };
  const marked = costKnown(total) && costLeavesCallsOut(total);
  const money = t.rows.map((r) => spendText(r, marked));
  const calls = t.rows.map((r) => `${formatInt(r.calls)} calls`);
  const moneyW = Math.max(...money.map((m) => m.length));
  const callsW = Math.max(...calls.map((c) => c.length));
  const valueW = Math.min(Math.max(...t.rows.map((r) => textWidth(rowLabel(r))), 6), Math.max(12, Math.floor(width * 0.3)));
  return { money, calls, moneyW, callsW, valueW, fixed: 2 + valueW + 2 + moneyW + 2 + 6 + 2 + 2 + callsW };
}

/** Bar cells the table asks room for beside the budgets (the bar grows past it when there are columns to spare). */
const BAR_WANT = 10;

/** Columns the table's rows need with a BAR_WANT-cell bar, in a panel of about `width` columns; 0 without rows. */
export function tableNeed(t: DashboardSnapshot['table'], width: number): number {
  return t.rows.length === 0 ? 0 : columns(t, width).fixed + BAR_WANT;
}
