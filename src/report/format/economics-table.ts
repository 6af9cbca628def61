import { costLeavesCallsOut } from '../known-cost.js';
import { NONE } from '../types.js';
import type { CostCounts } from '../../store/measures.js';
import type { Pricing, UnitEconomics } from '../unit-economics.js';
import { countOf, formatInt, formatLocal, formatMoney, formatPercent, formatUntil, fromSpend, knownAmount, paint, prunedNotice, renderGrid, shown, spendText, type GridColumn, type Paint } from './text.js';

/**
 * Unit economics for a terminal: a headline (active users, cost per user, overall AI
 * COGS), the per-tier table, the free-tier subsidy line and the most expensive tenants.
 * Monthly prices are prorated to the period by the exact factor the title states, and
 * each priced row shows the prorated revenue, so revenue − spend = margin on the row.
 * As in the report's table (text.ts spendText), a spend none of whose calls has a cost is
 * `—`, and so are the figures made from it (cost per user or session, AI COGS, margin); a
 * spend that leaves some calls out is marked `*`, and so is every figure made from it (costs
 * per user and session, AI COGS and the share of paid revenue as lower bounds, the gross
 * margin and margin % as upper bounds), which points at the report's footers above (the
 * same calls: unit economics takes the report's filters).
 */

/** Tenants listed before the rest are summarised in one line. */
const MAX_TENANTS = 20;

/** `untilAsGiven`: the `--until` date as typed (see ReportQuery), shown instead of the end instant; `soFar`: the end asked for is after now (ReportQuery.soFar). */
export function renderUnitEconomicsTable(ue: UnitEconomics, options: { color: boolean; untilAsGiven?: string; soFar?: boolean }): string {
  const p = paint(options.color);
  const range = `${formatLocal(ue.since, ue.timeZone)} → ${formatUntil(ue.until, ue.timeZone, options.untilAsGiven, options.soFar)} (${ue.timeZone}) · monthly prices × ${formatFactor(ue.months)} (the period's share of its calendar months)`;
  const out = [p.bold(`Unit economics · ${range}`), ''];
  const headline = [
    `Active users ${formatInt(ue.activeUsers)}`,
    `AI cost per active user ${knownAmount(ue.costPerUserNano, ue, false)}`,
    ...(ue.sessions > 0 ? [`per session ${knownAmount(ue.costPerSessionNano, ue.sessionSpend, false)}`] : []),
    ...(ue.cogsRatio !== null && ue.revenueNano !== null ? [`AI COGS ${fromSpend(formatPercent(ue.cogsRatio), ue, false)} of ${formatMoney(ue.revenueNano)} revenue`] : []),
  ];
  out.push(headline.join(' · '));
  if (ue.calls === 0) return out.join('\n') + '\n';
  // Some spend leaves calls out: partial amounts end with `*`, the others with a space.
  const marked = costLeavesCallsOut(ue);
  const percent = (share: number | null) => (share === null ? '—' : formatPercent(share));
  const priced = ue.tiers.some((t) => t.pricePerMonthNano !== null);
  const sessions = ue.tiers.some((t) => t.sessions > 0);

  const tierCols: GridColumn[] = [
    { header: 'user_tier', align: 'left' },
    ...['users', 'spend', '% of spend', 'cost/user'].map((h) => ({ header: h, align: 'right' as const })),
    ...(sessions ? ['sessions', 'cost/session'].map((h) => ({ header: h, align: 'right' as const })) : []),
    ...(priced ? ['price/user/mo', 'revenue', 'AI COGS', 'gross margin', 'margin %'].map((h) => ({ header: h, align: 'right' as const })) : []),
  ];
  const tierRows = ue.tiers.map((t) => [
    shown(t.tier),
    formatInt(t.activeUsers),
    spendText(t, marked),
    percent(t.share),
    knownAmount(t.costPerUserNano, t, marked),
    ...(sessions ? [formatInt(t.sessions), knownAmount(t.costPerSessionNano, t.sessionSpend, marked)] : []),
    ...(priced ? pricingCells(t, p, marked) : []),
  ]);
  out.push('', renderGrid(tierCols, tierRows, p));
  const note = withoutUserNote(ue);
  if (note !== null) out.push(note);

  if (ue.subsidy) {
    const s = ue.subsidy;
    const parts = [
      `${shown(s.freeTiers.join(', '))} usage cost ${spendText(s, false)}, carried by ${countOf(s.paidActiveUsers, 'paid user')}`,
      ...(s.perPaidUserNano !== null ? [`${knownAmount(s.perPaidUserNano, s, false)} per paid user`] : []),
      ...(s.shareOfPaidRevenue !== null ? [`${fromSpend(formatPercent(s.shareOfPaidRevenue), s, false)} of paid revenue`] : []),
    ];
    out.push('', `Subsidy: ${parts.join(', ')}.`);
  }

  // Only worth a section when some calls carry tenant_id.
  const tenants = ue.tenants;
  if (tenants.some((t) => t.tenant !== NONE)) {
    const contracts = tenants.some((t) => t.pricePerMonthNano !== null);
    const cols: GridColumn[] = [
      { header: 'tenant_id', align: 'left' },
      ...['users', 'calls', 'spend', '% of spend'].map((h) => ({ header: h, align: 'right' as const })),
      ...(contracts ? ['contract/mo', 'revenue', 'AI COGS', 'gross margin', 'margin %'].map((h) => ({ header: h, align: 'right' as const })) : []),
    ];
    const rows = tenants.slice(0, MAX_TENANTS).map((t) => [
      shown(t.tenant),
      formatInt(t.activeUsers),
      formatInt(t.calls),
      spendText(t, marked),
      percent(t.share),
      ...(contracts ? pricingCells(t, p, marked) : []),
    ]);
    out.push('', p.bold(`Tenants${tenants.length > MAX_TENANTS ? ` (top ${MAX_TENANTS} of ${formatInt(tenants.length)} by spend)` : ''}`), renderGrid(cols, rows, p));
  }
  if (ue.prunedBefore !== null) out.push('', p.yellow(prunedNotice(ue.prunedBefore, ue.timeZone)));
  return out.join('\n') + '\n';
}

