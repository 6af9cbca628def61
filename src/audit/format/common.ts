import { displayWidth } from '../../lib/display-width.js';
import { countOf, formatInt, formatLocal, formatMoney, formatMoneyBeside, formatPercent, formatUntil, fromSpend, knownAmount, spendText, unknownUsageNotice, unpricedNotice } from '../../report/format/text.js';
import type { WhereClause } from '../../report/types.js';
import { sumCostCounts, type CostCounts } from '../../store/measures.js';
import { costKnown, costLeavesCallsOut } from '../../report/known-cost.js';
import { DAY_MS } from '../stats.js';
import type { AuditReport, BudgetForecast, BudgetInstancesLeftOut, Evidence, Fact, Finding } from '../types.js';

/** Display pieces shared by the table and Markdown formats (formatting only, no maths). */

export function formatFact(f: Fact, timeZone: string): string {
  if (typeof f.value === 'string') return f.value;
  switch (f.unit) {
    case 'nano':
      return formatMoney(f.value);
    case 'share':
      return formatPercent(f.value);
    case 'ms':
      return `${formatInt(f.value)} ms`;
    case 'time':
      return formatLocal(f.value, timeZone);
    default:
      return formatInt(f.value);
  }
}

/**
 * "1,200 calls · $340.12 · 9,600,000 in / 360,000 out tokens", without the figures the
 * evidence does not have (Evidence.unknown: "$1.58"). The cost reads `—` when no
 * call has one (unknown, not $0: report/known-cost.ts), and is marked `*` with a note when
 * it sums only some of the calls.
 */
export function evidenceHeadline(e: Evidence): string {
  const note = costKnown(e) && costLeavesCallsOut(e) ? ` (* ${countOf(e.calls - e.pricedCalls, 'call')} without a cost ${e.calls - e.pricedCalls === 1 ? 'is' : 'are'} not in the sum)` : '';
  const unknown = new Set(e.unknown ?? []);
  const parts = [
    ...(unknown.has('calls') ? [] : [countOf(e.calls, 'call')]),
    spendText(e, false),
    ...(unknown.has('tokens') ? [] : [`${formatInt(e.inputTokens)} in / ${formatInt(e.outputTokens)} out tokens`]),
  ];
  return `${parts.join(' · ')}${note}`;
}

/**
 * The audit's headline: "1,200 calls · $340.12 spent". The spend reads as report's total:
 * `—` when none of the calls has a cost (unknown, not $0), `$X*` when the sum leaves some
 * out (report/format/text.ts spendText); spendNotes say which.
 */
export function spentText(r: AuditReport): string {
  return `${countOf(r.calls, 'call')} · ${spendText(r, false)} spent`;
}

/**
 * What the headline's spend leaves out, in report's words (unpricedNotice, unknownUsageNotice):
 * each marked `* ` when the spend is a marked sum, as report marks its footnotes. Empty
 * when every call has a cost. A note may span lines (`\n`).
 */
export function spendNotes(r: AuditReport): string[] {
  const marked = costKnown(r) && costLeavesCallsOut(r);
  const unpricedCalls = r.unpriced.reduce((a, u) => a + u.calls, 0);
  const notes = [unpricedNotice(r.unpriced), unknownUsageNotice({ calls: r.calls, pricedCalls: r.pricedCalls, unpricedCalls })];
  return notes.filter((n) => n !== undefined).map((n) => (marked ? `* ${n}` : n));
}


/** "label: value" for each fact. */
export function factItems(e: Evidence, timeZone: string): string[] {
  return e.facts.map((f) => `${f.label}: ${formatFact(f, timeZone)}`);
}

export function scopeText(scope: Record<string, string>, sep = ' · '): string {
  return Object.entries(scope)
    .map(([k, v]) => `${k}=${v}`)
    .join(sep);
}

export function savingCell(f: Finding): string {
  return f.kind === 'notice' ? '—' : formatMoney(f.savingPerMonthNano);
}

export function windowText(r: AuditReport): string {
  const days = (r.observedMs / DAY_MS).toFixed(1);
  return `${formatLocal(r.since, r.timeZone)} → ${formatUntil(r.until, r.timeZone, r.untilAsGiven)} (${days} days observed)`;
}

export function whereText(where: readonly WhereClause[]): string {
  return where.map((w) => `${w.key}${w.op}${w.value}`).join(', ');
}

/** Header and cells of the budget table (table and Markdown formats). */
export const BUDGET_HEADERS = ['budget', 'period', 'spent', 'limit', 'projected', 'cap hit'] as const;

/**
 * A budget's spend, daily rate and projection as cost counts (store/measures.ts): the
 * projection stands on the period's calls and the rate window's (summed; a call in both
 * counts twice, which changes neither costKnown nor costLeavesCallsOut).
 */
export function budgetSpends(b: BudgetForecast): { spent: CostCounts; rate: CostCounts; projected: CostCounts } {
  const spent = { costNano: b.spentNano, calls: b.calls, pricedCalls: b.pricedCalls };
  const rate = { costNano: b.dailyRateNano, calls: b.rateCalls, pricedCalls: b.ratePricedCalls };
  return { spent, rate, projected: { ...sumCostCounts([spent, rate]), costNano: b.projectedNano } };
}

