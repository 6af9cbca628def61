import { notTokenBilledClause } from '../../domain/billing-units.js';
import { escapeControlChars, escapeControlCharsKeepingColour } from '../../lib/control-chars.js';
import { displayWidth } from '../../lib/display-width.js';
import { closest } from '../../lib/edit-distance.js';
import { NANO_PER_USD, type NanoUsd } from '../../lib/money.js';
import type { CostCounts } from '../../store/measures.js';
import { costKnown, costLeavesCallsOut } from '../known-cost.js';
import { BUILTIN_DIMENSIONS } from '../types.js';
import { localParts } from '../tz.js';

/**
 * Text helpers for the table formats: number/money/percent display, ANSI colour (only
 * when asked), and an aligned grid. Everything here formats what it is given; no maths
 * beyond unit conversion.
 */

/** ANSI styling; every function is the identity when colour is off. */
export interface Paint {
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
}

export function paint(color: boolean): Paint {
  const wrap = (open: number, close: number) => (s: string) => (color && s !== '' ? `\u001b[${open}m${s}\u001b[${close}m` : s);
  return { bold: wrap(1, 22), dim: wrap(2, 22), red: wrap(31, 39), green: wrap(32, 39), yellow: wrap(33, 39), cyan: wrap(36, 39) };
}

