import { formatInt, spendText } from '../../report/format/text.js';
import type { CostCounts } from '../../store/measures.js';
import { projectionSpend } from '../projection.js';
import type { HeaderFigures } from '../types.js';
import { cell, type Line } from './text.js';

/**
 * The dashboard's figures line: the period's spend and calls, what the spend leaves out,
 * active users, the projected month and the month so far. Every amount reads as report
 * shows a total (report/format/text.ts spendText): `—` when none of the calls behind it has
 * a cost (unknown, not $0), marked `*` when only some do (a lower bound; the "N unpriced"
 * and "N usage unknown" beside the spend say which calls).
 */

/** The period's spend as cost counts: its calls with a cost are those neither unpriced nor of unknown usage. */
export function periodSpend(h: HeaderFigures): CostCounts {
  return { costNano: h.costNano, calls: h.calls, pricedCalls: h.calls - h.unpricedCalls - (h.unknownUsageCalls ?? 0) };
}

/** The current calendar month's spend so far as cost counts. */
export function monthToDateSpend(h: HeaderFigures): CostCounts {
  return { costNano: h.monthToDateNano, calls: h.monthToDateCalls, pricedCalls: h.monthToDatePricedCalls };
}

/** The line's cells; `wide` adds the month so far after the projection. */
export function figuresLine(h: HeaderFigures, wide: boolean): Line {
  const period = periodSpend(h);
  const month = monthToDateSpend(h);
  const projection = projectionSpend(h.projectedMonthNano, period, month);
  const figures: Line = [cell('Spend ', 'muted'), cell(spendText(period, false), 'strong')];
  figures.push(cell('  ' + formatInt(h.calls), 'strong'), cell(' calls', 'muted'));
  // What the spend leaves out, next to it: the line is cut at the terminal's width, from the end.
  if (h.unpricedCalls > 0) figures.push(cell(`  ${formatInt(h.unpricedCalls)} unpriced`, 'warn'));
  if (h.unknownUsageCalls) figures.push(cell(`  ${formatInt(h.unknownUsageCalls)} usage unknown`, 'warn'));
  if (h.excludedCalls) figures.push(cell(`  ${formatInt(h.excludedCalls)} refused/failed not counted`, 'warn'));
  figures.push(cell('  ' + (h.activeUsers === null ? '—' : formatInt(h.activeUsers)), 'strong'), cell(' active users', 'muted'));
  figures.push(cell('  projected month ', 'muted'), cell(spendText(projection, false), 'strong'));
  if (wide) figures.push(cell(` (so far ${spendText(month, false)})`, 'muted'));
  return figures;
}
