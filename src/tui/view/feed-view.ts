import { instanceSuffix } from '../../budget/instance-name.js';
import { formatLatency, formatMoney, knownAmount } from '../../report/format/text.js';
import { costKnown } from '../../report/known-cost.js';
import { sumCostCounts } from '../../store/measures.js';
import { startOfDay } from '../../report/tz.js';
import { PREFERRED_TAGS } from '../dimensions.js';
import type { AlertRow, TailCall, TrendPoint } from '../types.js';
import { cell, clockTime, fit, shortStamp, sparkline, textWidth, truncate, type Line } from './text.js';

/** The live tail, the alerts list and the daily trend as display lines. */

export interface ListView {
  title: Line;
  rows: Line[];
}

/** `feature=summarizer user_tier=free …`: the product's usual tags first, the rest alphabetically. */
export function tagsText(tags: Readonly<Record<string, string>>): string {
  const rank = (k: string) => (PREFERRED_TAGS.includes(k) ? PREFERRED_TAGS.indexOf(k) : PREFERRED_TAGS.length);
  return Object.entries(tags)
    .sort(([a], [b]) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
}

/** Width the tags keep before the key and model columns narrow. */
const TAGS_MIN = 16;

/**
 * Newest calls first: time, key, model, cost, latency, then the tags in whatever width is
 * left (a non-2xx status leads them, in red). Numbers are never cut: time, cost and latency
 * keep their full width. When the line is short the model and then the key column narrow
 * (to 8 and 6 cells) so the tags keep TAGS_MIN; past that the tags give way, and only
 * when the numbers themselves would not fit do the model and key columns go.
 */
export function tailView(tail: readonly TailCall[] | null, ctx: { rows: number; width: number; timeZone: string; now: number; note: string | null }): ListView {
  const title: Line = [cell('Live tail', 'strong'), cell('  latest calls, newest first', 'muted')];
  if (tail === null) return { title, rows: [[cell(ctx.note ?? 'No call feed from this source.', 'muted')]] };
  if (tail.length === 0) return { title, rows: [[cell('No calls yet in this period and scope.', 'muted')]] };
  const shown = tail.slice(0, ctx.rows);
  // Today's calls by time of day; older ones with their date.
  const today = startOfDay(ctx.now, ctx.timeZone);
  const times = shown.map((c) => (c.ts >= today ? clockTime(c.ts, ctx.timeZone) : shortStamp(c.ts, ctx.timeZone)));
  const costs = shown.map((c) => (c.costNano !== null ? formatMoney(c.costNano) : c.usageUnknown ? 'unknown' : 'unpriced'));
  const lats = shown.map((c) => formatLatency(Math.round(c.latencyMs)));
  const tags = shown.map((c) => [failed(c) ? `[${c.status}]` : '', tagsText(c.tags)].filter((t) => t !== '').join(' '));
  const timeW = widest(times);
  const costW = widest(costs);
  const latW = widest(lats);
  const numbersW = timeW + 2 + costW + 2 + latW;
  const tagsMin = Math.min(TAGS_MIN, widest(tags));
  // Each flexible column counts its two-space separator; the most expendable comes first.
  const flexible = [
    { want: Math.min(24, Math.max(5, widest(shown.map((c) => c.model ?? '—')))), floor: 8 },
    { want: Math.min(16, Math.max(3, widest(shown.map((c) => c.keyName ?? '—')))), floor: 6 },
  ];
  let over = flexible.reduce((sum, f) => sum + f.want + 2, 0) - (ctx.width - numbersW - (tagsMin > 0 ? 2 + tagsMin : 0));
  const widths = flexible.map((f) => {
    const cut = Math.max(0, Math.min(over, f.want - f.floor));
    over -= cut;
    return f.want - cut;
  });
  let left = ctx.width - numbersW - widths.reduce((sum, w) => sum + w + 2, 0);
  for (let i = 0; i < widths.length && left < 0; i++) {
    left += widths[i]! + 2;
    widths[i] = 0;
  }
  const [modelW = 0, keyW = 0] = widths;
  const tagsW = left - 2;
  return {
    title,
    rows: shown.map((c, i) => {
      const line: Line = [cell(fit(times[i]!, timeW), 'muted')];
      if (keyW > 0) line.push(cell('  ' + fit(c.keyName ?? '—', keyW)));
      if (modelW > 0) line.push(cell('  ' + fit(c.model ?? '—', modelW), 'accent'));
      line.push(cell('  ' + fit(costs[i]!, costW, 'right'), c.costNano === null ? 'warn' : 'strong'), cell('  ' + fit(lats[i]!, latW, 'right')));
      if (tagsW > 0 && tags[i] !== '') line.push(cell('  ' + truncate(tags[i]!, tagsW), failed(c) ? 'bad' : 'muted'));
      return line;
    }),
  };
}

const failed = (c: TailCall) => c.status < 200 || c.status >= 300;

/** Display width of the widest text. */
function widest(texts: readonly string[]): number {
  return Math.max(0, ...texts.map(textWidth));
}

/** Latest budget alerts, each budget's instance named as serve's log lines name it (instanceSuffix); a threshold at or past the limit is red, earlier ones yellow. */
export function alertsView(alerts: readonly AlertRow[] | null, ctx: { rows: number; width: number; timeZone: string; notes: readonly string[] }): ListView {
  const title: Line = [cell('Alerts', 'strong'), cell('  budget thresholds crossed, newest first', 'muted')];
  if (alerts === null || alerts.length === 0) {
    const text = alerts === null ? (ctx.notes.find((n) => /alert/i.test(n)) ?? 'No alerts from this source.') : 'No budget alerts yet.';
    return { title, rows: [[cell(text, 'muted')]] };
  }
  return {
    title,
    rows: alerts.slice(0, ctx.rows).map((a) => {
      const who = a.budget + instanceSuffix(a.per, a.tagValue);
      return [
        cell(shortStamp(a.at, ctx.timeZone), 'muted'),
        cell(`  ${a.kind} budget ${who} reached ${Math.round(a.threshold * 100)}%`, a.threshold >= 1 ? 'bad' : 'warn'),
        cell(`  ${formatMoney(a.spentNano)} of ${formatMoney(a.limitNano)}`),
      ];
    }),
  };
}

/**
 * The daily trend: a label, a sparkline as wide as fits, and the peak day. One line, or two
 * when `split`. The peak reads as report's total (spendText): `—` when none of the period's
 * calls has a cost, marked `*` when some have none (any day's real cost may be higher).
 */
export function trendView(trend: readonly TrendPoint[], ctx: { width: number; split: boolean }): Line[] {
  const label = cell(ctx.split ? 'Daily spend ' : 'Daily ', 'strong');
  if (trend.length === 0) return [[label, cell('no days in this period', 'muted')]];
  let peak = trend[0]!;
  for (const p of trend) if (p.costNano > peak.costNano) peak = p;
  const last = trend[trend.length - 1]!;
  const all = sumCostCounts(trend);
  const facts = cell(costKnown(all) ? `  peak ${knownAmount(peak.costNano, all, false)} (${peak.day.slice(5)})` : '  peak —', 'muted');
  const room = ctx.split ? ctx.width : ctx.width - label.text.length - facts.text.length;
  const spark = cell(sparkline(trend.map((p) => p.costNano), Math.max(7, room)), 'accent');
  return ctx.split ? [[label, cell(`${trend[0]!.day} → ${last.day}`, 'muted'), facts], [spark]] : [[label, spark, facts]];
}