// eslint-disable-next-line no-control-regex
const ANSI_RE = /\u001b\[[0-9;]*m/g;

/** Terminal columns, ignoring ANSI codes: our glyphs are one column wide, CJK and emoji in tag values two (lib/display-width.ts). */
export function visibleLength(s: string): number {
  return displayWidth(s.replace(ANSI_RE, ''));
}

/** 1234567 → "1,234,567". */
export function formatInt(n: number): string {
  const sign = n < 0 ? '-' : '';
  return sign + Math.round(Math.abs(n)).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** `n` as formatInt writes it and `noun`, plural unless `n` is 1: "1 call", "1,200 calls". */
export function countOf(n: number, noun: string): string {
  return `${formatInt(n)} ${noun}${n === 1 ? '' : 's'}`;
}

/** nano-USD per cent and per tenth of a cent. */
const NANO_PER_CENT = NANO_PER_USD / 100;
const NANO_PER_MILL = NANO_PER_USD / 1000;

/**
 * Dollars for people: 2 decimals from $1 up ($1,100.00), 3 decimals from a cent ($0.042),
 * 3 significant digits below a cent ($0.000116), `<$0.000001` below that, `$0.00` for zero.
 * Cents and tenths of a cent are rounded half up from the integer nano-USD ($1.005 →
 * $1.01), never by the binary float nearest the dollar amount (1.005 is 1.00499… as one).
 */
export function formatMoney(nano: NanoUsd): string {
  if (nano === 0) return '$0.00';
  const sign = nano < 0 ? '-' : '';
  const abs = Math.abs(nano);
  const usd = abs / NANO_PER_USD;
  if (usd >= 1) {
    const cents = Math.round(abs / NANO_PER_CENT);
    return `${sign}$${formatInt(Math.floor(cents / 100))}.${String(cents % 100).padStart(2, '0')}`;
  }
  if (usd >= 0.01) return `${sign}$${(Math.round(abs / NANO_PER_MILL) / 1000).toFixed(3)}`;
  if (usd < 0.000001) return `${sign === '' ? '<' : '>-'}$0.000001`;
  const digits = usd.toFixed(Math.max(3, 2 - Math.floor(Math.log10(usd)))).replace(/0+$/, '');
  return `${sign}$${digits.length < 5 ? digits.padEnd(5, '0') : digits}`;
}

/**
 * A spend written beside a limit (`refNano`): formatMoney, with as many more decimals (up to
 * 9, the nano-dollar) as it takes not to read as formatMoney(refNano) when it is not that
 * amount: $0.000999999 and $0.001000007 beside $0.001, where formatMoney writes `$0.001`
 * for all three (lib/money.ts formatSpentOf does the same for the proxy's messages).
 */
export function formatMoneyBeside(nano: NanoUsd, refNano: NanoUsd): string {
  const text = formatMoney(nano);
  if (nano === refNano || text !== formatMoney(refNano)) return text;
  const sign = nano < 0 ? '-' : '';
  const usd = Math.abs(nano) / NANO_PER_USD;
  const ref = Math.abs(refNano) / NANO_PER_USD;
  let decimals = 3;
  while (decimals < 9 && usd.toFixed(decimals) === ref.toFixed(decimals)) decimals++;
  return `${sign}$${usd.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: decimals })}`;
}

/**
 * A figure computed from a spend (an amount, a ratio, a margin), for a table: `—` when null
 * (unknown: no call of the spend has a cost, report/known-cost.ts), else `text`, marked `*`
 * when the spend leaves calls out (it covers the priced ones only, so the figure is a bound:
 * a cost or a cost ratio at least, a margin at most). With `marking` (some figure of the
 * table is marked) the others end with a space, so a right-aligned column's digits line up.
 */
export function fromSpend(text: string | null, spend: Pick<CostCounts, 'calls' | 'pricedCalls'>, marking: boolean): string {
  if (text === null) return marking ? '— ' : '—';
  return text + (costLeavesCallsOut(spend) ? '*' : marking ? ' ' : '');
}

/** An amount computed from a spend, for a table (fromSpend of the amount as money). */
export function knownAmount(amountNano: NanoUsd | null, spend: Pick<CostCounts, 'calls' | 'pricedCalls'>, marking: boolean): string {
  return fromSpend(amountNano === null ? null : formatMoney(amountNano), spend, marking);
}

/** A spend for a table (knownAmount of its sum), a group's or a total's alike: `—` when none of its calls has a cost. */
export function spendText(spend: CostCounts, marking: boolean): string {
  return knownAmount(costKnown(spend) ? spend.costNano : null, spend, marking);
}

/** 0.6112 → "61.1%". */
export function formatPercent(fraction: number): string {
  return `${(fraction * 100).toFixed(1)}%`;
}

/** Change as signed percent: "+12.5%", "-3.0%", "new" (nothing before), "—" (not comparable). */
export function formatChange(change: number | null | undefined, prevNano: number | null | undefined, nowNano: number): string {
  if (change === null || change === undefined) return prevNano === 0 && nowNano > 0 ? 'new' : '—';
  return `${change >= 0 ? '+' : ''}${(change * 100).toFixed(1)}%`;
}

export function formatLatency(ms: number | null): string {
  return ms === null ? '—' : `${formatInt(ms)} ms`;
}

/** Local `YYYY-MM-DD HH:MM` in the zone, or just the date at local midnight. */
export function formatLocal(ms: number, timeZone: string): string {
  const p = localParts(ms, timeZone);
  const date = `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
  if (p.hour === 0 && p.minute === 0 && p.second === 0) return date;
  return `${date} ${String(p.hour).padStart(2, '0')}:${String(p.minute).padStart(2, '0')}`;
}

/**
 * The end of a range for people: the date as the user typed it (inclusive), else the local
 * time of `until`, followed by "(so far)" when `soFar` (the end asked for is after now, and
 * `until` is now: report/window.ts).
 */
export function formatUntil(until: number, timeZone: string, asGiven?: string, soFar = false): string {
  if (soFar) return `${formatLocal(until, timeZone)} (so far)`;
  return asGiven !== undefined ? `${asGiven} (inclusive)` : formatLocal(until, timeZone);
}

/** The local date of the last day before `until` when `until` is a local midnight (an exclusive end written inclusively), else undefined. */
export function inclusiveLastDay(until: number, timeZone: string): string | undefined {
  const p = localParts(until, timeZone);
  if (p.hour !== 0 || p.minute !== 0 || p.second !== 0 || until % 1000 !== 0) return undefined;
  return formatLocal(until - 1, timeZone).slice(0, 10);
}

/**
 * One line saying that figures start at the retention cutoff, not at the range start:
 * raw calls before it were pruned and the answer needed them.
 */
export function prunedNotice(cutoff: number, timeZone: string): string {
  return (
    `Covers calls from ${formatLocal(cutoff, timeZone)} on only: older raw calls were pruned (retention_days) and this breakdown needs them. ` +
    'Reports by one tag key or built-in, unit economics and --by user_id --top N over calendar months cover all time from rollups.'
  );
}

/**
 * One line saying which calls a report left out by default (report/reach.ts), per
 * outcome, and the `--where` that shows each outcome; undefined when none were.
 */
export function excludedNotice(excluded: ReadonlyArray<{ outcome: string; calls: number }> | undefined): string | undefined {
  if (!excluded || excluded.length === 0) return undefined;
  const n = excluded.reduce((a, e) => a + e.calls, 0);
  const parts = excluded.map((e) => `${formatInt(e.calls)} ${e.outcome}`).join(', ');
  const see = excluded.map((e) => `--where outcome=${e.outcome}`).join(' or ');
  return `Not counted: ${formatInt(n)} call${n === 1 ? '' : 's'} the provider did not serve (${parts}); see them with ${see}.`;
}

/** A value from data for people: control characters escaped, and the empty string (a valid tag value) as `""`. */
export const shown = (value: string): string => (value === '' ? '""' : escapeControlChars(value));

/**
 * The unpriced calls spend leaves out, per model and provider (the same model name may be
 * priced on one provider and not on another), and where to add a price (or, with `advice`, what
 * else to do for the models the config prices already); undefined when none. The table's
 * footer and, with CSV, a note on stderr.
 */
export function unpricedNotice(unpriced: readonly UnpricedEntry[], advice?: { rest: readonly UnpricedEntry[]; lines: readonly string[] }): string | undefined {
  if (unpriced.length === 0) return undefined;
  const n = unpriced.reduce((a, u) => a + u.calls, 0);
  const names = unpriced.map((u) => `${shown(u.model)} on ${shown(u.provider)} (${formatInt(u.calls)})`).join(', ');
  // `advice` (cli/unpriced-advice.ts): the models the config does not price get the plain advice; the others its lines.
  const rest = advice?.rest ?? unpriced;
  const which = rest.length === unpriced.length ? 'these models' : rest.map((u) => shown(u.model)).join(', ');
  const plain =
    rest.length === 0
      ? []
      : [
          `Add a price for ${which} under \`prices:\` in the config${notTokenBilledClause(
            rest.map((u) => u.model),
            rest.filter((u) => u.speechWithoutTokens === true).map((u) => u.model),
          )}.`,
        ];
  return [`${formatInt(n)} unpriced call${n === 1 ? '' : 's'} not included in spend: ${names}.`, ...plain, ...(advice?.lines ?? [])].join('\n');
}

/** One model's unpriced calls, as unpricedNotice lists them. */
type UnpricedEntry = { model: string; provider: string; calls: number; speechWithoutTokens?: boolean };

/**
 * Calls the provider served whose usage could not be read (usage_source `unknown`): no
 * cost, yet neither priced nor unpriced (store/unpriced.ts), so spend leaves them out
 * without the unpriced notice naming them. One line, ending with what to do: no command
 * shows why each went unread (the call's `error` column says, `usage unknown: …`), so it gives the usual cause (the
 * upstream at the provider's base_url answering a body that is not the provider's JSON) and
 * how to find whose calls they are (their groups' spend is marked `*` or `—`; in JSON and CSV,
 * calls beyond priced_calls + unpriced_calls). Undefined when there are none.
 */
export function unknownUsageNotice(total: { calls: number; pricedCalls: number; unpricedCalls: number }): string | undefined {
  const n = total.calls - total.pricedCalls - total.unpricedCalls;
  if (n <= 0) return undefined;
  return (
    `${formatInt(n)} call${n === 1 ? '' : 's'} with unknown usage (the provider's answer could not be read): cost not included in spend. ` +
    "Usually a gateway or other upstream at the provider's base_url answered 200 with a body that is not the provider's JSON; --by provider,model tells whose calls they are."
  );
}

/**
 * One line per tag key the query names that no call of its window carries, with the keys
 * seen, closest first. A key within edit distance 2 of a built-in dimension (`outcom`,
 * `Model`) is likely a typo of it, not a tag: the line asks whether the built-in was meant.
 */
export function unknownKeyNotices(unknown: ReadonlyArray<{ key: string; flag: string; seen: readonly string[] }> | undefined): string[] {
  return (unknown ?? []).map((u) => {
    const seen = u.seen.length > 0 ? escapeControlChars(u.seen.join(', ')) : 'none';
    const builtin = closest(u.key, BUILTIN_DIMENSIONS);
    const hint = builtin === undefined ? `keys seen: ${seen}` : `did you mean the built-in dimension "${builtin}"? Tag keys seen: ${seen}`;
    return `no call in this period has the tag key "${u.key}" (${u.flag}); ${hint}.`;
  });
}

const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

/** A horizontal bar of `width` cells for value/max, with eighth-cell resolution. */
export function bar(value: number, max: number, width: number): string {
  if (max <= 0 || value <= 0) return '';
  const eighths = Math.max(1, Math.round((value / max) * width * 8));
  return '█'.repeat(Math.floor(eighths / 8)) + EIGHTHS[eighths % 8]!;
}

export interface GridColumn {
  header: string;
  align: 'left' | 'right';
}

/**
 * Aligned columns separated by two spaces. `ruleBefore` lists row indexes that get a
 * thin rule above them (the total row). Trailing spaces are trimmed. Control characters
 * in headers and cells are shown escaped (`\u001b`), colour codes kept: callers escape
 * values from data before painting them (escapeControlChars), this is the catch-all.
 */
export function renderGrid(given: readonly GridColumn[], cells: readonly string[][], p: Paint, ruleBefore: readonly number[] = []): string {
  const columns = given.map((c) => ({ ...c, header: escapeControlCharsKeepingColour(c.header) }));
  const rows = cells.map((r) => r.map(escapeControlCharsKeepingColour));
  const widths = columns.map((c, i) => Math.max(visibleLength(c.header), ...rows.map((r) => visibleLength(r[i] ?? ''))));
  const pad = (s: string, i: number) => {
    const gap = ' '.repeat(widths[i]! - visibleLength(s));
    return columns[i]!.align === 'right' ? gap + s : s + gap;
  };
  const line = (row: readonly string[]) => row.map((c, i) => pad(c, i)).join('  ').trimEnd();
  const out = [p.bold(line(columns.map((c) => c.header)))];
  const ruleWidth = widths.reduce((a, w) => a + w, 0) + 2 * (widths.length - 1);
  rows.forEach((r, i) => {
    if (ruleBefore.includes(i)) out.push(p.dim('─'.repeat(ruleWidth)));
    out.push(line(r));
  });
  return out.join('\n');
}
