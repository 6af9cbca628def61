import { formatInt, spendText } from '../../report/format/text.js';
import type { CostCounts } from '../../store/measures.js';
import { projectionSpend } from '../projection.js';
import type { HeaderFigures } from '../types.js';
import { cell, dropByRank, type Line, type RankedPart } from './text.js';

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

/**
 * Ranks of the line's parts, 0 the most important: a line too wide for the terminal drops
 * the highest-ranked parts whole (dropByRank), so it never ends in a cut word. What the
 * spend and the calls leave out (the caveats, next to them) stays longest; then the
 * projection, the active users, and the month so far goes first.
 */
const RANK = { spend: 0, calls: 1, unpriced: 2, unknownUsage: 3, excluded: 4, projected: 5, activeUsers: 6, monthSoFar: 7 };

/** The line's cells, as many of its parts as fit `width` columns. */
export function figuresLine(h: HeaderFigures, width: number): Line {
  const period = periodSpend(h);
  const month = monthToDateSpend(h);
  const projection = projectionSpend(h.projectedMonthNano, period, month);
  const parts: RankedPart[] = [
    { rank: RANK.spend, cells: [cell('Spend ', 'muted'), cell(spendText(period, false), 'strong')] },
    { rank: RANK.calls, cells: [cell('  ' + formatInt(h.calls), 'strong'), cell(' calls', 'muted')] },
  ];
  // What the spend leaves out, next to it.
  if (h.unpricedCalls > 0) parts.push({ rank: RANK.unpriced, cells: [cell(`  ${formatInt(h.unpricedCalls)} unpriced`, 'warn')] });
  if (h.unknownUsageCalls) parts.push({ rank: RANK.unknownUsage, cells: [cell(`  ${formatInt(h.unknownUsageCalls)} usage unknown`, 'warn')] });
  if (h.excludedCalls) parts.push({ rank: RANK.excluded, cells: [cell(`  ${formatInt(h.excludedCalls)} refused/failed not counted`, 'warn')] });
  parts.push({ rank: RANK.activeUsers, cells: [cell('  ' + (h.activeUsers === null ? '—' : formatInt(h.activeUsers)), 'strong'), cell(' active users', 'muted')] });
  parts.push({ rank: RANK.projected, cells: [cell('  projected month ', 'muted'), cell(spendText(projection, false), 'strong')] });
  parts.push({ rank: RANK.monthSoFar, cells: [cell(` (so far ${spendText(month, false)})`, 'muted')] });
  return dropByRank(parts, width);
}
