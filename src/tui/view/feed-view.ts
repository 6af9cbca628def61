import { formatLatency, formatMoney } from '../../report/format/text.js';
import { startOfDay } from '../../report/tz.js';
import { PREFERRED_TAGS } from '../dimensions.js';
import type { AlertRow, TailCall, TrendPoint } from '../types.js';
import { cell, clockTime, fit, shortStamp, sparkline, type Line } from './text.js';

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

/** Newest calls first: time, key, model, tags, cost, latency; a non-2xx status is shown in red. */
export function tailView(tail: readonly TailCall[] | null, ctx: { rows: number; width: number; timeZone: string; now: number; note: string | null }): ListView {
  const title: Line = [cell('Live tail', 'strong'), cell('  latest calls, newest first', 'muted')];
  if (tail === null) return { title, rows: [[cell(ctx.note ?? 'No call feed from this source.', 'muted')]] };
  if (tail.length === 0) return { title, rows: [[cell('No calls yet in this period and scope.', 'muted')]] };
  const shown = tail.slice(0, ctx.rows);
  // Today's calls by time of day; older ones with their date.
  const today = startOfDay(ctx.now, ctx.timeZone);
  const times = shown.map((c) => (c.ts >= today ? clockTime(c.ts, ctx.timeZone) : shortStamp(c.ts, ctx.timeZone)));
  const timeW = Math.max(...times.map((t) => t.length));
  const keyW = Math.min(16, Math.max(3, ...shown.map((c) => (c.keyName ?? '—').length)));
  const modelW = Math.min(24, Math.max(5, ...shown.map((c) => (c.model ?? '—').length)));
  const costs = shown.map((c) => (c.costNano === null ? 'unpriced' : formatMoney(c.costNano)));
  const costW = Math.max(...costs.map((s) => s.length));
  const lats = shown.map((c) => formatLatency(Math.round(c.latencyMs)));
  const latW = Math.max(...lats.map((s) => s.length));
  const tagsW = Math.max(8, ctx.width - timeW - keyW - modelW - costW - latW - 10);
  return {
    title,
    rows: shown.map((c, i) => {
      const failed = c.status < 200 || c.status >= 300;
      const tags = (failed ? `[${c.status}] ` : '') + tagsText(c.tags);
      return [
        cell(fit(times[i]!, timeW), 'muted'),
        cell('  ' + fit(c.keyName ?? '—', keyW)),
        cell('  ' + fit(c.model ?? '—', modelW), 'accent'),
        cell('  ' + fit(tags, tagsW), failed ? 'bad' : 'muted'),
        cell('  ' + fit(costs[i]!, costW, 'right'), c.costNano === null ? 'warn' : 'strong'),
        cell('  ' + fit(lats[i]!, latW, 'right')),
      ];
    }),
  };
}

/** Latest budget alerts; a threshold at or past the limit is red, earlier ones yellow. */
export function alertsView(alerts: readonly AlertRow[] | null, ctx: { rows: number; width: number; timeZone: string; notes: readonly string[] }): ListView {
  const title: Line = [cell('Alerts', 'strong'), cell('  budget thresholds crossed, newest first', 'muted')];
  if (alerts === null || alerts.length === 0) {
    const text = alerts === null ? (ctx.notes.find((n) => /alert/i.test(n)) ?? 'No alerts from this source.') : 'No budget alerts yet.';
    return { title, rows: [[cell(text, 'muted')]] };
  }
  return {
    title,
    rows: alerts.slice(0, ctx.rows).map((a) => {
      const who = a.tagValue === null ? a.budget : `${a.budget} (${a.tagValue})`;
      return [
        cell(shortStamp(a.at, ctx.timeZone), 'muted'),
        cell(`  ${a.kind} budget ${who} reached ${Math.round(a.threshold * 100)}%`, a.threshold >= 1 ? 'bad' : 'warn'),
        cell(`  ${formatMoney(a.spentNano)} of ${formatMoney(a.limitNano)}`),
      ];
    }),
  };
}

/** The daily trend: a label, a sparkline as wide as fits, and the peak day. One line, or two when `split`. */
export function trendView(trend: readonly TrendPoint[], ctx: { width: number; split: boolean }): Line[] {
  const label = cell(ctx.split ? 'Daily spend ' : 'Daily ', 'strong');
  if (trend.length === 0) return [[label, cell('no days in this period', 'muted')]];
  let peak = trend[0]!;
  for (const p of trend) if (p.costNano > peak.costNano) peak = p;
  const last = trend[trend.length - 1]!;
  const facts = cell(`  peak ${formatMoney(peak.costNano)} (${peak.day.slice(5)})`, 'muted');
  const room = ctx.split ? ctx.width : ctx.width - label.text.length - facts.text.length;
  const spark = cell(sparkline(trend.map((p) => p.costNano), Math.max(7, room)), 'accent');
  return ctx.split ? [[label, cell(`${trend[0]!.day} → ${last.day}`, 'muted'), facts], [spark]] : [[label, spark, facts]];
}