/**
 * The line under the tier table when some calls carry no user_id: they are in spend but not in
 * cost/user (unit-economics.ts), counted overall and per tier, most calls first as the tiers are listed.
 */
function withoutUserNote(ue: UnitEconomics): string | null {
  const w = ue.withoutUser;
  if (w.calls === 0) return null;
  const tiers = ue.tiers.filter((t) => t.withoutUser.calls > 0).map((t) => `${shown(t.tier)}: ${countOf(t.withoutUser.calls, 'call')}, ${spendText(t.withoutUser, false)}`);
  return `cost/user counts the calls with a user_id: ${countOf(w.calls, 'call')} without one (${spendText(w, false)}) are in spend but not in cost/user (${tiers.join('; ')}).`;
}

/**
 * Price, revenue, AI COGS, margin and margin %: — without a price, and for what an unknown
 * cost leaves unknown. AI COGS and the margins are made from the spend (fromSpend): marked `*`
 * when it leaves calls out, with `marking` (some spend of the table is marked) a space otherwise.
 */
function pricingCells(x: Pricing & CostCounts, p: Paint, marking: boolean): string[] {
  const percent = (ratio: number | null) => fromSpend(ratio === null ? null : formatPercent(ratio), x, marking);
  if (x.pricePerMonthNano === null) return ['—', '—', percent(null), percent(null), percent(null)];
  const margin = x.grossMarginNano;
  const marginText = knownAmount(margin, x, marking);
  return [
    formatMoney(x.pricePerMonthNano),
    formatMoney(x.revenueNano ?? 0),
    percent(x.cogsRatio),
    margin !== null && margin < 0 ? p.red(marginText) : marginText,
    percent(x.grossMarginRatio),
  ];
}

/** The proration factor as a plain number: whole months as they are, else six decimals (trailing zeros dropped). */
export function formatFactor(months: number): string {
  return Number.isInteger(months) ? String(months) : months.toFixed(6).replace(/0+$/, '').replace(/\.$/, '');
}