/**
 * Spent and projected read as report's totals (spendText): `—` when none of their calls has
 * a cost, `$X*` when some have none; each with the decimals that keep it from reading as the
 * limit when it is not (formatMoneyBeside). The cap hit rests on the projection: `—` when
 * unknown; a cap already reached reads `reached` and when (the call that crossed it), if known.
 */
export function budgetCells(b: BudgetForecast, timeZone: string): string[] {
  const { spent, projected } = budgetSpends(b);
  const beside = (m: CostCounts) => fromSpend(costKnown(m) ? formatMoneyBeside(m.costNano, b.limitNano) : null, m, false);
  const hit = b.reached ? (b.reachedAt !== null ? `reached ${formatLocal(b.reachedAt, timeZone)}` : 'reached') : !costKnown(projected) ? '—' : b.hitAt === null ? 'on track' : formatLocal(b.hitAt, timeZone);
  return [b.name, b.soft ? `${b.period} (soft)` : b.period, beside(spent), formatMoney(b.limitNano), beside(projected), hit];
}

/**
 * What a budget's `—` and `*` mean, for under the budget table; undefined when no budget
 * shows one (every figure's calls have a cost, or there are none).
 */
export function budgetCostNote(budgets: readonly BudgetForecast[]): string | undefined {
  const partial = budgets.some((b) => {
    const { spent, projected } = budgetSpends(b);
    return !costKnown(spent) || !costKnown(projected) || costLeavesCallsOut(spent) || costLeavesCallsOut(projected);
  });
  return partial ? "—: none of the budget's calls has a cost (unpriced, or usage unknown); *: only some have one, and the amount sums those." : undefined;
}

/** `report --since` for the current period of a budget: the named period, or all of the log for `total`. */
const PERIOD_SINCE: Readonly<Record<BudgetInstancesLeftOut['period'], string>> = { day: 'today', week: 'this-week', month: 'this-month', total: '1970-01-01' };

/** A shell word: bare when it needs no quoting, else single-quoted. */
const shellWord = (s: string): string => (/^[\w.,:@/+=-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/**
 * The line under the budget table for a per-value budget's instances left out of it:
 * "and 6 more instances of free-user-daily, 5 of them at their cap; `tokometer report --by
 * user_id --since today --where tier=free` lists them." ("at their cap" alone when all are).
 */
export function leftOutText(l: BudgetInstancesLeftOut): string {
  const more = l.instances === 1 ? 'and 1 more instance' : `and ${formatInt(l.instances)} more instances`;
  const cap =
    l.atCap === l.instances
      ? l.instances === 1 ? ' at its cap' : ' at their cap'
      : l.atCap === 0 ? (l.instances === 1 ? ', not at its cap' : ', none of them at their cap') : `, ${formatInt(l.atCap)} of them at their cap`;
  const where = Object.entries(l.match).map(([k, v]) => ` --where ${shellWord(`${k}=${v}`)}`).join('');
  const command = `tokometer report --by ${shellWord(l.per)} --since ${PERIOD_SINCE[l.period]}${where}`;
  return `${more} of ${l.budget}${cap}; \`${command}\` lists ${l.instances === 1 ? 'it' : 'them'}.`;
}

export const BUDGET_NOTE = 'Current period, projected at the daily rate of the last 7 days (last day for daily budgets; since the first call when the history is shorter, but over at least 1 day).';

/**
 * The closing line every format ends with. It counts every finding listed above it; when
 * some are notices (no saving: budgets at risk, unpriced models) it says how many of each.
 */
export function totalText(r: AuditReport): string {
  const savings = r.findings.filter((f) => f.kind === 'saving').length;
  const notices = r.findings.length - savings;
  const monthlySpend = Math.round((r.costNano * 30 * DAY_MS) / r.observedMs);
  // A spend that leaves calls out makes a monthly spend that does too: marked `*`, as the headline.
  const share = monthlySpend > 0 ? ` (${formatPercent(r.totalPerMonthNano / monthlySpend)} of ${knownAmount(monthlySpend, r, false)} monthly spend)` : '';
  const split = notices > 0 ? `: ${countOf(savings, 'saving')}, ${countOf(notices, 'notice')}` : '';
  return `Total estimated saving: ${formatMoney(r.totalPerMonthNano)} per month${share} from ${countOf(r.findings.length, 'finding')}${split}.`;
}


export const OVERLAP_NOTE =
  'Savings are the window\'s saving scaled to 30 days, priced from the catalog on the observed tokens. Fixes that touch the same calls overlap, so applying several saves less than their sum.';

/** Greedy word wrap to `width` terminal columns (lib/display-width.ts: CJK two per character); continuation lines get `indent`. */
export function wrap(text: string, width: number, indent: string): string {
  return wrapWords(text.split(/\s+/), ' ', width, indent);
}

/** Wraps whole items joined by `sep` (an item is never split), e.g. the facts of a finding. */
export function wrapItems(items: readonly string[], sep: string, width: number, indent: string): string {
  return wrapWords(items, sep, width, indent);
}

function wrapWords(words: readonly string[], sep: string, width: number, indent: string): string {
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    if (line !== '' && displayWidth(line) + displayWidth(sep) + displayWidth(word) > width) {
      lines.push(line.trimEnd());
      line = word;
    } else line = line === '' ? word : `${line}${sep}${word}`;
  }
  if (line !== '') lines.push(line);
  return lines.join(`\n${indent}`);
}
